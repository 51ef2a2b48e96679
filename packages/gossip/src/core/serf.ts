// The Serf layer as a deterministic state machine riding on the membership core through its
// Delegate: tags in node meta, member statuses (alive / leaving / left / failed) ordered by
// the member Lamport clock and join/leave intents, user events and queries with their own
// clocks and 512-slot rings, push/pull user state, reaping and reconnect. Time comes from
// tick(nowMs) and the injected clock; randomness from the injected Random.
import {
  decodeSerf,
  decodeTags,
  encodeSerf,
  encodeTags,
  type SerfMessage,
  type SerfPushPull,
  type UserEvents,
} from "../wire/serf-messages.js";
import { bytesToIp } from "./addr.js";
import { BroadcastQueue, retransmitLimit } from "./broadcast-queue.js";
import {
  CoordinateClient,
  decodeCoordinatePayload,
  encodeCoordinatePayload,
  type Coordinate,
} from "./coordinate.js";
import { LamportClock } from "./lamport.js";
import { SerfQueries } from "./serf-queries.js";
import { EventCoalescing, type CoalesceOptions } from "./coalesce.js";
import { CONFLICT_QUERY, decodeConflictResponse } from "./serf-conflict.js";
import { randomInt, type Random } from "./prng.js";
import {
  SerfError,
  type Member,
  type MemberEventType,
  type MemberStatus,
  type QueryHandle,
  type QueryOptions,
  type SerfEvent,
} from "./serf-types.js";
import type { Address, Delegate, NodeInfo } from "./types.js";

const RECENT_INTENT_MS = 5 * 60_000; // Serf's RecentIntentTimeout
const MAX_RECENT_INTENTS = 4096;

/** What Serf needs from the membership layer below it. */
export interface SerfHost {
  readonly name: string;
  advertiseAddress(): Address;
  sendUser(to: Address, payload: Uint8Array): void;
  reconnect(to: Address): void;
  updateMeta(): void;
  /** Members not dead or left, us included (memberlist's NumMembers; sizes query timeouts). */
  numMembers(): number;
  /** We lost a name-conflict vote: stop (Serf shuts down). */
  conflictLost?(): void;
  /**
   * A caller's operation (user event, query, intent) queued a broadcast: the membership layer
   * should wake for its next gossip round (an idle one sleeps through them).
   */
  broadcastQueued?(): void;
}

export interface SerfOptions extends CoalesceOptions {
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly retransmitMult: number;
  readonly retransmitFloor: number;
  readonly gossipIntervalMs: number;
  readonly queryTimeoutMult: number;
  readonly reapIntervalMs: number;
  readonly reconnectIntervalMs: number;
  readonly reconnectTimeoutMs: number;
  readonly tombstoneTimeoutMs: number;
  readonly eventBuffer: number;
  readonly userEventSizeLimit: number;
  readonly metaMaxBytes: number;
  /** Ignore events older than a joined peer's clock (Serf agent default: no replay). */
  readonly ignoreOldEvents: boolean;
}

interface MemberState {
  name: string;
  addr: Address;
  tags: Record<string, string>;
  status: MemberStatus;
  statusLTime: bigint;
  leaveTimeMs: number;
  vsn: readonly number[];
}

interface Intent {
  readonly type: "join" | "leave";
  readonly ltime: bigint;
  readonly atMs: number;
}

export class Serf implements Delegate {
  private readonly members = new Map<string, MemberState>();
  private readonly recentIntents = new Map<string, Intent>();
  readonly clock = new LamportClock();
  readonly eventClock = new LamportClock();
  readonly queryClock = new LamportClock();
  private eventMinTime = 0n;
  private readonly eventRing: (UserEvents | null)[];
  private readonly intents = new BroadcastQueue(1024);
  private readonly events = new BroadcastQueue(1024);
  private readonly queries = new BroadcastQueue(1024);
  private readonly queriesEngine: SerfQueries;
  private readonly coalescing: EventCoalescing;
  /** Every event goes through here: straight to the sink, or held by a coalescing window. */
  private readonly emit: (e: SerfEvent) => void;
  private host: SerfHost | null = null;
  private tags: Record<string, string>;
  private leaving = false;
  private nextReapMs: number;
  private nextReconnectMs: number;
  private now: number;
  private joinedOnce = false;
  /** Serf messages that failed to decode (counted, never thrown). */
  readonly stats = { droppedMessages: 0, conflictVotesWon: 0, conflictVotesLost: 0, coordinatesRejected: 0 };
  private resolvingConflict = false;
  /** Our Vivaldi coordinate, fed by direct probe RTTs and carried in our acks, as Serf does. */
  private readonly coords: CoordinateClient;
  /** The last coordinate each member sent in an ack (and ours), as Serf's coordinate cache. */
  private readonly coordCache = new Map<string, Coordinate>();

  constructor(
    private readonly opts: SerfOptions,
    private readonly rng: Random,
    startMs: number,
    sink: (e: SerfEvent) => void,
  ) {
    this.coords = new CoordinateClient(rng);
    this.coordCache.set(opts.name, this.coords.coordinate);
    this.coalescing = new EventCoalescing(opts, sink);
    this.emit = (e) => this.coalescing.push(e, this.now);
    this.tags = { ...opts.tags };
    this.eventRing = Array<UserEvents | null>(opts.eventBuffer).fill(null);
    this.queriesEngine = new SerfQueries(
      {
        name: opts.name,
        clock: this.queryClock,
        rng,
        now: () => this.now,
        tags: () => this.tags,
        advertiseAddress: () => this.self.advertiseAddress(),
        sendUser: (to, payload) => this.host?.sendUser(to, payload),
        relayCandidates: (not) =>
          [...this.members.values()]
            .filter((m) => m.status === "alive" && !not.includes(m.name) && (m.vsn[1] ?? 0) >= 5)
            .map((m) => m.addr),
        member: (name) => {
          const m = this.members.get(name);
          return m === undefined ? undefined : pub(m);
        },
        emit: (e) => this.emit(e),
      },
      opts.eventBuffer,
    );
    this.now = startMs;
    this.nextReapMs = startMs + opts.reapIntervalMs;
    this.nextReconnectMs = startMs + opts.reconnectIntervalMs;
    this.checkTags(this.tags);
  }

  attach(host: SerfHost): void {
    this.host = host;
  }

  private get self(): SerfHost {
    if (this.host === null) throw new SerfError("NOT_RUNNING", "serf is not attached to a membership layer");
    return this.host;
  }

  // ---- public API ---------------------------------------------------------------------

  memberList(): Member[] {
    return [...this.members.values()].map(pub);
  }

  localTags(): Readonly<Record<string, string>> {
    return this.tags;
  }

  private checkTags(tags: Record<string, string>): void {
    if (encodeTags(tags).length > this.opts.metaMaxBytes) {
      throw new SerfError("TAGS_TOO_LARGE", `encoded tags exceed ${this.opts.metaMaxBytes} bytes`);
    }
  }

  setTags(tags: Readonly<Record<string, string>>): void {
    const t = { ...tags };
    this.checkTags(t);
    this.tags = t;
    this.self.updateMeta();
  }

  /** Broadcasts a user event (name + payload at most userEventSizeLimit bytes). */
  userEvent(name: string, payload: Uint8Array, coalesce: boolean): bigint {
    const size = Buffer.byteLength(name) + payload.length;
    if (size > this.opts.userEventSizeLimit) {
      throw new SerfError(
        "EVENT_TOO_LARGE",
        `user event is ${size} bytes, limit ${this.opts.userEventSizeLimit}`,
      );
    }
    const ltime = this.eventClock.time();
    this.eventClock.increment();
    const msg = {
      type: "userEvent",
      ltime,
      name,
      payload: payload.length === 0 ? null : payload,
      cc: coalesce,
    } as const;
    this.handleUserEvent(msg);
    this.enqueue(this.events, encodeSerf(msg));
    return ltime;
  }

  /** Starts a query; responses and acks arrive on the returned handle until its deadline. */
  query(name: string, payload: Uint8Array, o: QueryOptions = {}): QueryHandle {
    const n = Math.max(1, this.self.numMembers());
    const timeoutMs =
      o.timeoutMs ?? this.opts.gossipIntervalMs * this.opts.queryTimeoutMult * Math.ceil(Math.log10(n + 1));
    const { handle, raw } = this.queriesEngine.start(name, payload, o, timeoutMs);
    this.enqueue(this.queries, raw);
    return handle;
  }

  /** First step of a graceful leave: the leave intent. `onSent` once it has been gossiped enough. */
  leaveIntent(onSent: () => void): void {
    this.leaving = true;
    const ltime = this.clock.time();
    this.clock.increment();
    const msg = { type: "leave", ltime, node: this.opts.name, prune: false } as const;
    this.handleLeaveIntent(msg);
    if (this.hasAliveMembers()) this.enqueue(this.intents, encodeSerf(msg), onSent);
    else onSent();
  }

  /**
   * Serf's RemoveFailedNode (`serf force-leave`, Nomad's `server force-leave`): a leave intent on
   * behalf of a failed member, so everyone moves it to left (it is then reaped after the
   * tombstone timeout instead of being retried for the reconnect timeout). With `prune` it is
   * forgotten at once. Returns false when the name is unknown. `onSent` once gossiped enough.
   */
  forceLeave(node: string, prune: boolean, onSent: () => void = () => undefined): boolean {
    if (!this.members.has(node)) return false;
    const ltime = this.clock.time();
    this.clock.increment();
    const msg = { type: "leave", ltime, node, prune } as const;
    this.handleLeaveIntent(msg);
    if (this.hasAliveMembers()) this.enqueue(this.intents, encodeSerf(msg), onSent);
    else onSent();
    return true;
  }

  /** After a successful memberlist join: tell everyone with a join intent (Serf's broadcastJoin). */
  joined(): void {
    this.joinedOnce = true;
    this.broadcastJoin(this.clock.time());
  }

  private broadcastJoin(ltime: bigint): void {
    const msg = { type: "join", ltime, node: this.opts.name } as const;
    this.clock.witness(ltime);
    this.handleJoinIntent(msg);
    this.enqueue(this.intents, encodeSerf(msg));
  }

  /** Queues one of our own broadcasts and tells the host, so an idle membership layer wakes. */
  private enqueue(queue: BroadcastQueue, msg: Uint8Array, onSent?: () => void): void {
    queue.queue(null, msg, onSent);
    this.host?.broadcastQueued?.();
  }

  private hasAliveMembers(): boolean {
    for (const m of this.members.values()) if (m.name !== this.opts.name && m.status === "alive") return true;
    return false;
  }

  // ---- time ---------------------------------------------------------------------------

  nextWakeMs(): number {
    return Math.min(
      this.nextReapMs,
      this.nextReconnectMs,
      this.queriesEngine.nextDeadlineMs(),
      this.coalescing.nextWakeMs(),
    );
  }

  tick(nowMs: number): void {
    this.now = Math.max(this.now, nowMs);
    this.queriesEngine.expire(this.now);
    if (this.now >= this.nextReapMs) {
      this.nextReapMs = this.now + this.opts.reapIntervalMs;
      this.reap();
    }
    if (this.now >= this.nextReconnectMs) {
      this.nextReconnectMs = this.now + this.opts.reconnectIntervalMs;
      this.reconnect();
    }
    this.coalescing.tick(this.now);
  }

  private reap(): void {
    for (const [name, m] of [...this.members]) {
      const timeout =
        m.status === "failed"
          ? this.opts.reconnectTimeoutMs
          : m.status === "left"
            ? this.opts.tombstoneTimeoutMs
            : -1;
      if (timeout < 0 || this.now - m.leaveTimeMs <= timeout) continue;
      this.members.delete(name);
      this.coords.forget(name);
      this.coordCache.delete(name);
      this.emitMembers("member-reap", m);
    }
    for (const [name, i] of [...this.recentIntents])
      if (this.now - i.atMs > RECENT_INTENT_MS) this.recentIntents.delete(name);
  }

  private reconnect(): void {
    const failed = [...this.members.values()].filter((m) => m.status === "failed");
    if (failed.length === 0 || this.host === null) return;
    // Serf's probability: failed / alive, so large healthy clusters do not storm the failed.
    const alive = Math.max(
      1,
      [...this.members.values()].filter((m) => m.status === "alive" || m.status === "leaving").length,
    );
    if (this.rng.next() > failed.length / alive) return;
    const m = failed[randomInt(this.rng, failed.length)] as MemberState;
    this.host.reconnect(m.addr);
  }

  // ---- memberlist delegate ------------------------------------------------------------

  nodeMeta(): Uint8Array {
    return encodeTags(this.tags);
  }

  ackPayload(): Uint8Array {
    return encodeCoordinatePayload(this.coords.coordinate);
  }

  /** A direct probe was acked after `rttMs`: move our coordinate with the peer's (Serf's ping delegate). */
  notifyPingComplete(n: NodeInfo, rttMs: number, payload: Uint8Array | null): void {
    let other: Coordinate | null;
    try {
      other = decodeCoordinatePayload(payload);
    } catch {
      this.stats.droppedMessages++;
      return;
    }
    if (other === null) return; // a peer without Serf sends no coordinate
    try {
      this.coords.update(n.name, other, rttMs);
    } catch {
      this.stats.coordinatesRejected++; // wrong dimension, NaN, absurd RTT: Serf rejects it too
      return;
    }
    this.coordCache.set(n.name, other);
    this.coordCache.set(this.opts.name, this.coords.coordinate);
  }

  /** Our network coordinate. */
  coordinate(): Coordinate {
    return this.coords.coordinate;
  }

  /** The last coordinate `name` sent us (ours for our own name); undefined when none yet. */
  memberCoordinate(name: string): Coordinate | undefined {
    return this.coordCache.get(name);
  }

  /** Estimated RTT to `name` from the coordinates, ms; undefined when we have no coordinate for it. */
  estimatedRttMs(name: string): number | undefined {
    const c = this.coordCache.get(name);
    return c === undefined ? undefined : this.coords.distanceToMs(c);
  }

  notifyJoin(n: NodeInfo): void {
    let m = this.members.get(n.name);
    if (m === undefined) {
      m = {
        name: n.name,
        addr: n.addr,
        tags: safeTags(n.meta),
        status: "alive",
        statusLTime: 0n,
        leaveTimeMs: 0,
        vsn: n.vsn,
      };
      const intent = this.recentIntents.get(n.name);
      if (intent !== undefined) {
        m.statusLTime = intent.ltime;
        if (intent.type === "leave") m.status = "leaving";
        this.recentIntents.delete(n.name);
      }
      this.members.set(n.name, m);
    } else {
      m.status = "alive";
      m.leaveTimeMs = 0;
      m.addr = n.addr;
      m.tags = safeTags(n.meta);
      m.vsn = n.vsn;
    }
    this.emitMembers("member-join", m);
  }

  /**
   * Serf's name-conflict resolution: when someone claims our name from another address, ask
   * everyone (`_serf_conflict`) which address they know; keep the name on a strict majority
   * of answers naming ours, otherwise stop. Conflicts about other names are only counted.
   */
  notifyConflict(existing: NodeInfo, _otherAddr: Address): void {
    if (existing.name !== this.opts.name || this.resolvingConflict || this.host === null) return;
    this.resolvingConflict = true;
    const me = this.host.advertiseAddress();
    const h = this.query(CONFLICT_QUERY, new TextEncoder().encode(this.opts.name));
    h.onFinish = () => {
      this.resolvingConflict = false;
      let responses = 0;
      let matching = 0;
      for (const r of h.responses.values()) {
        let m: Member | null;
        try {
          m = decodeConflictResponse(r);
        } catch {
          continue; // Serf skips undecodable answers too
        }
        responses++;
        if (m !== null && m.addr.host === me.host && m.addr.port === me.port) matching++;
      }
      if (matching >= Math.floor(responses / 2) + 1) this.stats.conflictVotesWon++;
      else {
        this.stats.conflictVotesLost++;
        this.host?.conflictLost?.();
      }
    };
  }

  notifyLeave(n: NodeInfo): void {
    const m = this.members.get(n.name);
    if (m === undefined) return;
    if (m.status === "leaving" || n.state === "left") {
      // memberlist's dead-from-self is a graceful leave even if the intent was lost.
      m.status = "left";
    } else if (m.status === "alive") m.status = "failed";
    else return;
    m.leaveTimeMs = this.now;
    this.emitMembers(m.status === "left" ? "member-leave" : "member-failed", m);
  }

  notifyUpdate(n: NodeInfo): void {
    const m = this.members.get(n.name);
    if (m === undefined) return;
    m.addr = n.addr;
    m.tags = safeTags(n.meta);
    m.vsn = n.vsn;
    this.emitMembers("member-update", m);
  }

  notifyMsg(payload: Uint8Array): void {
    let msg: SerfMessage;
    try {
      msg = decodeSerf(payload);
    } catch {
      this.stats.droppedMessages++; // hostile or unknown Serf message
      return;
    }
    let rebroadcast = false;
    let queue = this.intents;
    switch (msg.type) {
      case "leave":
        rebroadcast = this.handleLeaveIntent(msg);
        break;
      case "join":
        rebroadcast = this.handleJoinIntent(msg);
        break;
      case "userEvent":
        rebroadcast = this.handleUserEvent(msg);
        queue = this.events;
        break;
      case "query":
        rebroadcast = this.queriesEngine.handle(msg);
        queue = this.queries;
        break;
      case "queryResponse":
        this.queriesEngine.response(msg.ltime, msg.id, msg.from, msg.flags, msg.payload);
        break;
      case "relay":
        this.host?.sendUser({ host: bytesToIp(msg.destAddr), port: msg.destPort }, msg.inner);
        break;
      default:
        break;
    }
    if (rebroadcast) queue.queue(null, Uint8Array.from(payload));
  }

  hasBroadcasts(): boolean {
    return this.intents.length > 0 || this.queries.length > 0 || this.events.length > 0;
  }

  getBroadcasts(overhead: number, limit: number): Uint8Array[] {
    const tl = retransmitLimit(this.opts.retransmitMult, this.members.size, this.opts.retransmitFloor);
    const out = this.intents.take(overhead, limit, tl);
    let used = out.reduce((s, m) => s + m.length + overhead, 0);
    for (const q of [this.queries, this.events]) {
      const more = q.take(overhead, limit - used, tl);
      used += more.reduce((s, m) => s + m.length + overhead, 0);
      out.push(...more);
    }
    return out;
  }

  localState(): Uint8Array {
    const statusLTimes = new Map<string, bigint>();
    const left: string[] = [];
    for (const m of this.members.values()) {
      statusLTimes.set(m.name, m.statusLTime);
      if (m.status === "left") left.push(m.name);
    }
    const pp: SerfPushPull = {
      type: "pushPull",
      ltime: this.clock.time(),
      statusLTimes,
      leftMembers: left,
      eventLTime: this.eventClock.time(),
      events: this.eventRing,
      queryLTime: this.queryClock.time(),
    };
    return encodeSerf(pp);
  }

  mergeRemoteState(buf: Uint8Array, join: boolean): void {
    let pp: SerfMessage;
    try {
      pp = decodeSerf(buf);
    } catch {
      this.stats.droppedMessages++;
      return;
    }
    if (pp.type !== "pushPull") return;
    // No message at the sender's current time exists yet, hence the - 1.
    if (pp.ltime > 0n) this.clock.witness(pp.ltime - 1n);
    if (pp.eventLTime > 0n) this.eventClock.witness(pp.eventLTime - 1n);
    if (pp.queryLTime > 0n) this.queryClock.witness(pp.queryLTime - 1n);
    const left = new Set(pp.leftMembers);
    for (const name of left) {
      this.handleLeaveIntent({ ltime: (pp.statusLTimes.get(name) ?? 0n) + 1n, node: name });
    }
    for (const [name, lt] of pp.statusLTimes)
      if (!left.has(name)) this.handleJoinIntent({ ltime: lt, node: name });
    if (join && this.opts.ignoreOldEvents && !this.joinedOnce && pp.eventLTime > this.eventMinTime) {
      this.eventMinTime = pp.eventLTime;
    }
    for (const e of pp.events) {
      if (e === null) continue;
      for (const ev of e.events)
        this.handleUserEvent({ ltime: e.ltime, name: ev.name, payload: ev.payload, cc: false });
    }
  }

  // ---- message handlers (return: re-gossip?) ------------------------------------------

  private upsertIntent(node: string, type: Intent["type"], ltime: bigint): boolean {
    const prev = this.recentIntents.get(node);
    if (prev !== undefined && prev.ltime >= ltime) return false;
    this.recentIntents.set(node, { type, ltime, atMs: this.now });
    // Bounded: intents about unknown names must not let a peer grow our memory.
    if (this.recentIntents.size > MAX_RECENT_INTENTS) {
      const oldest = this.recentIntents.keys().next().value;
      if (oldest !== undefined) this.recentIntents.delete(oldest);
    }
    return true;
  }

  private handleJoinIntent(j: { ltime: bigint; node: string }): boolean {
    this.clock.witness(j.ltime);
    const m = this.members.get(j.node);
    if (m === undefined) return this.upsertIntent(j.node, "join", j.ltime);
    if (j.ltime <= m.statusLTime) return false;
    m.statusLTime = j.ltime;
    if (m.status === "leaving") m.status = "alive";
    return true;
  }

  private handleLeaveIntent(l: { ltime: bigint; node: string; prune?: boolean }): boolean {
    this.clock.witness(l.ltime);
    const m = this.members.get(l.node);
    if (m === undefined) return this.upsertIntent(l.node, "leave", l.ltime);
    if (l.ltime <= m.statusLTime) return false;
    if (l.prune === true && (m.status === "failed" || m.status === "left")) {
      // force-leave -prune: forget the member now rather than after the tombstone timeout.
      if (m.status === "failed") {
        m.status = "left";
        m.statusLTime = l.ltime;
        this.emitMembers("member-leave", m);
      }
      this.members.delete(l.node);
      this.coords.forget(l.node);
      this.coordCache.delete(l.node);
      this.emitMembers("member-reap", m);
      return true;
    }
    if (l.node === this.opts.name && !this.leaving) {
      // An old leave intent about us while we are alive: refute with a fresh join intent.
      this.broadcastJoin(this.clock.time());
      return false;
    }
    switch (m.status) {
      case "alive":
        m.status = "leaving";
        m.statusLTime = l.ltime;
        return true;
      case "failed":
        // The intent arrived after the failure was noticed: it was a leave after all.
        m.status = "left";
        m.statusLTime = l.ltime;
        this.emitMembers("member-leave", m);
        return true;
      default:
        return true;
    }
  }

  private handleUserEvent(e: {
    ltime: bigint;
    name: string;
    payload: Uint8Array | null;
    cc: boolean;
  }): boolean {
    this.eventClock.witness(e.ltime);
    if (e.ltime < this.eventMinTime) return false;
    const size = BigInt(this.eventRing.length);
    const cur = this.eventClock.time();
    if (cur > size && e.ltime < cur - size) return false;
    const idx = Number(e.ltime % size);
    let slot = this.eventRing[idx] ?? null;
    const payload = e.payload ?? new Uint8Array(0);
    if (slot !== null && slot.ltime === e.ltime) {
      if (slot.events.some((x) => x.name === e.name && bytesEq(x.payload ?? new Uint8Array(0), payload)))
        return false;
    } else {
      slot = { ltime: e.ltime, events: [] };
      this.eventRing[idx] = slot;
    }
    (slot.events as { name: string; payload: Uint8Array | null }[]).push({
      name: e.name,
      payload: e.payload,
    });
    this.emit({ type: "user", name: e.name, payload, ltime: e.ltime, coalesce: e.cc });
    return true;
  }

  private emitMembers(type: MemberEventType, m: MemberState): void {
    this.emit({ type, members: [pub(m)] });
  }
}

function pub(m: MemberState): Member {
  return { name: m.name, addr: m.addr, tags: { ...m.tags }, status: m.status, vsn: m.vsn };
}

function safeTags(meta: Uint8Array | null): Record<string, string> {
  try {
    return { ...decodeTags(meta) };
  } catch {
    return {};
  }
}

function bytesEq(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
