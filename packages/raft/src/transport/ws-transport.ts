// The production transport: msgpackr frames over websockets (ARCHITECTURE.md rule 4).
//
//   const transport = await WsTransport.listen({ id: "n1", address: "127.0.0.1:7001" });
//   transport.onMessage((m) => node.step(m));
//   transport.send("n2", "127.0.0.1:7002", message);   // never blocks, never throws
//
//   // or on a path of an existing http.Server shared with other websocket services (Nomad: RPC):
//   const transport = WsTransport.attach({ id: "n1", server, path: "/raft", address: "10.0.0.1:4647" });
//
// Each node listens on its address and dials each peer it sends to (see outbound-peer.ts);
// accepted connections only receive (see inbound-connection.ts). Every bound is in
// ws-transport-config.ts.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Socket } from "node:net";
import { WebSocketServer } from "ws";
import type { Message } from "../core/messages.js";
import type { NodeId, ServerAddress } from "../core/types.js";
import { encodeMessage, FRAME_HEADER_BYTES } from "./codec.js";
import { InboundConnection, type InboundContext } from "./inbound-connection.js";
import { OutboundPeer } from "./outbound-peer.js";
import type { Transport } from "./types.js";
import { addUpgradeRoute } from "./ws-transport-upgrade-routes.js";
import {
  formatAddress,
  parseAddress,
  wsTransportConfigSchema,
  type WsTransportConfig,
  type WsTransportOptions,
} from "./ws-transport-config.js";
import {
  CLOSE_GOING_AWAY,
  CLOSE_REPLACED,
  CLOSE_TRY_AGAIN_LATER,
  WsCounters,
  type WsTransportEvent,
  type WsTransportStats,
} from "./ws-stats.js";

function isValidAddress(address: ServerAddress): boolean {
  try {
    parseAddress(address);
    return true;
  } catch {
    return false;
  }
}

function boundAddress(server: Server): ServerAddress {
  const bound = server.address();
  if (bound === null || typeof bound === "string") {
    throw new Error("address: the server is not listening on a TCP port; pass the address peers dial");
  }
  return formatAddress(bound.address, bound.port);
}

export interface WsTransportListenOptions extends WsTransportOptions {
  /** Observer for connection events (logging, metrics); must not throw. */
  readonly onEvent?: (event: WsTransportEvent) => void;
}

export interface WsTransportAttachOptions extends Omit<WsTransportOptions, "address"> {
  /** A server owned by the caller (it may carry other websocket paths and plain HTTP); never closed here. */
  readonly server: Server;
  /** URL path this transport serves and dials on its peers; every node of a cluster uses the same. */
  readonly path?: string;
  /** Address peers reach this node at (localAddress); default: the server's bound address. */
  readonly address?: ServerAddress;
  readonly onEvent?: (event: WsTransportEvent) => void;
}

/** How the transport got its server: made by listen() and closed with it, or the caller's. */
type ServerMode = { readonly owned: true } | { readonly owned: false; readonly removeRoute: () => void };

export class WsTransport implements Transport {
  private readonly counters = new WsCounters();
  private readonly peers = new Map<NodeId, OutboundPeer>();
  /** Accepted connections; those that completed the hello are also in `inboundByPeer`. */
  private readonly inbound = new Set<InboundConnection>();
  private readonly inboundByPeer = new Map<NodeId, InboundConnection>();
  private readonly rawSockets = new Set<Socket>();
  private handler: ((message: Message) => void) | undefined;
  private closing: Promise<void> | undefined;
  private readonly ctx: InboundContext;
  private mode: ServerMode = { owned: true };

  private constructor(
    private readonly config: WsTransportConfig,
    private readonly server: Server,
    private readonly wss: WebSocketServer,
    readonly localAddress: ServerAddress,
    onEvent: (event: WsTransportEvent) => void,
    owned = true,
    dialPath = "/",
  ) {
    this.ctx = {
      config,
      counters: this.counters,
      emit: onEvent,
      deliver: (message) => this.deliver(message),
      register: (connection) => this.register(connection),
      unregister: (connection) => this.unregister(connection),
      dialPath,
    };
    // The raw sockets and errors of a shared server belong to its owner.
    if (owned) {
      server.on("connection", (socket: Socket) => {
        this.rawSockets.add(socket);
        socket.once("close", () => this.rawSockets.delete(socket));
      });
      server.on("error", (error: Error) => onEvent({ type: "serverError", message: error.message }));
    }
    wss.on("error", (error: Error) => onEvent({ type: "serverError", message: error.message }));
    wss.on("connection", (socket, request) => {
      const remote = formatAddress(request.socket.remoteAddress ?? "?", request.socket.remotePort ?? 0);
      if (this.closing !== undefined) {
        socket.terminate();
        return;
      }
      const connection = new InboundConnection(socket, remote, this.ctx);
      if (this.inbound.size >= config.maxInboundConnections) {
        this.counters.connectionsRejected += 1;
        void connection.close(CLOSE_TRY_AGAIN_LATER, "too many connections");
        return;
      }
      this.inbound.add(connection);
    });
  }

  /** Listens on `options.address` (port 0: any free port, reported by localAddress). */
  static async listen(options: WsTransportListenOptions): Promise<WsTransport> {
    const { onEvent, ...rest } = options;
    const config = wsTransportConfigSchema.parse(rest);
    const { host, port } = parseAddress(config.address);
    const server = createServer((_request, response) => {
      response.writeHead(426, { "content-type": "text/plain" }).end("websocket upgrade required\n");
    });
    // Bounds how long a client that never finishes its HTTP upgrade holds a socket.
    server.headersTimeout = config.handshakeTimeoutMs;
    server.requestTimeout = config.handshakeTimeoutMs;
    const wss = new WebSocketServer({
      server,
      perMessageDeflate: false,
      maxPayload: config.maxPayloadBytes,
      clientTracking: false,
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host, port }, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const bound = server.address();
    const actualPort = typeof bound === "object" && bound !== null ? bound.port : port;
    return new WsTransport(config, server, wss, formatAddress(host, actualPort), onEvent ?? (() => {}));
  }

  /**
   * Serves on `path` (default "/raft") of a server the caller owns and has bound (or will bind),
   * next to other websocket services; peers are dialed at the same path. close() releases the
   * path and this transport's connections, never the server.
   */
  static attach(options: WsTransportAttachOptions): WsTransport {
    const { onEvent, server, path = "/raft", address, ...rest } = options;
    if (!/^\/[A-Za-z0-9._~/-]*$/.test(path)) {
      throw new Error(`path: expected an absolute URL path like "/raft", got ${JSON.stringify(path)}`);
    }
    const advertise = address ?? boundAddress(server);
    const config = wsTransportConfigSchema.parse({ ...rest, address: advertise });
    const wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      maxPayload: config.maxPayloadBytes,
      clientTracking: false,
    });
    const transport = new WsTransport(
      config,
      server,
      wss,
      config.address,
      onEvent ?? (() => {}),
      false,
      path,
    );
    const removeRoute = addUpgradeRoute(server, path, (request: IncomingMessage, socket, head) => {
      if (transport.closing !== undefined) {
        socket.destroy();
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => wss.emit("connection", ws, request));
    });
    transport.mode = { owned: false, removeRoute };
    return transport;
  }

  get id(): NodeId {
    return this.config.id;
  }

  send(to: NodeId, address: ServerAddress, message: Message): void {
    if (this.closing !== undefined) {
      this.counters.droppedSend += 1;
      return;
    }
    let encoded: Uint8Array;
    try {
      encoded = encodeMessage(message);
    } catch {
      this.counters.droppedSend += 1;
      return;
    }
    // The peer would refuse the frame (and drop the connection); refuse it here instead.
    if (encoded.length + FRAME_HEADER_BYTES > this.config.maxPayloadBytes) {
      this.counters.droppedSend += 1;
      return;
    }
    let peer = this.peers.get(to);
    if (peer !== undefined && peer.address !== address) {
      // The peer moved (membership change with a new address): start over at the new one.
      void peer.close();
      peer = undefined;
    }
    if (peer === undefined) {
      if (!isValidAddress(address)) {
        this.counters.droppedSend += 1;
        return;
      }
      peer = new OutboundPeer(to, address, this.ctx);
      this.peers.set(to, peer);
    }
    peer.enqueue(encoded);
  }

  onMessage(handler: (message: Message) => void): void {
    this.handler = handler;
  }

  stats(): WsTransportStats {
    let queuedMessages = 0;
    let queuedBytes = 0;
    let connectedPeers = 0;
    for (const peer of this.peers.values()) {
      queuedMessages += peer.queuedMessages;
      queuedBytes += peer.queuedBytes;
      if (peer.connected) connectedPeers += 1;
    }
    return this.counters.snapshot({
      queuedMessages,
      queuedBytes,
      connectedPeers,
      inboundConnections: this.inbound.size,
    });
  }

  /** Drops the outbound connection and queue of a peer that left the cluster. */
  forgetPeer(id: NodeId): Promise<void> {
    const peer = this.peers.get(id);
    if (peer === undefined) return Promise.resolve();
    this.peers.delete(id);
    return peer.close();
  }

  /** Closes every connection and the listener; resolves once all sockets are closed. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const mode = this.mode;
    if (!mode.owned) {
      mode.removeRoute();
      const closes: Promise<void>[] = [];
      for (const peer of this.peers.values()) closes.push(peer.close());
      for (const connection of this.inbound) closes.push(connection.close(CLOSE_GOING_AWAY, "shutting down"));
      this.peers.clear();
      await Promise.all(closes);
      await new Promise<void>((resolve) => this.wss.close(() => resolve()));
      return;
    }
    const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const closes: Promise<void>[] = [];
    for (const peer of this.peers.values()) closes.push(peer.close());
    for (const connection of this.inbound) closes.push(connection.close(CLOSE_GOING_AWAY, "shutting down"));
    this.peers.clear();
    await Promise.all(closes);
    // Sockets still mid-upgrade or never upgraded hold the server open: cut them.
    for (const socket of this.rawSockets) socket.destroy();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await serverClosed;
  }

  /** A message that arrives before onMessage() or during close() has nowhere to go: Raft resends. */
  private deliver(message: Message): void {
    if (this.handler === undefined || this.closing !== undefined) {
      this.counters.droppedUnhandled += 1;
      return;
    }
    this.counters.received += 1;
    this.handler(message);
  }

  private register(connection: InboundConnection): void {
    const peer = connection.peerId as NodeId;
    const previous = this.inboundByPeer.get(peer);
    // A peer that reconnected (for instance after a restart) replaces its old connection, whose
    // remaining frames are ignored from now on, so delivery stays in the peer's send order.
    if (previous !== undefined && previous !== connection) {
      void previous.close(CLOSE_REPLACED, "replaced by a newer connection from the same node");
    }
    this.inboundByPeer.set(peer, connection);
  }

  private unregister(connection: InboundConnection): void {
    this.inbound.delete(connection);
    if (connection.peerId !== undefined && this.inboundByPeer.get(connection.peerId) === connection) {
      this.inboundByPeer.delete(connection.peerId);
    }
  }
}
