// The sending side of one peer: a single websocket, dialed lazily on the first message, used only
// to send (each node dials each peer it talks to, so a pair of nodes holds two one-way
// connections and neither side has to arbitrate who owns a connection).
//
// Lifecycle: idle -> connecting (upgrade + hello exchange) -> open -> (lost) -> backoff -> ...
// Messages queue in a bounded SendQueue in every state; in `open` they are flushed on a microtask,
// so everything the core sends in one turn leaves as one frame (one syscall). Sending never waits
// for a reply: Raft's responses are separate messages on the peer's own connection.
//
// Snapshot chunks use the same FIFO as heartbeats. Neither can starve the other: the core sends a
// bounded chunk (snapshotChunkBytes, 256 KiB by default) and waits for its response before the
// next, so at most one chunk sits ahead of a heartbeat, and a chunk is never overtaken.
import WebSocket from "ws";
import type { NodeId, ServerAddress } from "../core/types.js";
import { Backoff } from "./backoff.js";
import { decodeFrame, encodeHelloFrame, encodeMessagesFrame, PROTOCOL_VERSION } from "./codec.js";
import { SendQueue } from "./send-queue.js";
import { closeSocket, toBytes } from "./socket-util.js";
import type { WsTransportConfig } from "./ws-transport-config.js";
import {
  CLOSE_BAD_HANDSHAKE,
  CLOSE_GOING_AWAY,
  CLOSE_VERSION_MISMATCH,
  CLOSE_WRONG_NODE,
  type WsCounters,
  type WsTransportEvent,
} from "./ws-stats.js";

export interface PeerContext {
  readonly config: WsTransportConfig;
  readonly counters: WsCounters;
  readonly emit: (event: WsTransportEvent) => void;
  /** URL path peers serve the transport on: "/" (listen) or the attach path, e.g. "/raft". */
  readonly dialPath?: string;
}

type State = "idle" | "connecting" | "open" | "backoff" | "closed";

export class OutboundPeer {
  private readonly queue: SendQueue;
  private readonly backoff: Backoff;
  private state: State = "idle";
  private socket: WebSocket | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private flushScheduled = false;
  /** Bytes given to the current socket whose write has not completed (backpressure). */
  private unwrittenBytes = 0;
  private dials = 0;
  private livenessTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly peerId: NodeId,
    readonly address: ServerAddress,
    private readonly ctx: PeerContext,
  ) {
    this.queue = new SendQueue(ctx.config.maxQueuedMessages, ctx.config.maxQueuedBytes);
    this.backoff = new Backoff(ctx.config.reconnectMinMs, ctx.config.reconnectMaxMs);
  }

  /** Queues one encoded message; drops and counts it when the buffer is full. */
  enqueue(encoded: Uint8Array): void {
    if (this.state === "closed" || !this.queue.push(encoded)) {
      this.ctx.counters.droppedSend += 1;
      return;
    }
    if (this.state === "idle") this.dial();
    else if (this.state === "open") this.scheduleFlush();
  }

  get queuedMessages(): number {
    return this.queue.length;
  }

  get queuedBytes(): number {
    return this.queue.bytes;
  }

  get connected(): boolean {
    return this.state === "open";
  }

  close(): Promise<void> {
    this.state = "closed";
    if (this.livenessTimer !== undefined) clearInterval(this.livenessTimer);
    this.livenessTimer = undefined;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.ctx.counters.droppedSend += this.queue.clear();
    const socket = this.socket;
    this.socket = undefined;
    if (socket === undefined) return Promise.resolve();
    return closeSocket(socket, CLOSE_GOING_AWAY, "shutting down", this.ctx.config.closeTimeoutMs);
  }

  private dial(): void {
    const { config, counters } = this.ctx;
    this.state = "connecting";
    if (this.dials > 0) counters.reconnects += 1;
    this.dials += 1;
    let socket: WebSocket;
    try {
      socket = new WebSocket(`ws://${this.address}${this.ctx.dialPath ?? "/"}`, {
        perMessageDeflate: false,
        maxPayload: config.maxPayloadBytes,
        handshakeTimeout: config.handshakeTimeoutMs,
        // An all-zero mask lets ws skip XOR-ing and copying every frame. Masking protects HTTP
        // intermediaries from payloads chosen by scripts in a browser; both ends here are servers.
        generateMask: (mask: Buffer) => mask.fill(0),
      });
    } catch {
      // The address was checked when this peer was created; this is only a safety net.
      this.retryLater();
      return;
    }
    this.socket = socket;
    // Covers the hello exchange after the HTTP upgrade (ws's handshakeTimeout covers the upgrade).
    const helloTimer = setTimeout(() => socket.terminate(), config.handshakeTimeoutMs);
    socket.on("open", () => socket.send(encodeHelloFrame({ id: config.id, to: this.peerId })));
    socket.on("message", (data, isBinary) => {
      if (this.socket !== socket) return;
      const bytes = toBytes(data);
      counters.framesReceived += 1;
      counters.bytesReceived += bytes.length;
      if (this.state !== "connecting") {
        // The listening side sends nothing after its hello on this one-way connection.
        counters.droppedInvalid += 1;
        return;
      }
      const frame = isBinary ? decodeFrame(bytes) : undefined;
      if (frame?.kind !== "hello") {
        this.reject(socket, CLOSE_BAD_HANDSHAKE, "expected a hello frame");
      } else if (frame.version !== PROTOCOL_VERSION) {
        this.reject(
          socket,
          CLOSE_VERSION_MISMATCH,
          `protocol version mismatch: this node speaks ${PROTOCOL_VERSION}, the peer ${frame.version}`,
        );
      } else if (frame.hello.id !== this.peerId) {
        this.reject(socket, CLOSE_WRONG_NODE, `reached node ${frame.hello.id}, expected ${this.peerId}`);
      } else {
        clearTimeout(helloTimer);
        this.watchLiveness(socket);
        this.state = "open";
        this.unwrittenBytes = 0;
        this.backoff.reset();
        this.ctx.emit({ type: "connected", peer: this.peerId, address: this.address });
        this.scheduleFlush();
      }
    });
    // 'error' is always followed by 'close', where the state machine moves on.
    socket.on("error", () => {});
    socket.on("close", (code, reasonBytes) => {
      clearTimeout(helloTimer);
      if (this.socket !== socket) return;
      this.socket = undefined;
      const reason = reasonBytes.toString();
      if (code === CLOSE_VERSION_MISMATCH || code === CLOSE_WRONG_NODE || code === CLOSE_BAD_HANDSHAKE) {
        // The listener refused our hello; its reason says why.
        counters.handshakeRejected += 1;
        this.ctx.emit({ type: "handshakeRejected", peer: this.peerId, address: this.address, reason });
      }
      if (this.state === "open") {
        this.ctx.emit({ type: "disconnected", peer: this.peerId, address: this.address, code, reason });
      }
      this.retryLater();
    });
  }

  /**
   * Pings the listener every pingIntervalMs and drops the connection when two intervals in a row
   * brought no pong: a peer that vanished without a FIN or RST (host down, cable cut) is noticed
   * in seconds instead of after TCP's retransmission timeout of many minutes, and redialed. One
   * missed interval is forgiven, because a busy event loop (ours or the peer's) can delay a pong.
   */
  private watchLiveness(socket: WebSocket): void {
    let answered = true;
    let missed = 0;
    socket.on("pong", () => {
      answered = true;
    });
    const timer = setInterval(() => {
      missed = answered ? 0 : missed + 1;
      if (missed >= 2) {
        socket.terminate();
        return;
      }
      answered = false;
      socket.ping();
    }, this.ctx.config.pingIntervalMs);
    this.livenessTimer = timer;
    socket.once("close", () => {
      clearInterval(timer);
      if (this.livenessTimer === timer) this.livenessTimer = undefined;
    });
  }

  private reject(socket: WebSocket, code: number, reason: string): void {
    this.ctx.counters.handshakeRejected += 1;
    this.ctx.emit({ type: "handshakeRejected", peer: this.peerId, address: this.address, reason });
    this.socket = undefined;
    void closeSocket(socket, code, reason, this.ctx.config.closeTimeoutMs);
    this.retryLater();
  }

  private retryLater(): void {
    if (this.state === "closed") return;
    this.state = "backoff";
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.state !== "backoff") return;
      // Dial again only if there is something to say; otherwise the next send dials.
      if (this.queue.length > 0) this.dial();
      else this.state = "idle";
    }, this.backoff.next());
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => this.flush());
  }

  /** Writes queued messages as frames of up to maxFrameBytes while the socket keeps up. */
  private flush(): void {
    this.flushScheduled = false;
    const socket = this.socket;
    if (this.state !== "open" || socket === undefined) return;
    const { config, counters } = this.ctx;
    while (this.queue.length > 0 && this.unwrittenBytes < config.maxInflightBytes) {
      const count = this.queue.length;
      const { bodies, bytes } = this.queue.take(config.maxFrameBytes);
      const frame = encodeMessagesFrame(bodies, bytes);
      this.unwrittenBytes += frame.length;
      counters.sent += bodies.length;
      counters.framesSent += 1;
      counters.bytesSent += frame.length;
      socket.send(frame, { binary: true }, (error) => {
        if (this.socket !== socket) return;
        this.unwrittenBytes -= frame.length;
        // More queued behind the window: continue once the kernel took this frame.
        if (error === undefined || error === null) {
          if (this.queue.length > 0) this.scheduleFlush();
        }
      });
      if (bodies.length === count) break;
    }
  }
}
