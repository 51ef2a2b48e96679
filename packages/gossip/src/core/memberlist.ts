// The SWIM + Lifeguard membership state machine (memberlist's semantics), deterministic:
// time comes in through tick(nowMs) and every handler, randomness from an injected Random,
// and I/O goes out as Effects the driver performs (see types.ts). One instance = one node.
//
// Caller's contract:
//   1. call tick(now) at or after nextWakeMs(), and on every received packet/stream;
//   2. after every call, drain() the effects and perform them (send packets, open streams);
//   3. report each stream exchange's outcome with streamResult(id, reply | null);
//   4. answer incoming streams with handleStream(msg) and write back the reply it returns.
import { encodeMessage } from "../wire/messages.js";
import type { StreamMessage } from "../wire/stream.js";
import type { Dead, PacketMessage, PushNodeState } from "../wire/types.js";
import { bytesToIp } from "./addr.js";
import { retransmitLimit } from "./broadcast-queue.js";
import type { CoreConfig } from "./config.js";
import { randomInt, shuffle, type Random } from "./prng.js";
import { info, pushPullScaleMs, type NodeRecord } from "./memberlist-helpers.js";
import { MembershipState } from "./membership-state.js";
import type { Address, Delegate, Effect, NodeStateName } from "./types.js";

const COMPOUND_HEADER_OVERHEAD = 2;
const COMPOUND_OVERHEAD = 2;
const USER_MSG_OVERHEAD = 1;
const STATE_CODE: Record<NodeStateName, number> = { alive: 0, suspect: 1, dead: 2, left: 3 };

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
  ) {
    super(config, advertise, rng, startMs, delegate);
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
    let t = Math.min(this.nextProbeMs, this.nextGossipMs, this.nextPushPullMs);
    if (this.probe !== null)
      t = Math.min(t, this.probe.indirectSent ? this.probe.endAtMs : this.probe.timeoutAtMs);
    for (const a of this.acks.values()) t = Math.min(t, a.deadlineMs, a.nackAtMs ?? Infinity);
    for (const s of this.suspicions.values()) t = Math.min(t, s.deadlineMs);
    return t;
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
        const n = this.nodes.get(name);
        if (n !== undefined && n.state === "suspect") {
          this.deadNode({ type: "dead", incarnation: n.incarnation, node: name, from: this.config.name });
        }
      }
    }
    this.advanceProbe();
    if (this.now >= this.nextProbeMs && this.probe === null) this.startProbe();
    if (this.now >= this.nextGossipMs) {
      // Fixed cadence like Go's ticker: a late wake-up does not push every later round back
      // (on a loaded box timers fire late, and `now + interval` would stretch each round).
      const next = this.nextGossipMs + this.config.gossipIntervalMs;
      this.nextGossipMs = next > this.now ? next : this.now + this.config.gossipIntervalMs;
      this.gossip();
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
    const me = this.nodes.get(this.config.name);
    if (me === undefined) return;
    const d: Dead = { type: "dead", incarnation: me.incarnation, node: me.name, from: me.name };
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
    const candidates = [...this.nodes.values()].filter(
      (n) => n.name !== this.config.name && n.state === "alive",
    );
    if (candidates.length === 0) return;
    const n = candidates[randomInt(this.rng, candidates.length)] as NodeRecord;
    this.pushPullWith(n.addr, false);
  }

  private localPushPull(join: boolean): StreamMessage {
    const nodes: PushNodeState[] = [...this.nodes.values()].map((n) => ({
      name: n.name,
      addr: n.addrBytes,
      port: n.addr.port,
      meta: n.meta,
      incarnation: n.incarnation,
      state: STATE_CODE[n.state],
      vsn: n.vsnBytes,
    }));
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

  /** Sends a user message (Serf's direct replies: query acks and responses) by UDP. */
  sendUser(to: Address, payload: Uint8Array): void {
    const msg = new Uint8Array(payload.length + 1);
    msg[0] = 8;
    msg.set(payload, 1);
    this.sendWithPiggyback(to, msg, false);
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
    const n = this.nodes.get(name);
    return n !== undefined && (n.vsn[1] ?? 0) >= 5;
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

  private gossip(): void {
    const targets = this.kRandomNodes(this.config.gossipNodes, (n) => {
      if (n.name === this.config.name) return false;
      if (n.state === "alive" || n.state === "suspect") return true;
      // Gossip to the dead for a while, so a wrongly-declared node learns it and refutes.
      return this.now - n.stateChangeMs <= this.config.gossipToTheDeadMs;
    });
    for (const t of targets) {
      const msgs = this.takeBroadcasts(
        this.config.udpBufferSize - COMPOUND_HEADER_OVERHEAD - this.packetOverheadBytes,
      );
      if (msgs.length === 0) return;
      this.emitPacket(t.addr, msgs, (t.vsn[1] ?? 0) >= 5);
    }
  }

  /** Up to k distinct random nodes passing `filter`, by sampling (memberlist's kRandomNodes). */
  private kRandomNodes(k: number, filter: (n: NodeRecord) => boolean): NodeRecord[] {
    const names = this.probeOrder;
    const out: NodeRecord[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < 3 * names.length && out.length < k; i++) {
      const name = names[randomInt(this.rng, names.length)] as string;
      if (seen.has(name)) continue;
      seen.add(name);
      const n = this.nodes.get(name);
      if (n !== undefined && filter(n)) out.push(n);
    }
    return out;
  }

  // ---- probing ------------------------------------------------------------------------

  private startProbe(): void {
    const target = this.nextProbeTarget();
    const interval = this.awareness.scale(this.config.probeIntervalMs);
    this.nextProbeMs = this.now + interval;
    if (target === null) return;
    this.stats.probes++;
    const seq = this.nextSeq();
    const p: Probe = {
      target: target.name,
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
        const n = this.nodes.get(p.target);
        if (n !== undefined) this.delegate.notifyPingComplete?.(info(n), at - p.startMs, payload);
      },
      onTimeout: () => undefined,
    });
    const ping = this.encodePing(seq, target.name);
    if (target.state === "suspect") {
      // Tell a suspected node directly, so it can refute at once.
      const s = encodeMessage({
        type: "suspect",
        incarnation: target.incarnation,
        node: target.name,
        from: this.config.name,
      });
      this.emitPacket(target.addr, [ping, s], (target.vsn[1] ?? 0) >= 5);
    } else this.sendWithPiggyback(target.addr, ping, (target.vsn[1] ?? 0) >= 5);
  }

  private nextProbeTarget(): NodeRecord | null {
    for (let tries = 0; tries <= this.probeOrder.length; tries++) {
      if (this.probeIndex >= this.probeOrder.length) this.resetProbeOrder();
      const name = this.probeOrder[this.probeIndex++];
      if (name === undefined) return null;
      const n = this.nodes.get(name);
      if (n === undefined || name === this.config.name || n.state === "dead" || n.state === "left") continue;
      return n;
    }
    return null;
  }

  /** New random order; nodes dead longer than gossipToTheDead are forgotten here. */
  private resetProbeOrder(): void {
    for (const [name, n] of [...this.nodes]) {
      if (
        (n.state === "dead" || n.state === "left") &&
        this.now - n.stateChangeMs > this.config.gossipToTheDeadMs
      ) {
        this.nodes.delete(name);
      }
    }
    this.probeOrder = shuffle(this.rng, [...this.nodes.keys()]);
    this.probeIndex = 0;
  }

  private advanceProbe(): void {
    const p = this.probe;
    if (p === null) return;
    const target = this.nodes.get(p.target);
    if (p.acked) {
      this.awareness.apply(-1);
      this.probe = null;
      return;
    }
    if (target === undefined) {
      this.probe = null;
      return;
    }
    if (!p.indirectSent && this.now >= p.timeoutAtMs) {
      p.indirectSent = true;
      const peers = this.kRandomNodes(
        this.config.indirectChecks,
        (n) => n.name !== this.config.name && n.name !== p.target && n.state === "alive",
      );
      for (const peer of peers) {
        this.stats.indirectProbes++;
        const nack = (peer.vsn[1] ?? 0) >= 4;
        if (nack) p.expectedNacks++;
        const ind = encodeMessage({
          type: "indirectPing",
          seqNo: p.seq,
          target: target.addrBytes,
          port: target.addr.port,
          node: target.name,
          nack,
          sourceAddr: this.advertiseBytes,
          sourcePort: this.advertise.port,
          sourceNode: this.config.name,
        });
        this.sendWithPiggyback(peer.addr, ind, (peer.vsn[1] ?? 0) >= 5);
      }
      if (!this.config.disableTcpPings && (target.vsn[1] ?? 0) >= 3) {
        this.stats.tcpFallbackProbes++;
        const ping = {
          type: "ping",
          seqNo: p.seq,
          node: target.name,
          sourceAddr: this.advertiseBytes,
          sourcePort: this.advertise.port,
          sourceNode: this.config.name,
        } as const;
        this.openStream(target.addr, ping, (reply) => {
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
        incarnation: target.incarnation,
        node: target.name,
        from: this.config.name,
      });
    }
  }
}
