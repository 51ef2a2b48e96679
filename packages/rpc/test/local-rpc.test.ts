import { describe, expect, it } from "vitest";
import { LocalRpc, RpcError, isRpcError, type RpcHandler } from "../src/index.js";

describe("LocalRpc", () => {
  it("copies arguments and results, so the caller never shares objects with the handler", async () => {
    const state = { Job: { ID: "web", Meta: { owner: "a" } } };
    let received: unknown;
    const rpc = new LocalRpc(async (_method, args) => {
      received = args;
      return state;
    });
    const args = { Job: { ID: "x" } };
    const reply = await rpc.call<typeof state>("Job.GetJob", args);
    expect(reply).toEqual(state);
    reply.Job.Meta.owner = "mutated";
    expect(state.Job.Meta.owner).toBe("a");
    expect(received).toEqual(args);
    expect(received).not.toBe(args);
  });

  it("passes RpcErrors through and wraps other failures as INTERNAL", async () => {
    const handler: RpcHandler = async (method) => {
      if (method === "A") throw new RpcError("NOT_FOUND", "no such job", { id: "web" });
      throw new TypeError("bug");
    };
    const rpc = new LocalRpc(handler);
    const notFound = await rpc.call("A", {}).catch((e: unknown) => e);
    expect(isRpcError(notFound, "NOT_FOUND") && notFound.details).toEqual({ id: "web" });
    const internal = await rpc.call("B", {}).catch((e: unknown) => e);
    expect(isRpcError(internal, "INTERNAL")).toBe(true);
    expect((internal as Error).message).toBe("bug");
  });

  it("times out with TIMEOUT and aborts the handler's signal", async () => {
    let aborted = false;
    const rpc = new LocalRpc(
      (_m, _a, context) =>
        new Promise(() => {
          context.signal.addEventListener("abort", () => (aborted = true));
        }),
    );
    const error = await rpc.call("Hang", {}, { timeoutMs: 50 }).catch((e: unknown) => e);
    expect(isRpcError(error, "TIMEOUT")).toBe(true);
    expect(aborted).toBe(true);
  });

  it("reports remoteAddress local and refuses unencodable arguments with INVALID", async () => {
    const rpc = new LocalRpc(async (_m, _a, context) => context.remoteAddress);
    expect(await rpc.call("Who", {})).toBe("local");
    const error = await rpc.call("Who", { f: 10n ** 30n }).catch((e: unknown) => e);
    expect(isRpcError(error, "INVALID")).toBe(true);
  });
});
