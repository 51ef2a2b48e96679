import { isRpcError, type RpcError } from "@nomad/rpc";
import type { RaftConfigurationResponse, ServerMembersResponse } from "@nomad/structs";
import { describe, expect, it } from "vitest";
import { harness } from "./harness.js";

async function failure(p: Promise<unknown>): Promise<RpcError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!isRpcError(e)) throw new Error(`expected an RpcError, got ${String(e)}`);
  return e;
}

describe("Status.*", () => {
  it("Leader, Peers, Regions and Members answer from the deps", async () => {
    const h = harness();
    expect(await h.rpc.call("Status.Leader", {})).toBe("127.0.0.1:4647");
    expect(await h.rpc.call("Status.Peers", {})).toEqual(["127.0.0.1:4647", "127.0.0.2:4647"]);
    expect(await h.rpc.call("Status.Regions", {})).toEqual(["global"]);
    const members = await h.rpc.call<ServerMembersResponse>("Status.Members", {});
    expect(members).toMatchObject({ ServerName: "s1.global", ServerRegion: "global", ServerDC: "dc1" });
    expect(members.Members.map((m) => m.Name)).toEqual(["s1.global", "s2.global"]);
  });
});

describe("Operator.* and System.*", () => {
  it("RaftGetConfiguration names each server by its serf member", async () => {
    const h = harness();
    const config = await h.rpc.call<RaftConfigurationResponse>("Operator.RaftGetConfiguration", {});
    expect(config.Servers.map((s) => [s.ID, s.Node, s.Leader])).toEqual([
      ["server-1", "s1.global", true],
      ["server-2", "s2.global", false],
    ]);
  });

  it("RaftRemovePeerByID removes a known peer and refuses an unknown one", async () => {
    const h = harness();
    await h.rpc.call("Operator.RaftRemovePeerByID", { ID: "server-2" });
    expect(h.removedPeers).toEqual(["server-2"]);
    const error = await failure(h.rpc.call("Operator.RaftRemovePeerByID", { ID: "ghost" }));
    expect(error.code).toBe("NOT_FOUND");
    expect(error.message).toBe('id "ghost" was not found in the Raft configuration');
  });

  it("System.GarbageCollect runs the leader's forced GC, and is forwarded by a follower", async () => {
    const h = harness();
    await h.rpc.call("System.GarbageCollect", {});
    expect(h.gcCalls).toBe(1);
    h.leading = false;
    await h.rpc.call("System.GarbageCollect", {});
    expect(h.gcCalls).toBe(1);
    expect(h.forwarded.map((f) => f.method)).toEqual(["System.GarbageCollect"]);
  });
});
