// A cluster of RaftNodes in one process over MemoryNetwork with memory stores (hashicorp/raft's
// test cluster): start, stop (a crash: the node and its transport go away, the stores stay as its
// disk), restart from those stores, and wait helpers that poll real time.
import type { Configuration, NodeId } from "../../src/core/types.js";
import type { RaftConfigInput } from "../../src/runtime/config.js";
import { RaftNode } from "../../src/runtime/raft-node.js";
import { KvFsm } from "../../src/storage/kv-fsm.js";
import type { KvResult } from "../../src/storage/kv-command.js";
import { MemoryLogStore } from "../../src/storage/memory-log-store.js";
import { MemorySnapshotStore } from "../../src/storage/memory-snapshot-store.js";
import { MemoryStableStore } from "../../src/storage/memory-stable-store.js";
import { MemoryNetwork, type MemoryTransport } from "../../src/transport/memory-transport.js";

export type KvNode = RaftNode<KvResult | undefined>;

export interface Member {
  readonly id: NodeId;
  node: KvNode | undefined;
  transport: MemoryTransport | undefined;
  fsm: KvFsm;
  readonly logStore: MemoryLogStore;
  readonly stableStore: MemoryStableStore;
  readonly snapshotStore: MemorySnapshotStore;
}

export class MemoryCluster {
  readonly network = new MemoryNetwork();
  readonly members = new Map<NodeId, Member>();

  constructor(
    private readonly config: RaftConfigInput = {},
    /** Nodes whose log store syncs only when the test calls `sync()` on it. */
    private readonly manualSync: ReadonlySet<NodeId> = new Set(),
  ) {}

  static async start(
    n: number,
    config: RaftConfigInput = {},
    manualSync: ReadonlySet<NodeId> = new Set(),
  ): Promise<MemoryCluster> {
    const c = new MemoryCluster(config, manualSync);
    const ids = Array.from({ length: n }, (_, i) => `n${i + 1}`);
    const bootstrap: Configuration = { servers: ids.map((id) => ({ id, address: id, suffrage: "voter" })) };
    for (const id of ids) await c.add(id, bootstrap);
    return c;
  }

  /** Starts a node with fresh stores (bootstrapped if `bootstrap` is given). */
  async add(id: NodeId, bootstrap?: Configuration): Promise<Member> {
    const m: Member = {
      id,
      node: undefined,
      transport: undefined,
      fsm: new KvFsm(),
      logStore: new MemoryLogStore({ manualSync: this.manualSync.has(id) }),
      stableStore: new MemoryStableStore(),
      snapshotStore: new MemorySnapshotStore(),
    };
    this.members.set(id, m);
    await this.boot(m, bootstrap);
    return m;
  }

  private async boot(m: Member, bootstrap?: Configuration): Promise<void> {
    m.fsm = new KvFsm();
    m.transport = this.network.createTransport(m.id);
    m.node = await RaftNode.start({
      id: m.id,
      profile: "test",
      config: this.config,
      transport: m.transport,
      logStore: m.logStore,
      stableStore: m.stableStore,
      snapshotStore: m.snapshotStore,
      fsm: m.fsm,
      ...(bootstrap === undefined ? {} : { bootstrap }),
      // Addresses are the ids here; a node added later must be able to answer the leader at once.
      peers: [...this.members.keys()].map((id) => ({ id, address: id })),
    });
  }

  member(id: NodeId): Member {
    const m = this.members.get(id);
    if (m === undefined) throw new Error(`no member ${id}`);
    return m;
  }

  node(id: NodeId): KvNode {
    const n = this.member(id).node;
    if (n === undefined) throw new Error(`${id} is stopped`);
    return n;
  }

  running(): Member[] {
    return [...this.members.values()].filter((m) => m.node !== undefined);
  }

  /** A crash as the Go harness does it: shut the node and its transport down; the stores survive. */
  async stop(id: NodeId): Promise<void> {
    const m = this.member(id);
    const node = m.node;
    m.node = undefined;
    if (node === undefined) return;
    await node.shutdown();
    await m.transport?.close();
  }

  async restart(id: NodeId): Promise<void> {
    await this.boot(this.member(id));
  }

  async waitLeader(exclude?: NodeId, timeoutMs = 10_000): Promise<KvNode> {
    return waitFor(
      () => {
        const leaders = this.running().filter((m) => m.id !== exclude && m.node!.state() === "leader");
        return leaders.length === 1 ? leaders[0]!.node : undefined;
      },
      timeoutMs,
      "a leader",
    );
  }

  /** Waits until every running node has applied at least `index`. */
  async waitApplied(index: number, timeoutMs = 10_000): Promise<void> {
    await waitFor(
      () => this.running().every((m) => m.node!.appliedIndex() >= index) || undefined,
      timeoutMs,
      `applied >= ${index}`,
    );
  }

  async shutdown(): Promise<void> {
    for (const m of this.members.values()) {
      await m.node?.shutdown();
      await m.transport?.close();
      m.node = undefined;
    }
  }
}

export async function waitFor<T>(
  probe: () => T | undefined | false,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
