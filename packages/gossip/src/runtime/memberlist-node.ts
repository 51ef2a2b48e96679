// The real-I/O driver of the membership core: one UDP socket and one TCP listener on the
// same port (as memberlist), a monotonic clock, a timer set to the core's next wake-up,
// and the wire pipeline (label, AES-GCM, CRC, LZW) on every packet and stream.
import { runtimeSeed } from "./seed.js";
import { lookup } from "node:dns/promises";
import dgram from "node:dgram";
import net from "node:net";
import { coreConfig, type GossipConfig } from "../config.js";
import { Memberlist } from "../core/memberlist.js";
import { SeededRandom } from "../core/prng.js";
import type { Address, Delegate, Effect, NodeInfo } from "../core/types.js";
import { isWireError } from "../wire/errors.js";
import { ENCRYPTION_OVERHEAD, Keyring } from "../wire/keyring.js";
import { decodePacket, encodePacket, type PacketSecurity } from "../wire/packet.js";
import { encodeStream, parseStream, type StreamMessage } from "../wire/stream.js";

export interface TransportStats {
  packetsIn: number;
  packetsOut: number;
  /** Messages or packets dropped on receive, by reason. */
  drops: Record<string, number>;
  streamsIn: number;
  streamsOut: number;
  streamErrors: number;
}

/** Concatenates while enforcing a byte bound (hostile peers must not grow our memory). */
function append(buf: Uint8Array, chunk: Uint8Array, max: number): Uint8Array | null {
  if (buf.length + chunk.length > max) return null;
  const out = new Uint8Array(buf.length + chunk.length);
  out.set(buf);
  out.set(chunk, buf.length);
  return out;
}

const MAX_STREAM_BYTES = 20 << 20;
const MAX_INBOUND_STREAMS = 256;

export class MemberlistNode {
  readonly core: Memberlist;
  readonly stats: TransportStats = {
    packetsIn: 0,
    packetsOut: 0,
    drops: {},
    streamsIn: 0,
    streamsOut: 0,
    streamErrors: 0,
  };
  readonly keyring: Keyring;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private closed = false;
  private readonly t0 = performance.now();
  private readonly sockets = new Set<net.Socket>();
  /**
   * Set by a layer above that keeps its own clock and timer (SerfNode): `before(now)` runs
   * before any input reaches the core, `after()` after every pump (new deadlines).
   */
  hooks: { before(nowMs: number): void; after(): void } | null = null;

  private constructor(
    readonly config: GossipConfig,
    readonly address: Address,
    private readonly udp: dgram.Socket,
    private readonly tcp: net.Server,
    delegate: Delegate,
  ) {
    this.keyring = Keyring.fromBase64(config.encryptKeys);
    const overhead =
      (config.encryptKeys.length > 0 && config.gossipVerifyOutgoing ? ENCRYPTION_OVERHEAD : 0) +
      (config.label === "" ? 0 : 2 + Buffer.byteLength(config.label));
    const seed = runtimeSeed();
    this.core = new Memberlist(
      coreConfig(config),
      address,
      new SeededRandom(seed),
      this.now(),
      delegate,
      overhead,
    );
    udp.on("message", (msg, rinfo) => this.onPacket(msg, rinfo));
    tcp.on("connection", (s) => this.onConnection(s));
    this.pump();
  }

  /** Binds UDP and TCP on one port (bindPort 0 picks a free one) and starts the core. */
  static async start(config: GossipConfig, delegate: Delegate = {}): Promise<MemberlistNode> {
    const tcp = net.createServer();
    await new Promise<void>((resolve, reject) => {
      tcp.once("error", reject);
      tcp.listen(config.bindPort, config.bindHost, () => resolve());
    });
    const port = (tcp.address() as net.AddressInfo).port;
    const udp = dgram.createSocket({
      type: net.isIPv6(config.bindHost) ? "udp6" : "udp4",
      recvBufferSize: 1 << 20,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once("error", reject);
        udp.bind(port, config.bindHost, () => resolve());
      });
    } catch (e) {
      tcp.close();
      throw e;
    }
    const advertise: Address = {
      host: config.advertiseHost ?? config.bindHost,
      port: config.advertisePort ?? port,
    };
    return new MemberlistNode(config, advertise, udp, tcp, delegate);
  }

  private get security(): PacketSecurity {
    return {
      keys: this.keyring.all(),
      verifyIncoming: this.config.gossipVerifyIncoming,
      encryptOutgoing: this.config.gossipVerifyOutgoing,
      label: this.config.label,
    };
  }

  now(): number {
    return performance.now() - (this.t0 ?? 0);
  }

  private drop(reason: string): void {
    this.stats.drops[reason] = (this.stats.drops[reason] ?? 0) + 1;
  }

  /** Performs pending effects and re-arms the timer for the core's next wake-up. */
  pump(): void {
    if (this.closed) return;
    for (const e of this.core.drain()) this.perform(e);
    this.arm();
    this.hooks?.after();
  }

  private arm(): void {
    // the core's clock moves only with its inputs: a broadcast queued after an idle spell
    // (a user event) must wait for the next round of the cadence from now, not a past one
    this.core.wake(this.now());
    const wake = this.core.nextWakeMs();
    if (wake === this.timerAt && this.timer !== null) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerAt = wake;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.timerAt = Infinity;
        const now = this.now();
        this.hooks?.before(now);
        this.core.tick(now);
        this.pump();
      },
      Math.max(1, Math.ceil(wake - this.now())),
    );
  }

  private perform(e: Effect): void {
    if (e.kind === "packet") {
      const bytes = encodePacket(e.parts, this.security, {
        compress: this.config.enableCompression,
        crc: e.crc,
      });
      this.stats.packetsOut++;
      this.udp.send(bytes, e.to.port, e.to.host, (err) => {
        if (err) this.drop("SEND_FAILED");
      });
      return;
    }
    this.openStream(e.id, e.to, e.message, e.timeoutMs);
  }

  private openStream(id: number, to: Address, message: StreamMessage, timeoutMs: number): void {
    this.stats.streamsOut++;
    let buf: Uint8Array = new Uint8Array(0);
    let done = false;
    const finish = (reply: StreamMessage | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      this.sockets.delete(sock);
      if (reply === null) this.stats.streamErrors++;
      const now = this.now();
      this.hooks?.before(now);
      this.core.streamResult(id, reply, now);
      this.pump();
    };
    const sock = net.connect({ host: to.host, port: to.port });
    this.sockets.add(sock);
    const timer = setTimeout(() => finish(null), timeoutMs);
    sock.on("connect", () => {
      sock.write(encodeStream(message, this.security, { compress: this.config.enableCompression }));
      // a ping or push/pull expects an answer; a reliable user message does not
      if (message.type === "userStream") finish(null);
    });
    sock.on("data", (chunk) => {
      const next = append(buf, chunk, MAX_STREAM_BYTES);
      if (next === null) return finish(null);
      buf = next;
      try {
        const r = parseStream(buf, this.security);
        if (r.done) finish(r.message.type === "err" ? null : r.message);
      } catch (err) {
        this.drop(isWireError(err) ? err.code : "MALFORMED");
        finish(null);
      }
    });
    sock.on("error", () => finish(null));
    sock.on("close", () => finish(null));
  }

  private onPacket(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this.closed) return;
    this.stats.packetsIn++;
    const r = decodePacket(new Uint8Array(msg.buffer, msg.byteOffset, msg.length), this.security);
    for (const d of r.drops) this.drop(d);
    if (r.messages.length > 0) {
      const now = this.now();
      this.hooks?.before(now);
      this.core.receive({ host: rinfo.address, port: rinfo.port }, r.messages, now);
      this.pump();
    }
  }

  private onConnection(s: net.Socket): void {
    if (this.closed || this.sockets.size >= MAX_INBOUND_STREAMS) {
      s.destroy();
      return;
    }
    this.stats.streamsIn++;
    this.sockets.add(s);
    let buf: Uint8Array = new Uint8Array(0);
    let handled = false;
    const timer = setTimeout(() => s.destroy(), this.config.tcpTimeoutMs);
    const close = () => {
      clearTimeout(timer);
      this.sockets.delete(s);
    };
    s.on("data", (chunk) => {
      if (handled) return;
      const next = append(buf, chunk, MAX_STREAM_BYTES);
      if (next === null) {
        this.drop("TOO_LARGE");
        s.destroy();
        return;
      }
      buf = next;
      let r;
      try {
        r = parseStream(buf, this.security);
      } catch (err) {
        this.drop(isWireError(err) ? err.code : "MALFORMED");
        s.destroy();
        return;
      }
      if (!r.done) return;
      handled = true;
      const now = this.now();
      this.hooks?.before(now);
      const reply = this.core.handleStream(r.message, now);
      this.pump();
      if (reply !== null)
        s.end(encodeStream(reply, this.security, { compress: this.config.enableCompression }));
      else s.end();
    });
    s.on("error", close);
    s.on("close", close);
  }

  /** Resolves "host:port" strings (DNS names allowed) and joins through push/pull. */
  async join(addrs: readonly string[]): Promise<number> {
    const resolved: Address[] = [];
    for (const a of addrs) {
      const i = a.lastIndexOf(":");
      const host = i > 0 ? a.slice(0, i).replace(/^\[|\]$/g, "") : a;
      const port = i > 0 ? Number(a.slice(i + 1)) : 7946;
      try {
        const ip = net.isIP(host) ? host : (await lookup(host, { family: 4 })).address;
        resolved.push({ host: ip, port });
      } catch {
        // unresolvable: counts as not contacted
      }
    }
    return new Promise((resolve) => {
      this.core.join(resolved, resolve);
      this.pump();
    });
  }

  /** Broadcasts our graceful leave and waits until it went out (or the timeout). */
  leave(timeoutMs: number): Promise<boolean> {
    const sent = this.queueLeave(timeoutMs);
    this.pump();
    return sent;
  }

  /**
   * leave() without sending anything yet: only queues the dead-from-self broadcast. For a
   * caller running inside the core (a broadcast's finished callback during a gossip round),
   * whose handler performs the effects when it returns; the rest of that round already
   * carries the message.
   */
  queueLeave(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.core.leave(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  members(): NodeInfo[] {
    return this.core.members();
  }

  /** Stops the core and closes the sockets (no leave: call leave() first for a graceful exit). */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.core.stop();
    if (this.timer !== null) clearTimeout(this.timer);
    for (const s of this.sockets) s.destroy();
    await Promise.all([
      new Promise<void>((r) => this.udp.close(() => r())),
      new Promise<void>((r) => this.tcp.close(() => r())),
    ]);
  }
}
