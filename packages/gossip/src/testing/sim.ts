// A seeded in-process network on a virtual clock: each member is a real Memberlist core,
// packets go through the real encode/decode pipeline, and one seed decides delays, loss,
// and every random choice inside the members. Faults: packet loss, delay, partitions,
// crash (kill). Streams (TCP) are reliable but cut by partitions and crashes.
import { coreConfig, resolveConfig, type GossipConfigInput, type Profile } from "../config.js";
import { MemberIds } from "../core/member-table.js";
import { Memberlist } from "../core/memberlist.js";
import { Serf } from "../core/serf.js";
import type { MemberStatus, SerfEvent } from "../core/serf-types.js";
import { SeededRandom, type Random } from "../core/prng.js";
import type { Address, Delegate, Effect, NodeInfo } from "../core/types.js";
import { enableMessageMemo, memoizedMessage } from "../wire/messages.js";
import { decodePacket, encodePacket, PLAIN } from "../wire/packet.js";
import type { PacketMessage } from "../wire/types.js";
import { encodeStream, parseStream } from "../wire/stream.js";
import { EventHeap } from "./heap.js";

export interface SimOptions {
  readonly seed: number;
  /** Probability that a UDP packet is lost. */
  readonly lossRate?: number;
  readonly minDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly profile?: Profile;
  readonly config?: Partial<GossipConfigInput>;
  /**
   * Encode and decode every packet and stream (exercises the wire). Default true. When
   * false, members hand each other the (immutable) message objects: each message is encoded
   * once, for its size in the packet budget, and never decoded (see enableMessageMemo).
   */
  readonly wire?: boolean;
  /** Record every membership event in `events` (default true; off for big benchmarks). */
  readonly recordEvents?: boolean;
}

export interface SimEvent {
  readonly atMs: number;
  readonly observer: string;
  readonly kind: "join" | "leave" | "update";
  readonly node: string;
  readonly state: NodeInfo["state"];
}

interface SimMember {
  readonly name: string;
  readonly addr: Address;
  readonly core: Memberlist;
  serf: Serf | null;
  alive: boolean;
  scheduledWake: number;
  group: number;
  /** Members this one holds as alive or suspect (joins minus leaves seen), for converged(). */
  up: number;
}

export class SimCluster {
  readonly members = new Map<string, SimMember>();
  /** host -> port -> member (no string built per packet to find its destination). */
  private readonly byAddr = new Map<string, Map<number, SimMember>>();
  private readonly heap = new EventHeap();
  private seq = 0;
  private nowMs = 0;
  private readonly rng: Random;
  readonly events: SimEvent[] = [];
  packetsSent = 0;
  packetsLost = 0;
  private nextPort = 10_000;
  /** One name registry for every member: their tables are columns over the same ids. */
  private readonly ids = new MemberIds(true);

  constructor(private readonly opts: SimOptions) {
    this.rng = new SeededRandom(opts.seed);
    if (opts.wire === false) enableMessageMemo();
  }

  get now(): number {
    return this.nowMs;
  }

  /** Adds a member (not yet joined). `delegate` hooks are wrapped to record events. */
  add(name: string, delegate: Delegate = {}): Memberlist {
    const cfg = coreConfig(resolveConfig({ name, ...this.opts.config }, this.opts.profile ?? "lan"));
    const addr: Address = { host: "10.0.0.1", port: this.nextPort++ };
    const recordAll = this.opts.recordEvents ?? true;
    const self: { m?: SimMember } = {}; // set once the core exists
    const record = (kind: SimEvent["kind"]) => (n: NodeInfo) => {
      if (self.m !== undefined && kind !== "update") self.m.up += kind === "join" ? 1 : -1;
      if (recordAll)
        this.events.push({ atMs: this.nowMs, observer: name, kind, node: n.name, state: n.state });
    };
    // Bind explicitly: a class delegate (Serf) keeps its methods on the prototype.
    const wrapped: Delegate = {
      nodeMeta: (limit) => delegate.nodeMeta?.(limit) ?? null,
      notifyMsg: (p) => delegate.notifyMsg?.(p),
      getBroadcasts: (o, l) => delegate.getBroadcasts?.(o, l) ?? [],
      // a delegate without hasBroadcasts may have some; one without getBroadcasts has none
      hasBroadcasts: () => delegate.hasBroadcasts?.() ?? delegate.getBroadcasts !== undefined,
      localState: (j) => delegate.localState?.(j) ?? new Uint8Array(0),
      mergeRemoteState: (b, j) => delegate.mergeRemoteState?.(b, j),
      ackPayload: () => delegate.ackPayload?.() ?? null,
      notifyPingComplete: (n, rtt, p) => delegate.notifyPingComplete?.(n, rtt, p),
      notifyJoin: (n) => {
        record("join")(n);
        delegate.notifyJoin?.(n);
      },
      notifyLeave: (n) => {
        record("leave")(n);
        delegate.notifyLeave?.(n);
      },
      notifyUpdate: (n) => {
        record("update")(n);
        delegate.notifyUpdate?.(n);
      },
    };
    const seed = Math.floor(this.rng.next() * 2 ** 32);
    const core = new Memberlist(cfg, addr, new SeededRandom(seed), this.nowMs, wrapped, 0, this.ids);
    // the constructor's own join (itself, alive) already went through `record`
    const m: SimMember = {
      name,
      addr,
      core,
      serf: null,
      alive: true,
      scheduledWake: Infinity,
      group: 0,
      up: 1,
    };
    self.m = m;
    this.members.set(name, m);
    let ports = this.byAddr.get(addr.host);
    if (ports === undefined) this.byAddr.set(addr.host, (ports = new Map()));
    ports.set(addr.port, m);
    this.flush(m);
    return core;
  }

  /** Serf events seen by each member, in order. */
  readonly serfEvents: { atMs: number; observer: string; event: SerfEvent }[] = [];

  /** Adds a member running the Serf layer on top of its membership core. */
  addSerf(name: string, tags: Record<string, string> = {}): Serf {
    const cfg = resolveConfig({ name, tags, ...this.opts.config }, this.opts.profile ?? "lan");
    const serf = new Serf(
      {
        name,
        tags: cfg.tags,
        retransmitMult: cfg.retransmitMult,
        retransmitFloor: cfg.retransmitFloor,
        gossipIntervalMs: cfg.gossipIntervalMs,
        queryTimeoutMult: cfg.queryTimeoutMult,
        reapIntervalMs: cfg.reapIntervalMs,
        reconnectIntervalMs: cfg.reconnectIntervalMs,
        reconnectTimeoutMs: cfg.reconnectTimeoutMs,
        tombstoneTimeoutMs: cfg.tombstoneTimeoutMs,
        eventBuffer: cfg.eventBuffer,
        coalescePeriodMs: cfg.coalescePeriodMs,
        quiescentPeriodMs: cfg.quiescentPeriodMs,
        userCoalescePeriodMs: cfg.userCoalescePeriodMs,
        userQuiescentPeriodMs: cfg.userQuiescentPeriodMs,
        userEventSizeLimit: cfg.userEventSizeLimit,
        metaMaxBytes: cfg.metaMaxBytes,
        ignoreOldEvents: true,
      },
      new SeededRandom(Math.floor(this.rng.next() * 2 ** 32)),
      this.nowMs,
      (event) => this.serfEvents.push({ atMs: this.nowMs, observer: name, event }),
    );
    const core = this.add(name, serf);
    const m = this.members.get(name) as SimMember;
    m.serf = serf;
    serf.attach({
      name,
      advertiseAddress: () => m.addr,
      sendUser: (to, payload) => core.sendUser(to, payload),
      reconnect: (to) => core.reconnect(to),
      updateMeta: () => {
        core.updateMeta();
        this.at(this.nowMs, () => this.flush(m));
      },
      numMembers: () => core.numAlive(),
      // a test calling serf.userEvent / query directly: the member wakes for its next round
      // (deferred to the current virtual instant, never re-entering the core mid-call)
      broadcastQueued: () => this.at(this.nowMs, () => this.flush(m)),
    });
    return serf;
  }

  /** The Serf status `observer` has for `node`. */
  serfView(observer: string, node: string): MemberStatus | undefined {
    return this.members
      .get(observer)
      ?.serf?.memberList()
      .find((x) => x.name === node)?.status;
  }

  /** Serf's graceful leave: intent, then memberlist leave once the intent went out. */
  serfLeave(name: string): void {
    const m = this.members.get(name);
    if (m?.serf == null) return;
    m.serf.leaveIntent(() => {
      m.core.leave();
      this.flush(m);
    });
    this.flush(m);
  }

  /** Marks a successful join at the Serf layer (broadcasts the join intent). */
  serfJoined(name: string): void {
    const m = this.members.get(name);
    m?.serf?.joined();
    if (m !== undefined) this.flush(m);
  }

  address(name: string): Address {
    const m = this.members.get(name);
    if (m === undefined) throw new Error(`no member ${name}`);
    return m.addr;
  }

  join(name: string, seeds: readonly string[]): void {
    const m = this.members.get(name);
    if (m === undefined) throw new Error(`no member ${name}`);
    m.core.join(seeds.map((s) => this.address(s)));
    this.flush(m);
  }

  /** Crash: the member stops answering and sending (no leave). */
  kill(name: string): void {
    const m = this.members.get(name);
    if (m === undefined) return;
    m.alive = false;
    m.core.stop();
  }

  leave(name: string): void {
    const m = this.members.get(name);
    if (m === undefined) return;
    m.core.leave();
    this.flush(m);
  }

  /** Puts members in numbered groups; packets and streams cross groups only when healed. */
  partition(groups: readonly (readonly string[])[]): void {
    groups.forEach((g, i) => {
      for (const n of g) {
        const m = this.members.get(n);
        if (m !== undefined) m.group = i + 1;
      }
    });
  }
  heal(): void {
    for (const m of this.members.values()) m.group = 0;
  }

  private connected(a: SimMember, b: SimMember): boolean {
    return a.group === 0 || b.group === 0 || a.group === b.group;
  }

  private at(t: number, run: () => void): void {
    this.heap.push({ at: t, seq: this.seq++, run });
  }

  private delay(): number {
    const lo = this.opts.minDelayMs ?? 1;
    const hi = this.opts.maxDelayMs ?? 5;
    return lo + this.rng.next() * (hi - lo);
  }

  /** Performs a member's effects and (re)schedules its next wake-up. */
  private flush(m: SimMember): void {
    for (const e of m.core.drain()) this.perform(m, e);
    if (!m.alive) return;
    m.core.wake(this.nowMs); // its clock moves only with its inputs (see Memberlist.wake)
    const wake = Math.min(m.core.nextWakeMs(), m.serf?.nextWakeMs() ?? Infinity);
    if (wake < m.scheduledWake) {
      m.scheduledWake = wake;
      this.at(Math.max(wake, this.nowMs), () => {
        if (m.scheduledWake !== wake) return;
        m.scheduledWake = Infinity;
        if (!m.alive) return;
        m.core.tick(this.nowMs);
        m.serf?.tick(this.nowMs);
        this.flush(m);
      });
    }
  }

  private perform(from: SimMember, e: Effect): void {
    const to = this.byAddr.get(e.to.host)?.get(e.to.port);
    const wire = this.opts.wire ?? true;
    if (e.kind === "packet") {
      this.packetsSent++;
      if (to === undefined || !this.connected(from, to) || this.rng.next() < (this.opts.lossRate ?? 0)) {
        this.packetsLost++;
        return;
      }
      const bytes = wire ? encodePacket(e.parts, PLAIN, { compress: false, crc: e.crc }) : null;
      this.at(this.nowMs + this.delay(), () => {
        if (!to.alive) return;
        const msgs = bytes !== null ? decodePacket(bytes).messages : decodedParts(e.parts);
        to.core.receive(from.addr, msgs, this.nowMs);
        this.flush(to);
      });
      return;
    }
    const fail = () =>
      this.at(this.nowMs + Math.min(e.timeoutMs, 50), () => {
        from.core.streamResult(e.id, null, this.nowMs);
        this.flush(from);
      });
    if (to === undefined || !to.alive || !this.connected(from, to)) return fail();
    const out = wire ? roundTrip(e.message) : e.message;
    this.at(this.nowMs + this.delay(), () => {
      if (!to.alive || !this.connected(from, to)) return fail();
      const reply = to.core.handleStream(out, this.nowMs);
      this.flush(to);
      const back = reply !== null && wire ? roundTrip(reply) : reply;
      this.at(this.nowMs + this.delay(), () => {
        from.core.streamResult(e.id, back, this.nowMs);
        this.flush(from);
      });
    });
  }

  /** Runs the virtual clock forward by `ms`. */
  run(ms: number): void {
    const end = this.nowMs + ms;
    for (;;) {
      const next = this.heap.peek();
      if (next === undefined || next.at > end) break;
      this.heap.pop();
      this.nowMs = Math.max(this.nowMs, next.at);
      next.run();
    }
    this.nowMs = end;
  }

  /** Runs until `pred` holds (checked every `stepMs`) or `maxMs` passes; returns the time taken or -1. */
  runUntil(pred: () => boolean, maxMs: number, stepMs = 100): number {
    const start = this.nowMs;
    while (this.nowMs - start < maxMs) {
      if (pred()) return this.nowMs - start;
      this.run(stepMs);
    }
    return pred() ? this.nowMs - start : -1;
  }

  /** Share of (live observer, live member) pairs where the observer holds the member up. */
  knownFraction(): number {
    const live = [...this.members.values()].filter((m) => m.alive);
    let up = 0;
    for (const m of live) up += Math.min(m.up, live.length);
    return live.length === 0 ? 1 : up / (live.length * live.length);
  }

  /** The state `observer` has for `node` (undefined when unknown). */
  view(observer: string, node: string): NodeInfo["state"] | undefined {
    return this.members.get(observer)?.core.stateOf(node);
  }

  /** True when every live member sees exactly the live members as alive. */
  converged(): boolean {
    const live = [...this.members.values()].filter((m) => m.alive);
    // O(N) pre-check on the event counts before the O(N²) look at every view
    if (live.some((m) => m.up < live.length)) return false;
    return live.every((m) => live.every((o) => m.core.stateOf(o.name) === "alive"));
  }
}

/** Parts as message objects: the memoized original when the core encoded it, else decoded. */
function decodedParts(parts: readonly Uint8Array[]): PacketMessage[] {
  const out: PacketMessage[] = [];
  for (const p of parts) {
    const m = memoizedMessage(p);
    if (m !== undefined) out.push(m);
    else out.push(...decodePacket(p).messages);
  }
  return out;
}

function roundTrip<T extends Parameters<typeof encodeStream>[0]>(m: T): T {
  const r = parseStream(encodeStream(m, PLAIN, { compress: false }), PLAIN);
  if (!r.done) throw new Error("simulator: stream did not round-trip");
  return r.message as T;
}
