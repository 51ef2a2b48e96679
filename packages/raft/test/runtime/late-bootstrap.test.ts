import { afterEach, describe, expect, it } from "vitest";
import type { Configuration } from "../../src/core/types.js";
import { encodeKvCommand } from "../../src/storage/kv-command.js";
import { MemoryCluster } from "./memory-cluster.js";

// Nomad's bootstrap_expect: servers start with empty stores and bootstrap once they know enough
// peers, on a node that is already running.
describe("RaftNode.bootstrap on a running node", () => {
  let cluster: MemoryCluster | undefined;
  afterEach(async () => {
    await cluster?.shutdown();
    cluster = undefined;
  });

  it("three empty nodes bootstrapped after start elect a leader and replicate", async () => {
    cluster = new MemoryCluster();
    const ids = ["n1", "n2", "n3"];
    for (const id of ids) await cluster.add(id);
    const configuration: Configuration = {
      servers: ids.map((id) => ({ id, address: id, suffrage: "voter" })),
    };
    for (const id of ids) expect(cluster.members.get(id)?.node?.bootstrap(configuration)).toBe(true);
    const leader = await cluster.waitLeader();
    expect(await leader.apply(encodeKvCommand({ op: "put", key: "k", value: "v" }))).toMatchObject({
      ok: true,
    });
  });

  it("a single empty node bootstrapped with itself leads at once", async () => {
    cluster = new MemoryCluster();
    const m = await cluster.add("solo");
    expect(m.node?.bootstrap({ servers: [{ id: "solo", address: "solo", suffrage: "voter" }] })).toBe(true);
    const leader = await cluster.waitLeader();
    expect(leader.id).toBe("solo");
  });

  it("is refused, changing nothing, once the node has state", async () => {
    cluster = await MemoryCluster.start(1);
    const leader = await cluster.waitLeader();
    const before = leader.configuration();
    expect(leader.bootstrap({ servers: [{ id: "other", address: "other", suffrage: "voter" }] })).toBe(false);
    expect(leader.configuration()).toEqual(before);
  });
});
