// The SWIM + Lifeguard membership state machine (memberlist's semantics), deterministic:
// time comes in through tick(nowMs) and every handler, randomness from an injected Random,
// and I/O goes out as Effects the driver performs (see types.ts). One instance = one node.
//
// Caller's contract:
//   1. call tick(now) at or after nextWakeMs(), and on every received packet/stream; when a
//      delegate queued a broadcast outside a core call, wake(now) before nextWakeMs();
//   2. after every call, drain() the effects and perform them (send packets, open streams);
//   3. report each stream exchange's outcome with streamResult(id, reply | null);
//   4. answer incoming streams with handleStream(msg) and write back the reply it returns.
import { encodeMessage } from "../wire/messages.js";
import type { StreamMessage } from "../wire/stream.js";
import type { Dead, PacketMessage, PushNodeState } from "../wire/types.js";
import { bytesToIp } from "./addr.js";
import { retransmitLimit } from "./broadcast-queue.js";
import type { CoreConfig } from "./config.js";
import { randomInt, shuffleIds, type Random } from "./prng.js";
import { pushPullScaleMs } from "./memberlist-helpers.js";
import type { MemberIds } from "./member-table.js";
import { ALIVE, DEAD, LEFT, SUSPECT } from "./member-table.js";
import { MembershipState } from "./membership-state.js";
import type { Address, Delegate, Effect } from "./types.js";

const COMPOUND_HEADER_OVERHEAD = 2;
const COMPOUND_OVERHEAD = 2;
const USER_MSG_OVERHEAD = 1;

interface AckWait {
  readonly deadlineMs: number;
  readonly onAck: (payload: Uint8Array | null, nowMs: number) => void;
  readonly onTimeout: (nowMs: number) => void;
  /** For relayed probes: when to send a nack if no ack came. */
  nackAtMs?: number;
  onNack?: () => void;
}

interface Probe {
  readonly target: string;
  readonly seq: number;
  readonly startMs: number;
  readonly timeoutAtMs: number;
  readonly endAtMs: number;
  indirectSent: boolean;
  acked: boolean;
  expectedNacks: number;
  nacks: number;
  tcpOk: boolean;
}

type StreamWait = (reply: StreamMessage | null, nowMs: number) => void;

export class Memberlist extends MembershipState {
  private probeIndex = 0;
  private seqNo = 0;
  private readonly acks = new Map<number, AckWait>();
  private readonly streams = new Map<number, StreamWait>();
  private streamSeq = 0;
  private probe: Probe | null = null;
  private nextProbeMs: number;
  private nextGossipMs: number;
  private nextPushPullMs: number;
  /**
   * Whether the driver was last told to wake for the next gossip round. While not, rounds
   * pass unseen, and a round found overdue is one that had nothing to send: skipped, not late.
   */
  private gossipArmed = true;
  private effects: Effect[] = [];
  private shutdown = false;

  constructor(
    config: CoreConfig,
    /** The address we advertise (peers reply there; UDP and TCP share the port). */
    advertise: Address,
    rng: Random,
    startMs: number,
    delegate: Delegate = {},
    /** Bytes the packet pipeline adds (encryption, label), subtracted from the UDP budget. */
    private readonly packetOverheadBytes = 0,
    /** Name registry; a simulator shares one across its members (see member-table.ts). */
    ids?: MemberIds,
  ) {
    super(config, advertise, rng, startMs, delegate, ids);
    // Random stagger so nodes started together do not probe and gossip in lockstep.
    this.nextProbeMs = startMs + randomInt(rng, config.probeIntervalMs);
    this.nextGossipMs = startMs + randomInt(rng, config.gossipIntervalMs);
    this.nextPushPullMs = startMs + randomInt(rng, config.pushPullIntervalMs);
    this.setAlive();
  }

  drain(): Effect[] {
    const e = this.effects;
    this.effects = [];
    return e;
  }

  // ---- time -------------------------------------------------------------------------

  nextWakeMs(): number {
    let t = Math.min(this.nextProbeMs, this.nextPushPullMs);
    // Nothing to gossip: the driver may sleep through the rounds. Their phase is kept, so
    // what is queued later goes out on the next round of the same cadence (a Go ticker's).
    const armed = this.hasGossip();
    if (!armed || !this.gossipArmed) this.alignGossip();
    this.gossipArmed = armed;
    if (armed) t = Math.min(t, this.nextGossipMs);
    if (this.probe !== null)
      t = Math.min(t, this.probe.indirectSent ? this.probe.endAtMs : this.probe.timeoutAtMs);
    for (const a of this.acks.values()) t = Math.min(t, a.deadlineMs, a.nackAtMs ?? Infinity);
    for (const s of this.suspicions.values()) t = Math.min(t, s.deadlineMs);
    return t;
  }

  /**
   * Brings the core's clock to `nowMs` without running anything: call it before nextWakeMs()
   * when the delegate queued a broadcast outside a core call (Serf's userEvent, query, leave
   * intent), so the next gossip round is the first of the cadence after that moment, not one
   * that passed while the node slept.
   */
  wake(nowMs: number): void {
    this.now = Math.max(this.now, nowMs);
    if (!this.gossipArmed) this.alignGossip();
  }

  tick(nowMs: number): void {
    this.now = Math.max(this.now, nowMs);
    if (this.shutdown) return;
    for (const [seq, a] of [...this.acks]) {
      if (a.nackAtMs !== undefined && this.now >= a.nackAtMs) {
        delete a.nackAtMs;
        a.onNack?.();
      }
      if (this.now >= a.deadlineMs) {
        this.acks.delete(seq);
        a.onTimeout(this.now);
      }
    }
    for (const [name, s] of [...this.suspicions]) {
      if (this.now >= s.deadlineMs) {
        this.suspicions.delete(name);
        const id = this.nodes.idOf(name);
        if (id >= 0 && this.nodes.state(id) === SUSPECT) {
          const incarnation = this.nodes.incarnation(id);
          this.deadNode({ type: "dead", incarnation, node: name, from: this.config.name });
        }
      }
    }
    this.advanceProbe();
    if (this.now >= this.nextProbeMs && this.probe === null) this.startProbe();
    if (!this.gossipArmed) this.alignGossip();
    if (this.now >= this.nextGossipMs) {
      // Fixed cadence like Go's ticker: the round due runs (late, if the timer was), rounds
      // nobody took are dropped, and the phase is kept (on a loaded box timers fire late,
      // and `now + interval` would stretch every later round).
      const interval = this.config.gossipIntervalMs;
      this.nextGossipMs += (Math.floor((this.now - this.nextGossipMs) / interval) + 1) * interval;
      if (this.hasGossip()) this.gossip();
    }
    if (this.now >= this.nextPushPullMs) {
      this.nextPushPullMs = this.now + pushPullScaleMs(this.config.pushPullIntervalMs, this.nodes.size);
      this.periodicPushPull();
    }
  }

  // ---- own state ----------------------------------------------------------------------

  private setAlive(): void {
    this.incarnation++;
    this.aliveNode(
      {
        type: "alive",
        incarnation: this.incarnation,
        node: this.config.name,
        addr: this.advertiseBytes,
        port: this.advertise.port,
        meta: this.localMeta(),
        vsn: Uint8Array.from(this.config.vsn),
      },
      true,
    );
  }

  /** Re-advertises our meta (e.g. Serf tags changed) with a new incarnation. */
  updateMeta(): void {
    this.setAlive();
  }

  /** Graceful leave: broadcast dead-from-self; `onSent` fires once it has been transmitted enough. */
  leave(onSent?: () => void): void {
    if (this.leaving) return;
    this.leaving = true;
    const me = this.nodes.idOf(this.config.name);
    if (me < 0) return;
    const name = this.config.name;
    const d: Dead = { type: "dead", incarnation: this.nodes.incarnation(me), node: name, from: name };
    this.deadNode(d, onSent);
    // With nobody to tell, the broadcast would never be transmitted.
    if (this.numAlive() === 0 && onSent !== undefined) onSent();
  }

  /** Stops all activity (after leave, or to simulate a crash the driver just drops us). */
  stop(): void {
    this.shutdown = true;
    this.effects = [];
  }

  // ---- join / push-pull ---------------------------------------------------------------

  /** Starts a join push/pull with each address; `done(ok)` reports how many answered. */
  join(addrs: readonly Address[], done?: (contacted: number) => void): void {
    let pending = addrs.length;
    let ok = 0;
    if (pending === 0) done?.(0);
    for (const a of addrs) {
      this.pushPullWith(a, true, (success) => {
        if (success) ok++;
        if (--pending === 0) done?.(ok);
      });
    }
  }

  private periodicPushPull(): void {
    const t = this.nodes;
    const isCandidate = (id: number) => t.state(id) === ALIVE && t.name(id) !== this.config.name;
    let count = 0;
    t.forEach((id) => {
      if (isCandidate(id)) count++;
    });
    if (count === 0) return;
    let pick = randomInt(this.rng, count);
    let to: Address | null = null;
    t.forEach((id) => {
      if (to === null && isCandidate(id) && pick-- === 0) to = t.identity(id).addr;
    });
    if (to !== null) this.pushPullWith(to, false);
  }

  private localPushPull(join: boolean): StreamMessage {
    const t = this.nodes;
    const nodes: PushNodeState[] = [];
    t.forEach((id) => {
      const n = t.identity(id);
      nodes.push({
        name: n.name,
        addr: n.addrBytes,
        port: n.addr.port,
        meta: n.meta,
        incarnation: t.incarnation(id),
        state: t.state(id),
        vsn: n.vsnBytes,
      });
    });
    return {
      type: "pushPull",
      join,
      nodes,
      userState: this.delegate.localState?.(join) ?? new Uint8Array(0),
    };
  }

  private pushPullWith(to: Address, join: boolean, done?: (ok: boolean) => void): void {
    this.stats.pushPulls++;
    this.openStream(to, this.localPushPull(join), (reply) => {
      if (reply !== null && reply.type === "pushPull") {
        this.mergeRemote(reply.nodes, reply.userState, join);
        done?.(true);
      } else done?.(false);
    });
  }

  private openStream(to: Address, message: StreamMessage, onReply: StreamWait): void {
    const id = ++this.streamSeq;
    this.streams.set(id, onReply);
    this.effects.push({ kind: "stream", id, to, message, timeoutMs: this.config.tcpTimeoutMs });
  }

  /** The driver reports a stream exchange's reply (null = failed or timed out). */
  streamResult(id: number, reply: StreamMessage | null, nowMs: number): void {
    this.now = Math.max(this.now, nowMs);
    const w = this.streams.get(id);
    if (w === undefined) return;
    this.streams.delete(id);
    if (!this.shutdown) w(reply, this.now);
  }

  /** Answers an incoming stream; returns the reply to write back, or null. */
  handleStream(msg: StreamMessage, nowMs: number): StreamMessage | null {
    this.now = Math.max(this.now, nowMs);
    if (this.shutdown) return null;
    switch (msg.type) {
      case "pushPull": {
        const reply = this.localPushPull(msg.join);
        this.mergeRemote(msg.nodes, msg.userState, msg.join);
        return reply;
      }
      case "ping":
        if (msg.node !== "" && msg.node !== this.config.name) return null;
        return { type: "ackResp", seqNo: msg.seqNo, payload: this.delegate.ackPayload?.() ?? null };
      case "userStream":
        this.delegate.notifyMsg?.(msg.payload);
        return null;
      default:
        return null;
    }
  }

  // ---- packets ------------------------------------------------------------------------

  /** Handles the messages of one received datagram. */
  receive(from: Address, messages: readonly PacketMessage[], nowMs: number): void {
    this.now = Math.max(this.now, nowMs);
    if (this.shutdown) return;
    for (const m of messages) {
      switch (m.type) {
        case "ping":
          this.onPing(from, m.seqNo, m.node, m.sourceAddr, m.sourcePort);
          break;
        case "indirectPing":
          this.onIndirectPing(from, m);
          break;
        case "ackResp": {
          const a = this.acks.get(m.seqNo);
          if (a !== undefined) {
            this.acks.delete(m.seqNo);
            a.onAck(m.payload, this.now);
          }
          break;
        }
        case "nackResp":
          if (this.probe !== null && this.probe.seq === m.seqNo) this.probe.nacks++;
          break;
        case "alive":
          this.aliveNode(m, false);
          break;
        case "suspect":
          this.suspectNode(m);
          break;
        case "dead":
          this.deadNode(m);
          break;
        case "user":
          this.delegate.notifyMsg?.(m.payload);
          break;
        default:
          this.stats.droppedMessages++;
      }
    }
  }

  /**
   * Sends a user message (Serf's direct replies: query acks and responses) by UDP, alone:
   * memberlist's SendToAddress piggybacks nothing, so replies do not spend the queue's
   * transmits on the query's origin.
   */
  sendUser(to: Address, payload: Uint8Array): void {
    const msg = new Uint8Array(payload.length + 1);
    msg[0] = 8;
    msg.set(payload, 1);
    this.emitPacket(to, [msg], false);
  }

  /** Tries to reach a failed member again (Serf's reconnect): a join push/pull with it. */
  reconnect(to: Address): void {
    this.pushPullWith(to, true);
  }

  private replyAddr(from: Address, ip: Uint8Array, port: number): Address {
    return ip.length > 0 && port > 0 ? { host: bytesToIp(ip), port } : from;
  }

  private onPing(from: Address, seqNo: number, node: string, srcIp: Uint8Array, srcPort: number): void {
    // A ping meant for another node (a stale address) is dropped, as Go does.
    if (node !== "" && node !== this.config.name) return;
    const ack = encodeMessage({ type: "ackResp", seqNo, payload: this.delegate.ackPayload?.() ?? null });
    this.sendWithPiggyback(this.replyAddr(from, srcIp, srcPort), ack, false);
  }

  private onIndirectPing(from: Address, m: Extract<PacketMessage, { type: "indirectPing" }>): void {
    const requester = this.replyAddr(from, m.sourceAddr, m.sourcePort);
    const seq = this.nextSeq();
    const wait: AckWait = {
      deadlineMs: this.now + this.config.probeIntervalMs,
      onAck: () =>
        this.sendWithPiggyback(
          requester,
          encodeMessage({ type: "ackResp", seqNo: m.seqNo, payload: null }),
          false,
        ),
      onTimeout: () => undefined,
    };
    if (m.nack) {
      wait.nackAtMs = this.now + this.config.probeTimeoutMs;
      wait.onNack = () =>
        this.sendWithPiggyback(requester, encodeMessage({ type: "nackResp", seqNo: m.seqNo }), false);
    }
    this.acks.set(seq, wait);
    const ping = this.encodePing(seq, m.node);
    const target = { host: bytesToIp(m.target), port: m.port };
    this.sendWithPiggyback(target, ping, this.peerSupportsCrc(m.node));
  }

  private encodePing(seq: number, target: string): Uint8Array {
    return encodeMessage({
      type: "ping",
      seqNo: seq,
      node: target,
      sourceAddr: this.advertiseBytes,
      sourcePort: this.advertise.port,
      sourceNode: this.config.name,
    });
  }

  private nextSeq(): number {
    this.seqNo = (this.seqNo + 1) >>> 0;
    return this.seqNo;
  }

  private peerSupportsCrc(name: string): boolean {
    const id = this.nodes.idOf(name);
    return id >= 0 && this.supportsCrc(id);
  }

  /** The peer speaks protocol 5+ (CRC-wrapped packets). */
  private supportsCrc(id: number): boolean {
    return (this.nodes.identity(id).vsn[1] ?? 0) >= 5;
  }

  private udpBudget(msgLen: number): number {
    return this.config.udpBufferSize - msgLen - COMPOUND_HEADER_OVERHEAD - this.packetOverheadBytes;
  }

  private sendWithPiggyback(to: Address, msg: Uint8Array, crc: boolean): void {
    const extra = this.takeBroadcasts(this.udpBudget(msg.length));
    this.emitPacket(to, [msg, ...extra], crc);
  }

  private emitPacket(to: Address, parts: Uint8Array[], crc: boolean): void {
    this.stats.packetsOut++;
    this.effects.push({ kind: "packet", to, parts, crc });
  }

  /** memberlist's own broadcasts first, then the delegate's (each wrapped as a user message). */
  private takeBroadcasts(limit: number): Uint8Array[] {
    const tl = retransmitLimit(this.config.retransmitMult, this.nodes.size, this.config.retransmitFloor);
    const own = this.queue.take(COMPOUND_OVERHEAD, limit, tl);
    let used = 0;
    for (const m of own) used += m.length + COMPOUND_OVERHEAD;
    const user = this.delegate.getBroadcasts?.(COMPOUND_OVERHEAD + USER_MSG_OVERHEAD, limit - used) ?? [];
    for (const u of user) {
      const m = new Uint8Array(u.length + 1);
      m[0] = 8;
      m.set(u, 1);
      own.push(m);
    }
    return own;
  }

  /** Moves the next gossip round to the first one of its cadence at or after now. */
  private alignGossip(): void {
    const interval = this.config.gossipIntervalMs;
    if (this.nextGossipMs < this.now)
      this.nextGossipMs += Math.ceil((this.now - this.nextGossipMs) / interval) * interval;
  }

  /** Whether a gossip round would send anything (ours or the delegate's broadcasts). */
  private hasGossip(): boolean {
    // alone, nobody to send to (a one-server pool keeps its own alive queued until a join)
    if (this.nodes.size <= 1) return false;
    return this.queue.length > 0 || (this.delegate.hasBroadcasts?.() ?? true);
  }

  private gossip(): void {
    const t = this.nodes;
    const targets = this.kRandomNodes(this.config.gossipNodes, (id) => {
      if (t.name(id) === this.config.name) return false;
      if (t.isUp(id)) return true;
      // Gossip to the dead for a while, so a wrongly-declared node learns it and refutes.
      return this.now - t.stateChangeMs(id) <= this.config.gossipToTheDeadMs;
    });
    for (const id of targets) {
      const msgs = this.takeBroadcasts(
        this.config.udpBufferSize - COMPOUND_HEADER_OVERHEAD - this.packetOverheadBytes,
      );
      if (msgs.length === 0) return;
      this.emitPacket(t.identity(id).addr, msgs, this.supportsCrc(id));
    }
  }

  /** Up to k distinct random members passing `filter`, by sampling (memberlist's kRandomNodes). */
  private kRandomNodes(k: number, filter: (id: number) => boolean): number[] {
    const order = this.probeOrder;
    const out: number[] = [];
    const seen = new Set<number>();
    for (let i = 0; i < 3 * order.length && out.length < k; i++) {
      const id = order.get(randomInt(this.rng, order.length));
      if (seen.has(id)) continue;
      seen.add(id);
      if (this.nodes.knows(id) && filter(id)) out.push(id);
    }
    return out;
  }

  // ---- probing ------------------------------------------------------------------------

  private startProbe(): void {
    const target = this.nextProbeTarget();
    const interval = this.awareness.scale(this.config.probeIntervalMs);
    this.nextProbeMs = this.now + interval;
    if (target < 0) return;
    const t = this.nodes;
    const name = t.name(target);
    const addr = t.identity(target).addr;
    this.stats.probes++;
    const seq = this.nextSeq();
    const p: Probe = {
      target: name,
      seq,
      startMs: this.now,
      timeoutAtMs: this.now + this.awareness.scale(this.config.probeTimeoutMs),
      endAtMs: this.now + interval,
      indirectSent: false,
      acked: false,
      expectedNacks: 0,
      nacks: 0,
      tcpOk: false,
    };
    this.probe = p;
    this.acks.set(seq, {
      deadlineMs: p.endAtMs,
      onAck: (payload, at) => {
        p.acked = true;
        const id = t.idOf(p.target);
        if (id >= 0) this.delegate.notifyPingComplete?.(t.info(id), at - p.startMs, payload);
      },
      onTimeout: () => undefined,
    });
    const ping = this.encodePing(seq, name);
    if (t.state(target) === SUSPECT) {
      // Tell a suspected node directly, so it can refute at once.
      const s = encodeMessage({
        type: "suspect",
        incarnation: t.incarnation(target),
        node: name,
        from: this.config.name,
      });
      this.emitPacket(addr, [ping, s], this.supportsCrc(target));
    } else this.sendWithPiggyback(addr, ping, this.supportsCrc(target));
  }

  /** The next member to probe (round robin over a shuffled order), or -1. */
  private nextProbeTarget(): number {
    const t = this.nodes;
    for (let tries = 0; tries <= this.probeOrder.length; tries++) {
      if (this.probeIndex >= this.probeOrder.length) this.resetProbeOrder();
      if (this.probeIndex >= this.probeOrder.length) return -1;
      const id = this.probeOrder.get(this.probeIndex++);
      if (!t.knows(id) || t.name(id) === this.config.name) continue;
      const state = t.state(id);
      if (state === DEAD || state === LEFT) continue;
      return id;
    }
    return -1;
  }

  /** New random order; nodes dead longer than gossipToTheDead are forgotten here. */
  private resetProbeOrder(): void {
    const t = this.nodes;
    t.forEach((id) => {
      const state = t.state(id);
      if (
        (state === DEAD || state === LEFT) &&
        this.now - t.stateChangeMs(id) > this.config.gossipToTheDeadMs
      ) {
        t.remove(id);
      }
    });
    this.probeOrder.assign(shuffleIds(this.rng, t.idList()));
    this.probeIndex = 0;
  }

  private advanceProbe(): void {
    const p = this.probe;
    if (p === null) return;
    const t = this.nodes;
    const target = t.idOf(p.target);
    if (p.acked) {
      this.awareness.apply(-1);
      this.probe = null;
      return;
    }
    if (target < 0) {
      this.probe = null;
      return;
    }
    const targetAddr = t.identity(target).addr;
    if (!p.indirectSent && this.now >= p.timeoutAtMs) {
      p.indirectSent = true;
      const peers = this.kRandomNodes(
        this.config.indirectChecks,
        (id) => t.state(id) === ALIVE && id !== target && t.name(id) !== this.config.name,
      );
      for (const peer of peers) {
        this.stats.indirectProbes++;
        const peerVsn = t.identity(peer).vsn;
        const nack = (peerVsn[1] ?? 0) >= 4;
        if (nack) p.expectedNacks++;
        const ind = encodeMessage({
          type: "indirectPing",
          seqNo: p.seq,
          target: t.identity(target).addrBytes,
          port: targetAddr.port,
          node: p.target,
          nack,
          sourceAddr: this.advertiseBytes,
          sourcePort: this.advertise.port,
          sourceNode: this.config.name,
        });
        this.sendWithPiggyback(t.identity(peer).addr, ind, this.supportsCrc(peer));
      }
      if (!this.config.disableTcpPings && (t.identity(target).vsn[1] ?? 0) >= 3) {
        this.stats.tcpFallbackProbes++;
        const ping = {
          type: "ping",
          seqNo: p.seq,
          node: p.target,
          sourceAddr: this.advertiseBytes,
          sourcePort: this.advertise.port,
          sourceNode: this.config.name,
        } as const;
        this.openStream(targetAddr, ping, (reply) => {
          if (reply !== null && reply.type === "ackResp" && reply.seqNo === p.seq) p.tcpOk = true;
        });
      }
    }
    if (this.now >= p.endAtMs) {
      this.probe = null;
      this.acks.delete(p.seq);
      if (p.tcpOk) return;
      this.stats.probeFailures++;
      // Lifeguard: with nack-capable helpers, missing nacks point at *us* being slow.
      this.awareness.apply(p.expectedNacks > 0 ? Math.max(0, p.expectedNacks - p.nacks) : 1);
      this.suspectNode({
        type: "suspect",
        incarnation: t.incarnation(target),
        node: p.target,
        from: this.config.name,
      });
    }
  }
}
