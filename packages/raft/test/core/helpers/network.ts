// A tiny deterministic network of RaftCores for spec tests: messages queue in FIFO order and are
// delivered by `settle()`, links can be cut one way or both, and nodes can crash and restart from
// what they persisted. No randomness besides each node's seeded election jitter.
import type { Configuration, NodeId } from "../../../src/core/types.js";
import type { Message } from "../../../src/core/messages.js";
import { TestNode, type ConfigOverrides } from "./test-node.js";

export class Network {
  readonly nodes = new Map<NodeId, TestNode>();
  queue: Message[] = [];
  private readonly cut = new Set<string>();
  private readonly down = new Set<NodeId>();
  /** Whether to keep every delivered message in `delivered` (off for long runs). */
  record = true;
  /** Every message delivered, for assertions on traffic. */
  delivered: Message[] = [];
  /** When set, returns false for messages to drop. */
  filter: ((m: Message) => boolean) | undefined;

  constructor(ids: NodeId[], overrides: ConfigOverrides = {}, seed = 1) {
    ids.forEach((id, i) => this.nodes.set(id, new TestNode(id, seed * 1000 + i, overrides)));
  }

  static bootstrapped(ids: NodeId[], overrides: ConfigOverrides = {}, seed = 1): Network {
    const net = new Network(ids, overrides, seed);
    const configuration: Configuration = {
      servers: ids.map((id) => ({ id, address: `${id}:7000`, suffrage: "voter" as const })),
    };
    for (const n of net.nodes.values()) n.core.bootstrap(configuration);
    net.settle();
    return net;
  }

  node(id: NodeId): TestNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  add(id: NodeId, overrides: ConfigOverrides = {}, seed = 99): TestNode {
    const n = new TestNode(id, seed, overrides);
    this.nodes.set(id, n);
    return n;
  }

  /** Collects every node's Ready and queues its messages. */
  flush(): void {
    for (const n of this.nodes.values()) {
      if (this.down.has(n.id)) continue;
      while (n.core.hasReady()) {
        for (const m of n.handleReady()) this.queue.push(m);
      }
    }
  }

  /** Delivers queued messages (and those they cause) until the network is quiet. */
  settle(maxMessages = 100_000): void {
    this.flush();
    let count = 0;
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      for (const m of batch) {
        if (++count > maxMessages) throw new Error("network did not settle");
        this.deliver(m);
      }
      this.flush();
    }
  }

  deliver(m: Message): void {
    if (this.down.has(m.to) || this.cut.has(`${m.from}>${m.to}`)) return;
    if (this.filter && !this.filter(m)) return;
    const to = this.nodes.get(m.to);
    if (!to) return;
    if (this.record) this.delivered.push(m);
    to.core.step(m);
  }

  /** Ticks every live node `n` times, settling the network after each tick. */
  tick(n = 1, only?: NodeId[]): void {
    for (let i = 0; i < n; i++) {
      for (const node of this.nodes.values()) {
        if (this.down.has(node.id) || (only && !only.includes(node.id))) continue;
        node.core.tick();
      }
      this.settle();
    }
  }

  /** Ticks until some node leads (and the network settled), or throws. */
  elect(maxTicks = 200): TestNode {
    for (let i = 0; i < maxTicks; i++) {
      const leader = this.leader();
      if (leader) return leader;
      this.tick();
    }
    throw new Error("no leader elected");
  }

  leader(): TestNode | undefined {
    const leaders = [...this.nodes.values()].filter(
      (n) => !this.down.has(n.id) && n.core.status().role === "leader",
    );
    return leaders.sort((a, b) => b.core.status().term - a.core.status().term)[0];
  }

  /** Cuts both directions between `a` and every node in `others`. */
  partition(a: NodeId[], b: NodeId[]): void {
    for (const x of a) for (const y of b) this.cutLink(x, y, true);
  }

  isolate(id: NodeId): void {
    this.partition(
      [id],
      [...this.nodes.keys()].filter((x) => x !== id),
    );
  }

  cutLink(from: NodeId, to: NodeId, both = false): void {
    this.cut.add(`${from}>${to}`);
    if (both) this.cut.add(`${to}>${from}`);
  }

  heal(): void {
    this.cut.clear();
  }

  crash(id: NodeId): void {
    this.down.add(id);
    this.queue = this.queue.filter((m) => m.to !== id && m.from !== id);
  }

  restart(id: NodeId): void {
    this.down.delete(id);
    this.node(id).start();
  }

  propose(command: string): { index: number; term: number } {
    const leader = this.leader();
    if (!leader) throw new Error("no leader");
    const r = leader.core.propose(new TextEncoder().encode(command));
    if (!r.ok) throw new Error(`propose failed: ${r.code}`);
    this.settle();
    return r;
  }
}
