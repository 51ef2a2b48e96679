// The membership table and its merge rules (memberlist's aliveNode / suspectNode / deadNode
// / refute and the push/pull merge): what a node believes about every member and how
// incoming claims change it. Memberlist (memberlist.ts) adds probing, gossip and streams.
import { encodeMessage } from "../wire/messages.js";
import type { Alive, Dead, PushNodeState, Suspect } from "../wire/types.js";
import { bytesToIp, ipToBytes } from "./addr.js";
import { BroadcastQueue } from "./broadcast-queue.js";
import type { CoreConfig } from "./config.js";
import { versionsCompatible } from "./memberlist-helpers.js";
import type { MemberIds } from "./member-table.js";
import {
  ALIVE,
  DEAD,
  IdVector,
  LEFT,
  MemberTable,
  SUSPECT,
  bytesEqual,
  type Identity,
} from "./member-table.js";
import { randomInt, type Random } from "./prng.js";
import { Awareness, Suspicion, suspicionTimeoutMs } from "./suspicion.js";
import type { Address, CoreStats, Delegate, NodeInfo } from "./types.js";

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
  protected readonly nodes: MemberTable;
  /** Member ids in probe order (shuffled each pass; new members inserted at random). */
  protected readonly probeOrder = new IdVector();
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
    ids?: MemberIds,
  ) {
    this.nodes = new MemberTable(ids);
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
    const out: NodeInfo[] = [];
    this.nodes.forEach((id) => out.push(this.nodes.info(id)));
    return out;
  }
  member(name: string): NodeInfo | undefined {
    const id = this.nodes.idOf(name);
    return id < 0 ? undefined : this.nodes.info(id);
  }
  /** The state we hold for `name` (cheaper than member(name) when only that is needed). */
  stateOf(name: string): NodeInfo["state"] | undefined {
    const id = this.nodes.idOf(name);
    return id < 0 ? undefined : this.nodes.stateName(id);
  }
  /** Members held alive or suspect, ourselves included. */
  numAlive(): number {
    return this.nodes.up;
  }

  protected localMeta(): Uint8Array | null {
    const m = this.delegate.nodeMeta?.(this.config.metaMaxBytes) ?? null;
    if (m !== null && m.length > this.config.metaMaxBytes)
      throw new RangeError("node meta exceeds metaMaxBytes");
    return m;
  }

  /** The distinct version vectors of the members we hold alive (for the push/pull check). */
  private aliveVersions(): (readonly number[])[] {
    const seen = new Set<readonly number[]>();
    this.nodes.forEach((id) => {
      if (this.nodes.state(id) === ALIVE) seen.add(this.nodes.identity(id).vsn);
    });
    return [...seen];
  }

  protected mergeRemote(nodes: readonly PushNodeState[], userState: Uint8Array, join: boolean): void {
    if (!versionsCompatible(nodes, this.aliveVersions())) {
      this.stats.droppedMessages++;
      return;
    }
    for (const r of nodes) {
      const state = r.state === ALIVE || r.state === SUSPECT || r.state === LEFT ? r.state : DEAD;
      if (state === ALIVE) {
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
      } else if (state === LEFT) {
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
    const t = this.nodes;
    let id = t.idOf(a.node);
    // Fast path for the common stale copy (push/pull merges re-send every node).
    if (id >= 0 && !isLocal && a.incarnation <= t.incarnation(id)) {
      const known = t.identity(id);
      if (a.port === known.addr.port && bytesEqual(a.addr, known.addrBytes)) return;
    }
    const vsn = vsnArray(a.vsn);
    if (vsn.length >= 3) {
      const [pmin = 0, pmax = 0] = vsn;
      if (pmin === 0 || pmax === 0 || pmin > pmax) return;
    }
    const addr = addressOf(a.addr, a.port);
    let updatesAddr = false;
    if (id < 0) {
      id = t.add(a.node, this.now, (newId) => this.identityFor(newId, a, addr, vsn));
      // Insert at a random place in the probe order, so new nodes are probed promptly.
      // O(1): append, then swap with a random slot (a splice would make big joins cubic).
      const order = this.probeOrder;
      order.push(id);
      order.swap(randomInt(this.rng, order.length), order.length - 1);
    } else {
      const old = t.identity(id).addr;
      if (old.host !== addr.host || old.port !== addr.port) {
        // Same name, new address: allowed only once the old owner left, or has been dead long enough.
        const state = t.state(id);
        const canReclaim =
          state === LEFT ||
          (state === DEAD &&
            this.config.deadNodeReclaimMs > 0 &&
            this.now - t.stateChangeMs(id) > this.config.deadNodeReclaimMs);
        if (!canReclaim) {
          this.stats.droppedMessages++;
          this.delegate.notifyConflict?.(t.info(id), addr);
          return;
        }
        updatesAddr = true;
      }
    }
    if (a.incarnation <= t.incarnation(id) && !isLocal && !updatesAddr) return;
    if (a.incarnation < t.incarnation(id) && isLocal) return;
    this.suspicions.delete(a.node);
    const wasDown = t.state(id) === DEAD || t.state(id) === LEFT;
    const oldMeta = t.identity(id).meta;
    if (isLocal && !bootstrap) {
      // Someone gossips about us: an identical copy is harmless; anything else is refuted.
      if (a.incarnation === t.incarnation(id) && bytesEqual(a.meta, oldMeta) && t.state(id) === ALIVE) return;
      this.refute(id, a.incarnation);
      return;
    }
    this.broadcast(a.node, encodeMessage(a));
    t.setIncarnation(id, a.incarnation);
    t.setIdentity(id, this.identityFor(id, a, addr, vsn));
    if (t.state(id) !== ALIVE) t.setState(id, ALIVE, this.now);
    if (wasDown) this.delegate.notifyJoin?.(t.info(id));
    else if (!bytesEqual(oldMeta, a.meta)) this.delegate.notifyUpdate?.(t.info(id));
  }

  private identityFor(id: number, a: Alive, addr: Address, vsn: readonly number[]): Identity {
    return this.nodes.ids.identity(id, a.node, addr, a.addr, a.meta, vsn, a.vsn);
  }

  protected refute(me: number, accused: number): void {
    this.stats.refutes++;
    this.incarnation = Math.max(this.incarnation, accused) + 1;
    const t = this.nodes;
    t.setIncarnation(me, this.incarnation);
    const was = t.identity(me);
    const meta = this.localMeta();
    t.setIdentity(me, t.ids.identity(me, was.name, was.addr, was.addrBytes, meta, was.vsn, was.vsnBytes));
    // Being accused means others could not reach us in time: be more patient ourselves.
    this.awareness.apply(1);
    this.broadcast(
      was.name,
      encodeMessage({
        type: "alive",
        incarnation: this.incarnation,
        node: was.name,
        addr: this.advertiseBytes,
        port: this.advertise.port,
        meta,
        vsn: Uint8Array.from(this.config.vsn),
      }),
    );
  }

  protected suspectNode(s: Suspect): void {
    const t = this.nodes;
    const id = t.idOf(s.node);
    if (id < 0 || s.incarnation < t.incarnation(id)) return;
    const existing = this.suspicions.get(s.node);
    if (existing !== undefined) {
      if (existing.confirm(s.from)) this.broadcast(s.node, encodeMessage(s));
      return;
    }
    if (t.state(id) !== ALIVE) return;
    if (s.node === this.config.name) {
      this.refute(id, s.incarnation);
      return;
    }
    this.stats.suspicions++;
    this.broadcast(s.node, encodeMessage(s));
    t.setIncarnation(id, s.incarnation);
    t.setState(id, SUSPECT, this.now);
    const count = t.size;
    let k = this.config.suspicionMult - 2;
    if (count - 2 < k) k = 0;
    const minMs = suspicionTimeoutMs(this.config.suspicionMult, count, this.config.probeIntervalMs);
    const maxMs = this.config.suspicionMaxTimeoutMult * minMs;
    this.suspicions.set(s.node, new Suspicion(s.from, k, minMs, maxMs, this.now));
  }

  protected deadNode(d: Dead, onFinished?: () => void): void {
    const t = this.nodes;
    const id = t.idOf(d.node);
    if (id < 0 || d.incarnation < t.incarnation(id)) return;
    this.suspicions.delete(d.node);
    if (t.state(id) === DEAD || t.state(id) === LEFT) return;
    if (d.node === this.config.name && !this.leaving) {
      this.refute(id, d.incarnation);
      return;
    }
    this.broadcast(d.node, encodeMessage(d), onFinished);
    t.setIncarnation(id, d.incarnation);
    t.setState(id, d.node === d.from ? LEFT : DEAD, this.now);
    this.delegate.notifyLeave?.(t.info(id));
  }
}
