import { describe, expect, it } from "vitest";
import { RaftNode } from "../../src/runtime/raft-node.js";
import { encodeKvCommand } from "../../src/storage/kv-command.js";
import { KvFsm } from "../../src/storage/kv-fsm.js";
import { MemoryLogStore } from "../../src/storage/memory-log-store.js";
import { MemorySnapshotStore } from "../../src/storage/memory-snapshot-store.js";
import { MemoryStableStore } from "../../src/storage/memory-stable-store.js";
import { MemoryNetwork } from "../../src/transport/memory-transport.js";
import { MemoryCluster, waitFor } from "./memory-cluster.js";

describe("RaftNode's Ready loop", () => {
  it("group commit: proposals made while a sync is in flight are written together by the next single append", async () => {
    // The log "disk" syncs only when told to, so the test decides when an fsync completes.
    const logStore = new MemoryLogStore({ manualSync: true });
    const node = await RaftNode.start({
      id: "n1",
      profile: "test",
      transport: new MemoryNetwork().createTransport("n1"),
      logStore,
      stableStore: new MemoryStableStore(),
      snapshotStore: new MemorySnapshotStore(),
      fsm: new KvFsm(),
      bootstrap: { servers: [{ id: "n1", address: "n1", suffrage: "voter" }] },
    });
    try {
      await waitFor(
        () => {
          logStore.sync();
          return node.state() === "leader" && logStore.pendingCount() === 0 && node.appliedIndex() >= 2;
        },
        10_000,
        "a leader with its first entries durable",
      );
      const before = logStore.stats.appends;
      const first = node.apply(encodeKvCommand({ op: "put", key: "a", value: "0" }));
      await waitFor(() => logStore.pendingCount() === 1, 5_000, "the first append in flight");
      // While that sync is in flight, ten more proposals arrive.
      const rest = Array.from({ length: 10 }, (_, i) =>
        node.apply(encodeKvCommand({ op: "put", key: `k${i}`, value: String(i) })),
      );
      await new Promise((r) => setTimeout(r, 50));
      expect(logStore.pendingCount()).toBe(1); // nothing else was written meanwhile
      logStore.sync();
      await waitFor(() => logStore.pendingCount() === 1, 5_000, "the second append");
      expect(logStore.stats.appends - before).toBe(2);
      expect(logStore.stats.entriesAppended).toBeGreaterThanOrEqual(12);
      logStore.sync();
      await first;
      await Promise.all(rest);
      // One append call (one fsync) carried all ten.
      expect(logStore.stats.appends - before).toBe(2);
    } finally {
      logStore.sync();
      await node.shutdown();
    }
  });

  it("an entry is not acknowledged before the leader's own write is durable in a single-node cluster", async () => {
    const logStore = new MemoryLogStore({ manualSync: true });
    const node = await RaftNode.start({
      id: "n1",
      profile: "test",
      transport: new MemoryNetwork().createTransport("n1"),
      logStore,
      stableStore: new MemoryStableStore(),
      snapshotStore: new MemorySnapshotStore(),
      fsm: new KvFsm(),
      bootstrap: { servers: [{ id: "n1", address: "n1", suffrage: "voter" }] },
    });
    try {
      await waitFor(
        () => {
          logStore.sync();
          return node.state() === "leader" && logStore.pendingCount() === 0 && node.appliedIndex() >= 2;
        },
        10_000,
        "a leader",
      );
      let acked = false;
      const p = node.apply(encodeKvCommand({ op: "put", key: "a", value: "1" })).then(() => (acked = true));
      await waitFor(() => logStore.pendingCount() === 1, 5_000, "the append in flight");
      await new Promise((r) => setTimeout(r, 50));
      expect(acked).toBe(false);
      logStore.sync();
      await p;
      expect(acked).toBe(true);
    } finally {
      logStore.sync();
      await node.shutdown();
    }
  });
});

describe("RaftNode followers", () => {
  it("a follower acknowledges entries only once they are durable: no commit while no follower has synced", async () => {
    // checkQuorum off: a follower blocked on its write does not answer heartbeats meanwhile.
    const cluster = await MemoryCluster.start(3, { checkQuorum: false }, new Set(["n1", "n2", "n3"]));
    const syncAll = () => {
      for (const m of cluster.members.values()) m.logStore.sync();
    };
    try {
      const leader = await waitFor(
        () => {
          syncAll();
          const l = cluster.running().find((m) => m.node!.state() === "leader");
          return l !== undefined && cluster.running().every((m) => m.node!.appliedIndex() >= 2)
            ? l
            : undefined;
        },
        10_000,
        "a leader with the bootstrap entries applied everywhere",
      );
      const followers = cluster.running().filter((m) => m !== leader);
      const commitBefore = leader.node!.status().commitIndex;
      let acked = false;
      const p = leader
        .node!.apply(encodeKvCommand({ op: "put", key: "a", value: "1" }))
        .then(() => (acked = true));
      leader.logStore.sync();
      await waitFor(() => followers.every((f) => f.logStore.pendingCount() > 0), 5_000, "followers writing");
      await new Promise((r) => setTimeout(r, 100));
      leader.logStore.sync();
      expect(leader.node!.status().commitIndex).toBe(commitBefore);
      expect(acked).toBe(false);
      followers[0]!.logStore.sync(); // one follower's disk completes: leader + it = a quorum
      await p;
      expect(acked).toBe(true);
    } finally {
      syncAll();
      await cluster.shutdown();
    }
  });
});
