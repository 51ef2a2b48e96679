// Three RaftNodes in one process over WsTransport on 127.0.0.1, as the Go harness builds its
// cluster: transports are bound first (the clock of "first leader" starts before that), every node
// is bootstrapped with the same 3-voter configuration, and a crash is "shut the node and its
// transport down"; a restart reopens the same stores (memory stores are kept, acting as the disk).
import { join } from "node:path";
import type { Configuration, LogStore, SnapshotStore, StableStore } from "../src/index.js";
import type { RaftConfigInput } from "../src/runtime/config.js";
import { RaftNode } from "../src/runtime/raft-node.js";
import { FileLogStore } from "../src/storage/file-log-store.js";
import { FileSnapshotStore } from "../src/storage/file-snapshot-store.js";
import { FileStableStore } from "../src/storage/file-stable-store.js";
import { MemoryLogStore } from "../src/storage/memory-log-store.js";
import { MemorySnapshotStore } from "../src/storage/memory-snapshot-store.js";
import { MemoryStableStore } from "../src/storage/memory-stable-store.js";
import { WsTransport } from "../src/transport/ws-transport.js";
import { BenchKvFsm } from "./bench-kv.js";

export type StoreKind = "memory" | "durable";

interface Stores {
  readonly logStore: LogStore;
  readonly stableStore: StableStore;
  readonly snapshotStore: SnapshotStore;
}

export class BenchNode {
  address = "127.0.0.1:0";
  transport: WsTransport | undefined;
  node: RaftNode<undefined> | undefined;
  fsm = new BenchKvFsm();
  private stores: Stores | undefined;

  constructor(
    readonly id: string,
    private readonly kind: StoreKind,
    private readonly dir: string,
  ) {}

  get up(): boolean {
    return this.node !== undefined;
  }

  async bind(): Promise<void> {
    // The old listener may take a moment to go away on restart (as the Go harness retries).
    for (let i = 0; ; i++) {
      try {
        this.transport = await WsTransport.listen({ id: this.id, address: this.address });
        break;
      } catch (e) {
        if (i >= 50) throw e;
        await sleep(20);
      }
    }
    this.address = this.transport.localAddress;
  }

  async start(config: RaftConfigInput, bootstrap: Configuration | undefined): Promise<void> {
    this.stores = await this.openStores();
    this.fsm = new BenchKvFsm();
    this.node = await RaftNode.start({
      id: this.id,
      config,
      transport: this.transport!,
      ...this.stores,
      fsm: this.fsm,
      ...(bootstrap === undefined ? {} : { bootstrap }),
    });
  }

  /** The Go harness's crash: raft.Shutdown(), then the transport's Close. */
  async stop(): Promise<void> {
    const node = this.node;
    if (node === undefined) return;
    this.node = undefined;
    await node.shutdown();
    await this.transport?.close();
    if (this.kind === "durable" && this.stores !== undefined) {
      const s = this.stores;
      this.stores = undefined;
      await Promise.all([s.logStore.close(), s.stableStore.close(), s.snapshotStore.close()]);
    }
  }

  private async openStores(): Promise<Stores> {
    if (this.kind === "memory") {
      // Kept across restarts: they are this node's "disk".
      this.stores ??= {
        logStore: new MemoryLogStore(),
        stableStore: new MemoryStableStore(),
        snapshotStore: new MemorySnapshotStore(),
      };
      return this.stores;
    }
    const d = join(this.dir, this.id);
    return {
      logStore: await FileLogStore.open(join(d, "log")),
      stableStore: await FileStableStore.open(d),
      snapshotStore: await FileSnapshotStore.open(d),
    };
  }
}

export class BenchCluster {
  readonly nodes: BenchNode[];

  constructor(
    readonly kind: StoreKind,
    dir: string,
    private readonly config: RaftConfigInput,
  ) {
    this.nodes = ["n1", "n2", "n3"].map((id) => new BenchNode(id, kind, dir));
  }

  async start(): Promise<void> {
    for (const n of this.nodes) await n.bind();
    const bootstrap: Configuration = {
      servers: this.nodes.map((n) => ({ id: n.id, address: n.address, suffrage: "voter" as const })),
    };
    for (const n of this.nodes) await n.start(this.config, bootstrap);
  }

  async restart(n: BenchNode): Promise<void> {
    await n.bind();
    await n.start(this.config, undefined);
  }

  leader(not?: BenchNode): BenchNode | undefined {
    return this.nodes.find((n) => n !== not && n.node?.state() === "leader");
  }

  /** Polls every 1 ms, as the Go harness. */
  async waitLeader(not: BenchNode | undefined, timeoutMs: number): Promise<BenchNode> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const l = this.leader(not);
      if (l !== undefined) return l;
      if (performance.now() > deadline) throw new Error("no leader within timeout");
      await sleep(1);
    }
  }

  /** Applies one command on whichever node leads (other than `not`) until one succeeds. */
  async applyUntilOk(not: BenchNode | undefined, cmd: Uint8Array, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      const l = await this.waitLeader(not, deadline - performance.now());
      try {
        await l.node!.apply(cmd, { timeoutMs: Math.max(1, deadline - performance.now()) });
        return;
      } catch {
        await sleep(1);
      }
    }
    throw new Error("apply did not succeed within timeout");
  }

  /** Every running node has applied the leader's last index and knows a leader. */
  async waitCaughtUp(timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      const l = this.leader();
      if (l !== undefined) {
        const target = l.node!.stats().lastLogIndex;
        if (
          this.nodes.every(
            (n) => !n.up || (n.node!.appliedIndex() >= target && n.node!.leader() !== undefined),
          )
        ) {
          return true;
        }
      }
      await sleep(5);
    }
    return false;
  }

  async stop(): Promise<void> {
    for (const n of this.nodes) await n.stop();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
