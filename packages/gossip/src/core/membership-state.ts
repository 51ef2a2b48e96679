// The membership table and its merge rules (memberlist's aliveNode / suspectNode / deadNode
// / refute and the push/pull merge): what a node believes about every member and how
// incoming claims change it. Memberlist (memberlist.ts) adds probing, gossip and streams.
import { encodeMessage } from "../wire/messages.js";
import type { Alive, Dead, PushNodeState, Suspect } from "../wire/types.js";
import { bytesToIp, ipToBytes } from "./addr.js";
import { BroadcastQueue } from "./broadcast-queue.js";
import type { CoreConfig } from "./config.js";
import { bytesEqual, info, versionsCompatible, type NodeRecord } from "./memberlist-helpers.js";
import { randomInt, type Random } from "./prng.js";
import { Awareness, Suspicion, suspicionTimeoutMs } from "./suspicion.js";
import type { Address, CoreStats, Delegate, NodeInfo, NodeStateName } from "./types.js";

const STATE_NAME: readonly NodeStateName[] = ["alive", "suspect", "dead", "left"];

/** The usual version vector, shared by every record that has it (a big table holds N of them). */
const COMMON_VSN: readonly number[] = Object.freeze([1, 5, 2, 2, 5, 5]);

function vsnArray(v: Uint8Array): number[] {
  if (v.length === 6 && v.every((x, i) => x === COMMON_VSN[i])) return COMMON_VSN as number[];
  return [...v];
}

/**
 * Address objects (immutable) shared by every record built from the same address bytes: in
 * an in-process simulation thousands of members hold a record for each member, and the
 * bytes object travels with the gossip, so one Address (and host string) serves them all.
 */
const addresses = new WeakMap<Uint8Array, Address>();

function addressOf(bytes: Uint8Array, port: number): Address {
  const known = addresses.get(bytes);
  if (known !== undefined && known.port === port) return known;
  const a: Address = { host: bytesToIp(bytes), port };
  addresses.set(bytes, a);
  return a;
}

export abstract class MembershipState {
  protected readonly nodes = new Map<string, NodeRecord>();
  protected probeOrder: string[] = [];
  protected incarnation = 0;
  protected readonly suspicions = new Map<string, Suspicion>();
  protected readonly queue: BroadcastQueue;
  protected readonly awareness: Awareness;
  protected leaving = false;
  protected now: number;
  /** advertise.host as wire bytes (never mutated; shared by the messages we build). */
  protected readonly advertiseBytes: Uint8Array;
  readonly stats: CoreStats = {
    probes: 0,
    probeFailures: 0,
    indirectProbes: 0,
    tcpFallbackProbes: 0,
    suspicions: 0,
    refutes: 0,
    pushPulls: 0,
    packetsOut: 0,
    droppedMessages: 0,
  };

  constructor(
    protected readonly config: CoreConfig,
    protected readonly advertise: Address,
    protected readonly rng: Random,
    startMs: number,
    protected readonly delegate: Delegate,
  ) {
    this.now = startMs;
    this.advertiseBytes = ipToBytes(advertise.host);
    this.queue = new BroadcastQueue(config.broadcastQueueMax);
    this.awareness = new Awareness(config.awarenessMaxMultiplier);
  }

  get name(): string {
    return this.config.name;
  }
  get localIncarnation(): number {
    return this.incarnation;
  }
  get healthScore(): number {
    return this.awareness.score;
  }
  get pendingBroadcasts(): number {
    return this.queue.length;
  }

  members(): NodeInfo[] {
    return [...this.nodes.values()].map(info);
  }
  member(name: string): NodeInfo | undefined {
    const n = this.nodes.get(name);
    return n === undefined ? undefined : info(n);
  }
  numAlive(): number {
    let n = 0;
    for (const x of this.nodes.values()) if (x.state === "alive" || x.state === "suspect") n++;
    return n;
  }

  protected localMeta(): Uint8Array | null {
    const m = this.delegate.nodeMeta?.(this.config.metaMaxBytes) ?? null;
    if (m !== null && m.length > this.config.metaMaxBytes)
      throw new RangeError("node meta exceeds metaMaxBytes");
    return m;
  }

  protected mergeRemote(nodes: readonly PushNodeState[], userState: Uint8Array, join: boolean): void {
    if (!versionsCompatible(nodes, this.nodes.values())) {
      this.stats.droppedMessages++;
      return;
    }
    for (const r of nodes) {
      const state = STATE_NAME[r.state] ?? "dead";
      if (state === "alive") {
        this.aliveNode(
          {
            type: "alive",
            incarnation: r.incarnation,
            node: r.name,
            addr: r.addr,
            port: r.port,
            meta: r.meta,
            vsn: r.vsn,
          },
          false,
        );
      } else if (state === "left") {
        this.deadNode({ type: "dead", incarnation: r.incarnation, node: r.name, from: r.name });
      } else {
        // A remote "dead" is only a suspicion here: let the node refute it (memberlist's rule).
        this.suspectNode({
          type: "suspect",
          incarnation: r.incarnation,
          node: r.name,
          from: this.config.name,
        });
      }
    }
    if (userState.length > 0) this.delegate.mergeRemoteState?.(userState, join);
  }

  // ---- state merge (alive / suspect / dead) --------------------------------------------

  protected broadcast(key: string, msg: Uint8Array, onFinished?: () => void): void {
    this.queue.queue(key, msg, onFinished);
  }

  protected aliveNode(a: Alive, bootstrap: boolean): void {
    const isLocal = a.node === this.config.name;
    if (this.leaving && isLocal) return;
    const known = this.nodes.get(a.node);
    // Fast path for the common stale copy (push/pull merges re-send every node).
    if (
      known !== undefined &&
      !isLocal &&
      a.incarnation <= known.incarnation &&
      a.port === known.addr.port &&
      bytesEqual(a.addr, known.addrBytes)
    ) {
      return;
    }
    const vsn = vsnArray(a.vsn);
    if (vsn.length >= 3) {
      const [pmin = 0, pmax = 0] = vsn;
      if (pmin === 0 || pmax === 0 || pmin > pmax) return;
    }
    const addr = addressOf(a.addr, a.port);
    let n = known;
    let updatesAddr = false;
    if (n === undefined) {
      n = {
        name: a.node,
        addr,
        addrBytes: a.addr,
        meta: a.meta,
        incarnation: 0,
        state: "dead",
        vsn,
        vsnBytes: a.vsn,
        stateChangeMs: this.now,
      };
      this.nodes.set(a.node, n);
      // Insert at a random place in the probe order, so new nodes are probed promptly.
      // O(1): append, then swap with a random slot (a splice would make big joins cubic).
      const order = this.probeOrder;
      order.push(a.node);
      const j = randomInt(this.rng, order.length);
      const last = order.length - 1;
      [order[j], order[last]] = [order[last] as string, order[j] as string];
    } else if (n.addr.host !== addr.host || n.addr.port !== addr.port) {
      // Same name, new address: allowed only once the old owner left, or has been dead long enough.
      const canReclaim =
        n.state === "left" ||
        (n.state === "dead" &&
          this.config.deadNodeReclaimMs > 0 &&
          this.now - n.stateChangeMs > this.config.deadNodeReclaimMs);
      if (!canReclaim) {
        this.stats.droppedMessages++;
        this.delegate.notifyConflict?.(info(n), addr);
        return;
      }
      updatesAddr = true;
    }
    if (a.incarnation <= n.incarnation && !isLocal && !updatesAddr) return;
    if (a.incarnation < n.incarnation && isLocal) return;
    this.suspicions.delete(a.node);
    const wasDown = n.state === "dead" || n.state === "left";
    const oldMeta = n.meta;
    if (isLocal && !bootstrap) {
      // Someone gossips about us: an identical copy is harmless; anything else is refuted.
      if (a.incarnation === n.incarnation && bytesEqual(a.meta, n.meta) && n.state === "alive") return;
      this.refute(n, a.incarnation);
      return;
    }
    this.broadcast(a.node, encodeMessage(a));
    n.incarnation = a.incarnation;
    n.meta = a.meta;
    n.addr = addr;
    n.addrBytes = a.addr;
    n.vsn = vsn;
    n.vsnBytes = a.vsn;
    if (n.state !== "alive") {
      n.state = "alive";
      n.stateChangeMs = this.now;
    }
    if (wasDown) this.delegate.notifyJoin?.(info(n));
    else if (!bytesEqual(oldMeta, a.meta)) this.delegate.notifyUpdate?.(info(n));
  }

  protected refute(me: NodeRecord, accused: number): void {
    this.stats.refutes++;
    this.incarnation = Math.max(this.incarnation, accused) + 1;
    me.incarnation = this.incarnation;
    me.meta = this.localMeta();
    // Being accused means others could not reach us in time: be more patient ourselves.
    this.awareness.apply(1);
    this.broadcast(
      me.name,
      encodeMessage({
        type: "alive",
        incarnation: me.incarnation,
        node: me.name,
        addr: this.advertiseBytes,
        port: this.advertise.port,
        meta: me.meta,
        vsn: Uint8Array.from(this.config.vsn),
      }),
    );
  }

  protected suspectNode(s: Suspect): void {
    const n = this.nodes.get(s.node);
    if (n === undefined || s.incarnation < n.incarnation) return;
    const existing = this.suspicions.get(s.node);
    if (existing !== undefined) {
      if (existing.confirm(s.from)) this.broadcast(s.node, encodeMessage(s));
      return;
    }
    if (n.state !== "alive") return;
    if (s.node === this.config.name) {
      this.refute(n, s.incarnation);
      return;
    }
    this.stats.suspicions++;
    this.broadcast(s.node, encodeMessage(s));
    n.incarnation = s.incarnation;
    n.state = "suspect";
    n.stateChangeMs = this.now;
    const count = this.nodes.size;
    let k = this.config.suspicionMult - 2;
    if (count - 2 < k) k = 0;
    const minMs = suspicionTimeoutMs(this.config.suspicionMult, count, this.config.probeIntervalMs);
    const maxMs = this.config.suspicionMaxTimeoutMult * minMs;
    this.suspicions.set(s.node, new Suspicion(s.from, k, minMs, maxMs, this.now));
  }

  protected deadNode(d: Dead, onFinished?: () => void): void {
    const n = this.nodes.get(d.node);
    if (n === undefined || d.incarnation < n.incarnation) return;
    this.suspicions.delete(d.node);
    if (n.state === "dead" || n.state === "left") return;
    if (d.node === this.config.name && !this.leaving) {
      this.refute(n, d.incarnation);
      return;
    }
    this.broadcast(d.node, encodeMessage(d), onFinished);
    n.incarnation = d.incarnation;
    n.state = d.node === d.from ? "left" : "dead";
    n.stateChangeMs = this.now;
    this.delegate.notifyLeave?.(info(n));
  }
}
