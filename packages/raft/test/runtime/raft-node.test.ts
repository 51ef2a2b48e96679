import { afterEach, describe, expect, it } from "vitest";
import { isRaftError, RaftError } from "../../src/runtime/errors.js";
import { encodeKvCommand } from "../../src/storage/kv-command.js";
import { MemoryCluster, waitFor, type KvNode } from "./memory-cluster.js";

const put = (key: string, value: string) => encodeKvCommand({ op: "put", key, value });

async function rejection(p: Promise<unknown>): Promise<RaftError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RaftError) return e;
    throw e;
  }
  throw new Error("expected a rejection");
}

function followerOf(c: MemoryCluster, leader: KvNode): KvNode {
  return c.running().find((m) => m.node !== leader)!.node!;
}

let cluster: MemoryCluster | undefined;
afterEach(async () => {
  await cluster?.shutdown();
  cluster = undefined;
});

describe("RaftNode over MemoryTransport with memory stores", () => {
  it("three nodes elect exactly one leader, and every node learns it", async () => {
    cluster = await MemoryCluster.start(3);
    const leader = await cluster.waitLeader();
    await waitFor(
      () => cluster!.running().every((m) => m.node!.leader()?.id === leader.id),
      5_000,
      "all know the leader",
    );
    expect(cluster.running().filter((m) => m.node!.state() === "leader")).toHaveLength(1);
  });

  it("apply resolves with the FSM's result after commit, and every replica applies it", async () => {
    cluster = await MemoryCluster.start(3);
    const leader = await cluster.waitLeader();
    expect(await leader.apply(put("a", "1"))).toEqual({ op: "put", ok: true });
    expect(await leader.apply(encodeKvCommand({ op: "cas", key: "a", from: "0", to: "2" }))).toEqual({
      op: "cas",
      ok: false,
      value: "1",
    });
    await cluster.waitApplied(leader.appliedIndex());
    for (const m of cluster.running()) expect(m.fsm.get("a")).toBe("1");
  });

  it("a follower rejects apply with NOT_LEADER naming the leader's id and address", async () => {
    cluster = await MemoryCluster.start(3);
    const leader = await cluster.waitLeader();
    const follower = followerOf(cluster, leader);
    await waitFor(() => follower.leader()?.id === leader.id, 5_000, "follower knows leader");
    const err = await rejection(follower.apply(put("a", "1")));
    expect(err.code).toBe("NOT_LEADER");
    expect(err.leaderId).toBe(leader.id);
    expect(err.leaderAddress).toBe(leader.id); // MemoryCluster uses the id as the address
  });

  it("an apply that cannot commit fails with TIMEOUT", async () => {
    cluster = await MemoryCluster.start(3, { checkQuorum: false });
    const leader = await cluster.waitLeader();
    cluster.network.disconnect(leader.id);
    const err = await rejection(leader.apply(put("a", "1"), { timeoutMs: 150 }));
    expect(err.code).toBe("TIMEOUT");
  });

  it("shutdown rejects pending calls with SHUTDOWN, and later calls too", async () => {
    cluster = await MemoryCluster.start(3, { checkQuorum: false });
    const leader = await cluster.waitLeader();
    cluster.network.disconnect(leader.id);
    const pending = leader.apply(put("a", "1"), { timeoutMs: 30_000 });
    const read = leader.linearizableRead({ timeoutMs: 30_000 });
    await leader.shutdown();
    expect((await rejection(pending)).code).toBe("SHUTDOWN");
    expect((await rejection(read)).code).toBe("SHUTDOWN");
    expect((await rejection(leader.apply(put("b", "2")))).code).toBe("SHUTDOWN");
    expect((await rejection(leader.barrier())).code).toBe("SHUTDOWN");
  });

  it("barrier resolves once every earlier entry is applied on the leader", async () => {
    cluster = await MemoryCluster.start(3);
    const leader = await cluster.waitLeader();
    const writes = Array.from({ length: 50 }, (_, i) => leader.apply(put(`k${i}`, String(i))));
    await leader.barrier();
    const m = cluster.running().find((x) => x.node === leader)!;
    for (let i = 0; i < 50; i++) expect(m.fsm.get(`k${i}`)).toBe(String(i));
    await Promise.all(writes);
  });

  it("a linearizable read on the leader sees every write acknowledged before it; a follower refuses", async () => {
    cluster = await MemoryCluster.start(3);
    const leader = await cluster.waitLeader();
    await leader.apply(put("x", "1"));
    await leader.linearizableRead();
    const m = cluster.running().find((x) => x.node === leader)!;
    expect(m.fsm.get("x")).toBe("1");
    await leader.verifyLeader();
    const follower = followerOf(cluster, leader);
    await waitFor(() => follower.leader()?.id === leader.id, 5_000, "follower knows leader");
    const err = await rejection(follower.linearizableRead());
    expect(err.code).toBe("NOT_LEADER");
  });

  it("a leader cut off from the quorum cannot serve a linearizable read", async () => {
    cluster = await MemoryCluster.start(3);
    const leader = await cluster.waitLeader();
    cluster.network.disconnect(leader.id);
    const err = await rejection(leader.linearizableRead({ timeoutMs: 2_000 }));
    expect(isRaftError(err)).toBe(true);
    expect(["NOT_LEADER", "NO_LEADER", "TIMEOUT"]).toContain(err.code);
  });

  it("adds a nonvoter, promotes it to voter, and removes it", async () => {
    cluster = await MemoryCluster.start(3);
    const leader = await cluster.waitLeader();
    await leader.apply(put("before", "1"));
    const n4 = await cluster.add("n4");
    await leader.addNonvoter("n4", "n4");
    await leader.apply(put("during", "1"));
    await waitFor(
      () => n4.fsm.get("before") === "1" && n4.fsm.get("during") === "1",
      10_000,
      "n4 catches up",
    );
    await leader.addVoter("n4", "n4");
    expect(leader.configuration().servers.find((s) => s.id === "n4")?.suffrage).toBe("voter");
    await leader.apply(put("after", "2"));
    await waitFor(() => n4.fsm.get("after") === "2", 10_000, "n4 applies new writes");
    await leader.removeServer("n4");
    expect(leader.configuration().servers.map((s) => s.id)).not.toContain("n4");
  });

  it("transfers leadership to a chosen follower", async () => {
    cluster = await MemoryCluster.start(3);
    const leader = await cluster.waitLeader();
    await leader.apply(put("a", "1"));
    const target = followerOf(cluster, leader);
    await cluster.waitApplied(leader.appliedIndex());
    await leader.transferLeadership(target.id, { timeoutMs: 5_000 });
    await waitFor(() => target.state() === "leader", 5_000, "target leads");
    expect(await target.apply(put("b", "2"))).toEqual({ op: "put", ok: true });
  });

  it("takes snapshots past the threshold, compacts, and a restarted node recovers its state from them", async () => {
    cluster = await MemoryCluster.start(3, { snapshotThreshold: 40, trailingLogs: 10 });
    const leader = await cluster.waitLeader();
    for (let i = 0; i < 150; i++) await leader.apply(put(`k${i % 20}`, String(i)));
    await cluster.waitApplied(leader.appliedIndex());
    const victim = followerOf(cluster, leader);
    await waitFor(() => victim.stats().snapshotsTaken > 0, 5_000, "a snapshot on the follower");
    const vm = cluster.member(victim.id);
    expect(vm.snapshotStore.list().length).toBeGreaterThan(0);
    expect(vm.logStore.firstIndex()).toBeGreaterThan(1); // the log was compacted behind the snapshot
    const before = vm.fsm.dump();
    await cluster.stop(victim.id);
    await cluster.restart(victim.id);
    await waitFor(
      () => cluster!.member(victim.id).fsm.dump().length === before.length || undefined,
      10_000,
      "restored",
    );
    await cluster.waitApplied(leader.appliedIndex());
    expect(cluster.member(victim.id).fsm.dump()).toEqual(
      cluster
        .running()
        .find((m) => m.node === leader)!
        .fsm.dump(),
    );
  });

  it("a follower that fell behind the compacted log catches up through InstallSnapshot", async () => {
    cluster = await MemoryCluster.start(3, { snapshotThreshold: 30, trailingLogs: 5 });
    const leader = await cluster.waitLeader();
    const lagger = followerOf(cluster, leader);
    cluster.network.disconnect(lagger.id);
    for (let i = 0; i < 120; i++) await leader.apply(put(`k${i % 10}`, String(i)));
    await waitFor(() => leader.stats().lastSnapshotIndex > 40, 5_000, "leader snapshot");
    const restored = new Promise<number>((resolve) =>
      lagger.observe((e) => {
        if (e.type === "snapshotRestored") resolve(e.index);
      }),
    );
    cluster.network.reconnect(lagger.id);
    expect(await restored).toBeGreaterThan(0);
    await cluster.waitApplied(leader.appliedIndex());
    const lm = cluster.member(lagger.id);
    expect(lm.fsm.dump()).toEqual(
      cluster
        .running()
        .find((m) => m.node === leader)!
        .fsm.dump(),
    );
  });

  it("after the leader crashes, another node leads and applies; the old node rejoins from its stores", async () => {
    cluster = await MemoryCluster.start(3);
    const leader = await cluster.waitLeader();
    await leader.apply(put("a", "1"));
    const oldId = leader.id;
    await cluster.stop(oldId);
    const next = await cluster.waitLeader(oldId);
    expect(await next.apply(put("b", "2"))).toEqual({ op: "put", ok: true });
    await cluster.restart(oldId);
    await waitFor(() => cluster!.member(oldId).fsm.get("b") === "2", 10_000, "old node catches up");
    expect(cluster.member(oldId).fsm.get("a")).toBe("1");
  });
});
