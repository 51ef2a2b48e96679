import { afterEach, describe, expect, it } from "vitest";
import { RpcError, RpcServer, ServerRpc, isRpcError } from "../src/index.js";
import { deadAddress } from "./helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function named(name: string): Promise<RpcServer> {
  const server = await RpcServer.listen({
    host: "127.0.0.1",
    port: 0,
    handler: async (method) => {
      if (method === "Test.Hang") return new Promise(() => {});
      return name;
    },
  });
  cleanups.push(() => server.close());
  return server;
}

describe("ServerRpc", () => {
  it("moves to the next server when one refuses connections, and keeps preferring the one that works", async () => {
    const good = await named("good");
    const dead = await deadAddress();
    // random() close to 1 makes the shuffle keep the given order.
    const rpc = new ServerRpc({ servers: [dead, good.address], random: () => 0.999 });
    cleanups.push(() => rpc.close());
    expect(rpc.servers()[0]).toBe(dead);
    expect(await rpc.call("Any", {})).toBe("good");
    expect(rpc.servers()[0]).toBe(good.address);
    expect(await rpc.call("Any", {})).toBe("good");
  });

  it("fails with CONNECTION once every server has been tried", async () => {
    const rpc = new ServerRpc({ servers: [await deadAddress(), await deadAddress()] });
    cleanups.push(() => rpc.close());
    expect(isRpcError(await rpc.call("Any", {}).catch((e: unknown) => e), "CONNECTION")).toBe(true);
  });

  it("returns TIMEOUT and prefers another server afterwards", async () => {
    const a = await named("a");
    const b = await named("b");
    const rpc = new ServerRpc({ servers: [a.address, b.address], random: () => 0.999 });
    cleanups.push(() => rpc.close());
    const first = rpc.servers()[0];
    const error = await rpc.call("Test.Hang", {}, { timeoutMs: 150 }).catch((e: unknown) => e);
    expect(isRpcError(error, "TIMEOUT")).toBe(true);
    expect(rpc.servers()[0]).not.toBe(first);
  });

  it("setServers replaces the list and keeps the preferred server when it is still listed", async () => {
    const a = await named("a");
    const b = await named("b");
    const c = await named("c");
    const rpc = new ServerRpc({ servers: [a.address] });
    cleanups.push(() => rpc.close());
    expect(await rpc.call("Any", {})).toBe("a");
    rpc.setServers([b.address, a.address, c.address]);
    expect(rpc.servers()[0]).toBe(a.address);
    rpc.setServers([c.address]);
    expect(await rpc.call("Any", {})).toBe("c");
    expect(() => rpc.setServers(["nonsense"])).toThrow(/servers\[0\]/);
  });

  it("follows NOT_LEADER's details.leader once", async () => {
    const leader = await named("leader");
    const follower = await RpcServer.listen({
      host: "127.0.0.1",
      port: 0,
      handler: async () => {
        throw new RpcError("NOT_LEADER", "not the leader", { leader: leader.address });
      },
    });
    cleanups.push(() => follower.close());
    const rpc = new ServerRpc({ servers: [follower.address] });
    cleanups.push(() => rpc.close());
    expect(await rpc.call("Any", {})).toBe("leader");
  });

  it("fails with CONNECTION when no servers are known", async () => {
    const rpc = new ServerRpc({ servers: [] });
    expect(isRpcError(await rpc.call("Any", {}).catch((e: unknown) => e), "CONNECTION")).toBe(true);
  });
});
