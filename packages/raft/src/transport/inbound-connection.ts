// The receiving side of one accepted websocket. The first frame must be the dialer's hello (its
// protocol version and node id); we answer with ours and from then on every frame is decoded,
// each message validated (shape, `from` is the peer that said hello, `to` is this node) and
// delivered synchronously in arrival order, which is the peer's send order. Bad frames and
// messages are dropped and counted; the connection stays up, because one corrupt frame says
// nothing about the next and Raft recovers from the loss.
import type WebSocket from "ws";
import type { Message } from "../core/messages.js";
import type { NodeId } from "../core/types.js";
import { decodeFrame, encodeHelloFrame, PROTOCOL_VERSION, readMessage, type DecodedFrame } from "./codec.js";
import { closeSocket, toBytes } from "./socket-util.js";
import type { PeerContext } from "./outbound-peer.js";
import { CLOSE_BAD_HANDSHAKE, CLOSE_VERSION_MISMATCH, CLOSE_WRONG_NODE } from "./ws-stats.js";

export interface InboundContext extends PeerContext {
  /** Hands a validated message to the transport's handler. */
  readonly deliver: (message: Message) => void;
  /** Called once the hello is accepted; the transport closes an older connection from the same peer. */
  readonly register: (connection: InboundConnection) => void;
  readonly unregister: (connection: InboundConnection) => void;
}

export class InboundConnection {
  /** Set by a valid hello. */
  peerId: NodeId | undefined;
  private closed = false;
  private readonly helloTimer: NodeJS.Timeout;

  constructor(
    private readonly socket: WebSocket,
    readonly remoteAddress: string,
    private readonly ctx: InboundContext,
  ) {
    this.helloTimer = setTimeout(
      () => this.reject(CLOSE_BAD_HANDSHAKE, "no hello within the handshake timeout"),
      ctx.config.handshakeTimeoutMs,
    );
    socket.on("message", (data, isBinary) => this.onFrame(data, isBinary));
    // ws reports protocol violations here (a frame over maxPayload, a bad opcode) and then
    // closes the connection: a frame we could not accept, counted as such.
    socket.on("error", () => {
      ctx.counters.droppedInvalid += 1;
    });
    socket.on("close", () => {
      clearTimeout(this.helloTimer);
      this.closed = true;
      ctx.unregister(this);
    });
  }

  close(code: number, reason: string): Promise<void> {
    this.closed = true;
    clearTimeout(this.helloTimer);
    return closeSocket(this.socket, code, reason, this.ctx.config.closeTimeoutMs);
  }

  private onFrame(data: WebSocket.RawData, isBinary: boolean): void {
    if (this.closed) return;
    const { counters, config } = this.ctx;
    const bytes = toBytes(data);
    counters.framesReceived += 1;
    counters.bytesReceived += bytes.length;
    const frame: DecodedFrame = isBinary ? decodeFrame(bytes) : { kind: "invalid", reason: "text frame" };
    if (this.peerId === undefined) {
      this.onHello(frame);
      return;
    }
    if (frame.kind !== "messages" || frame.version !== PROTOCOL_VERSION) {
      counters.droppedInvalid += 1;
      return;
    }
    for (const value of frame.values) {
      if (this.closed) return; // the handler may have closed the transport
      const message = readMessage(value);
      if (message === undefined || message.from !== this.peerId || message.to !== config.id) {
        counters.droppedInvalid += 1;
        continue;
      }
      this.ctx.deliver(message);
    }
  }

  private onHello(frame: DecodedFrame): void {
    const { config } = this.ctx;
    if (frame.kind !== "hello") {
      this.ctx.counters.droppedInvalid += 1;
      this.reject(CLOSE_BAD_HANDSHAKE, "the first frame must be a hello");
      return;
    }
    if (frame.version !== PROTOCOL_VERSION) {
      // Say which version we speak before closing, so the dialer can report both.
      this.socket.send(encodeHelloFrame({ id: config.id, to: frame.hello.id }));
      this.reject(
        CLOSE_VERSION_MISMATCH,
        `protocol version mismatch: this node speaks ${PROTOCOL_VERSION}, the peer ${frame.version}`,
        frame.hello.id,
      );
      return;
    }
    if (frame.hello.to !== "" && frame.hello.to !== config.id) {
      this.reject(CLOSE_WRONG_NODE, `this is node ${config.id}, not ${frame.hello.to}`, frame.hello.id);
      return;
    }
    clearTimeout(this.helloTimer);
    this.peerId = frame.hello.id;
    this.socket.send(encodeHelloFrame({ id: config.id, to: frame.hello.id }));
    this.ctx.register(this);
  }

  private reject(code: number, reason: string, peer?: NodeId): void {
    if (this.closed) return;
    this.ctx.counters.handshakeRejected += 1;
    this.ctx.emit({ type: "handshakeRejected", peer, address: this.remoteAddress, reason });
    void this.close(code, reason);
  }
}
