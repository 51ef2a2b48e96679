// Serves an RpcHandler over websockets, either on an http.Server it is given (sharing the port
// with other websocket services, each on its own path) or on one it creates.
//
//   const rpc = RpcServer.attach(httpServer, { handler, path: "/rpc" });
//   const rpc = await RpcServer.listen({ host: "127.0.0.1", port: 0, handler });
//
// Every frame is validated; a frame we cannot use is dropped and counted (stats()), the
// connection and the server keep serving. A frame over maxFrameBytes is a protocol violation for
// the websocket layer, which closes that one connection (counted as droppedOversized).
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { decodeFrame, encodeFrame, toBytes, type Frame, type InvalidReason } from "./frame.js";
import { checkInt, checkPath, formatHostPort, rpcDefaults } from "./options.js";
import { isRpcError, RpcError, type RpcCallContext, type RpcHandler } from "./types.js";
import { addUpgradeRoute } from "./upgrade-routes.js";

export interface RpcServerOptions {
  /** May be given later with setHandler(); until then calls fail with SHUTDOWN ("not ready"). */
  readonly handler?: RpcHandler;
  /** URL path of the websocket endpoint; default "/rpc". */
  readonly path?: string;
  /** Largest frame accepted or sent; default 16 MiB. */
  readonly maxFrameBytes?: number;
  /** Calls one connection may have running at once; default 4096. */
  readonly maxCallsPerConnection?: number;
  /** Default 8192; further connections are closed with 1013 (try again later). */
  readonly maxConnections?: number;
  /** A client silent for two of these (no pong) is dropped and its calls aborted; default 30 s. */
  readonly pingIntervalMs?: number;
  /** Observer for logging; must not throw. */
  readonly onEvent?: (event: RpcServerEvent) => void;
}

export interface RpcServerListenOptions extends RpcServerOptions {
  readonly host?: string;
  /** 0 picks a free port (see `address`). */
  readonly port?: number;
  /** An HTTP upgrade must complete within this; default 10 s. */
  readonly handshakeTimeoutMs?: number;
}

export type RpcServerEvent =
  | { readonly type: "connection"; readonly remoteAddress: string }
  | { readonly type: "disconnect"; readonly remoteAddress: string }
  | { readonly type: "dropped"; readonly remoteAddress: string; readonly reason: string }
  | { readonly type: "handlerError"; readonly method: string; readonly message: string };

export interface RpcServerStats {
  readonly connections: number;
  readonly connectionsAccepted: number;
  readonly connectionsRejected: number;
  readonly callsReceived: number;
  readonly callsSucceeded: number;
  readonly callsFailed: number;
  readonly callsCancelled: number;
  /** Not msgpack, or not a frame at all. */
  readonly droppedGarbage: number;
  /** A frame of another protocol version. */
  readonly droppedWrongVersion: number;
  /** Right version, wrong shape (bad id, method, kind), or a duplicate request id. */
  readonly droppedInvalid: number;
  /** Text frames: this protocol is binary only. */
  readonly droppedText: number;
  /** Frames over maxFrameBytes (the connection that sent one is closed by the websocket layer). */
  readonly droppedOversized: number;
}

type MutableStats = { -readonly [K in keyof RpcServerStats]: RpcServerStats[K] };

const CLOSE_GOING_AWAY = 1001;
const CLOSE_TRY_AGAIN_LATER = 1013;

interface ServerConfig {
  handler: RpcHandler;
  readonly path: string;
  readonly maxFrameBytes: number;
  readonly maxCallsPerConnection: number;
  readonly maxConnections: number;
  readonly pingIntervalMs: number;
  readonly onEvent: (event: RpcServerEvent) => void;
}

function resolveOptions(options: RpcServerOptions): ServerConfig {
  if (options.handler !== undefined && typeof options.handler !== "function") {
    throw new TypeError("handler: expected a function");
  }
  return {
    handler: options.handler ?? notReady,
    path: checkPath("path", options.path, rpcDefaults.path),
    maxFrameBytes: checkInt("maxFrameBytes", options.maxFrameBytes, rpcDefaults.maxFrameBytes, 1024),
    maxCallsPerConnection: checkInt(
      "maxCallsPerConnection",
      options.maxCallsPerConnection,
      rpcDefaults.maxCallsPerConnection,
      1,
    ),
    maxConnections: checkInt("maxConnections", options.maxConnections, rpcDefaults.maxConnections, 1),
    pingIntervalMs: checkInt("pingIntervalMs", options.pingIntervalMs, rpcDefaults.serverPingIntervalMs, 10),
    onEvent: options.onEvent ?? (() => {}),
  };
}

const notReady: RpcHandler = () =>
  Promise.reject(new RpcError("SHUTDOWN", "server is not ready to serve calls"));

export class RpcServer {
  private readonly counters: MutableStats = {
    connections: 0,
    connectionsAccepted: 0,
    connectionsRejected: 0,
    callsReceived: 0,
    callsSucceeded: 0,
    callsFailed: 0,
    callsCancelled: 0,
    droppedGarbage: 0,
    droppedWrongVersion: 0,
    droppedInvalid: 0,
    droppedText: 0,
    droppedOversized: 0,
  };
  private readonly connections = new Set<ServerConnection>();
  private readonly wss: WebSocketServer;
  private readonly removeRoute: () => void;
  private readonly pingTimer: NodeJS.Timeout;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly config: ServerConfig,
    private readonly httpServer: Server,
    /** Set when this RpcServer created the http.Server and must close it. */
    private readonly ownsServer: boolean,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      maxPayload: config.maxFrameBytes,
      clientTracking: false,
    });
    this.removeRoute = addUpgradeRoute(httpServer, config.path, (request, socket, head) =>
      this.onUpgrade(request, socket, head),
    );
    // A client that vanished (power loss, partition) would otherwise hold its blocking
    // queries for minutes: unanswered pings drop it.
    this.pingTimer = setInterval(() => {
      for (const connection of this.connections) connection.checkAlive();
    }, config.pingIntervalMs);
    this.pingTimer.unref();
  }

  /** Serves on `path` of an existing server (which may carry other websocket paths and plain HTTP). */
  static attach(server: Server, options: RpcServerOptions): RpcServer {
    return new RpcServer(resolveOptions(options), server, false);
  }

  /** Creates and binds its own http.Server. */
  static async listen(options: RpcServerListenOptions): Promise<RpcServer> {
    const config = resolveOptions(options);
    const handshakeTimeoutMs = checkInt(
      "handshakeTimeoutMs",
      options.handshakeTimeoutMs,
      rpcDefaults.handshakeTimeoutMs,
      1,
    );
    const port = checkInt("port", options.port, 0, 0);
    const host = options.host ?? "127.0.0.1";
    const server = createServer((_request, response) => {
      response.writeHead(426, { "content-type": "text/plain" }).end("websocket upgrade required\n");
    });
    server.headersTimeout = handshakeTimeoutMs;
    server.requestTimeout = handshakeTimeoutMs;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host, port }, () => {
        server.off("error", reject);
        resolve();
      });
    });
    return new RpcServer(config, server, true);
  }

  /** `host:port` the http.Server is bound to (empty if it is not listening yet). */
  get address(): string {
    const bound = this.httpServer.address();
    if (bound === null || typeof bound === "string") return "";
    return formatHostPort(bound.address, bound.port);
  }

  /** Replaces the handler (calls already running finish with the old one). */
  setHandler(handler: RpcHandler): void {
    if (typeof handler !== "function") throw new TypeError("handler: expected a function");
    this.config.handler = handler;
  }

  get path(): string {
    return this.config.path;
  }

  stats(): RpcServerStats {
    return { ...this.counters, connections: this.connections.size };
  }

  /** Stops accepting, aborts running handlers, closes every connection (and the server if it owns it). */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    clearInterval(this.pingTimer);
    this.removeRoute();
    const closes = [...this.connections].map((c) => c.close(CLOSE_GOING_AWAY, "server shutting down"));
    await Promise.all(closes);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    if (this.ownsServer) {
      const closed = new Promise<void>((resolve) => this.httpServer.close(() => resolve()));
      this.httpServer.closeAllConnections();
      await closed;
    }
  }

  private onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.closing !== undefined) {
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      const remote = formatHostPort(request.socket.remoteAddress ?? "?", request.socket.remotePort ?? 0);
      if (this.closing !== undefined) {
        ws.terminate();
        return;
      }
      if (this.connections.size >= this.config.maxConnections) {
        this.counters.connectionsRejected += 1;
        ws.close(CLOSE_TRY_AGAIN_LATER, "too many connections");
        return;
      }
      this.counters.connectionsAccepted += 1;
      const connection = new ServerConnection(ws, remote, this.config, this.counters, () =>
        this.connections.delete(connection),
      );
      this.connections.add(connection);
      this.config.onEvent({ type: "connection", remoteAddress: remote });
    });
  }
}

class ServerConnection {
  private readonly calls = new Map<number, AbortController>();
  private closed = false;
  private answeredPing = true;

  constructor(
    private readonly socket: WebSocket,
    private readonly remoteAddress: string,
    private readonly config: ServerConfig,
    private readonly counters: MutableStats,
    private readonly onClosed: () => void,
  ) {
    socket.on("message", (data, isBinary) => this.onMessage(toBytes(data), isBinary));
    socket.on("error", (error: Error & { code?: string }) => {
      // ws reports a frame over maxPayload (or another protocol violation) and closes the socket.
      if (error.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") this.counters.droppedOversized += 1;
      else this.counters.droppedInvalid += 1;
      this.drop(error.message);
    });
    socket.on("close", () => this.onClose());
    socket.on("pong", () => {
      this.answeredPing = true;
    });
  }

  /** Called every ping interval: drops a connection that did not answer the previous ping. */
  checkAlive(): void {
    if (this.closed) return;
    if (!this.answeredPing) {
      this.drop("no pong within two ping intervals");
      this.socket.terminate();
      return;
    }
    this.answeredPing = false;
    this.socket.ping();
  }

  close(code: number, reason: string): Promise<void> {
    this.onClose();
    return new Promise<void>((resolve) => {
      if (this.socket.readyState === this.socket.CLOSED) {
        resolve();
        return;
      }
      const timer = setTimeout(() => this.socket.terminate(), 2000);
      this.socket.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.close(code, reason);
    });
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const controller of this.calls.values()) controller.abort(new Error("connection closed"));
    this.calls.clear();
    this.onClosed();
    this.config.onEvent({ type: "disconnect", remoteAddress: this.remoteAddress });
  }

  private drop(reason: string): void {
    this.config.onEvent({ type: "dropped", remoteAddress: this.remoteAddress, reason });
  }

  private countInvalid(reason: InvalidReason): void {
    if (reason === "garbage") this.counters.droppedGarbage += 1;
    else if (reason === "version") this.counters.droppedWrongVersion += 1;
    else this.counters.droppedInvalid += 1;
    this.drop(reason);
  }

  private onMessage(bytes: Uint8Array, isBinary: boolean): void {
    if (this.closed) return;
    if (!isBinary) {
      this.counters.droppedText += 1;
      this.drop("text frame");
      return;
    }
    const frame = decodeFrame(bytes);
    switch (frame.kind) {
      case "invalid":
        this.countInvalid(frame.reason);
        return;
      case "request":
        this.onRequest(frame.id, frame.method, frame.args);
        return;
      case "cancel": {
        const controller = this.calls.get(frame.id);
        if (controller !== undefined) {
          this.calls.delete(frame.id);
          this.counters.callsCancelled += 1;
          controller.abort(new Error("cancelled by the caller"));
        }
        return;
      }
      default:
        // Results and errors only flow from server to client.
        this.counters.droppedInvalid += 1;
        this.drop(`unexpected ${frame.kind} frame`);
    }
  }

  private onRequest(id: number, method: string, args: unknown): void {
    if (this.calls.has(id)) {
      this.counters.droppedInvalid += 1;
      this.drop(`duplicate request id ${id}`);
      return;
    }
    this.counters.callsReceived += 1;
    if (this.calls.size >= this.config.maxCallsPerConnection) {
      this.counters.callsFailed += 1;
      this.send({
        kind: "error",
        id,
        code: "INTERNAL",
        message: `too many calls in flight on this connection (max ${this.config.maxCallsPerConnection})`,
        details: undefined,
      });
      return;
    }
    const controller = new AbortController();
    this.calls.set(id, controller);
    const context: RpcCallContext = { remoteAddress: this.remoteAddress, signal: controller.signal };
    Promise.resolve()
      .then(() => this.config.handler(method, args, context))
      .then(
        (result) => {
          if (!this.finish(id, controller)) return;
          this.counters.callsSucceeded += 1;
          this.send({ kind: "result", id, result });
        },
        (error: unknown) => {
          if (!this.finish(id, controller)) return;
          this.counters.callsFailed += 1;
          this.send(errorFrame(id, error, method, this.config.onEvent));
        },
      );
  }

  /** False when the reply has nowhere to go (cancelled, or the connection is gone). */
  private finish(id: number, controller: AbortController): boolean {
    if (this.calls.get(id) !== controller) return false;
    this.calls.delete(id);
    return !this.closed;
  }

  private send(frame: Frame): void {
    let bytes: Uint8Array;
    try {
      bytes = encodeFrame(frame);
    } catch (error) {
      bytes = encodeFrame({
        kind: "error",
        id: frame.id,
        code: "INTERNAL",
        message: `reply could not be encoded: ${(error as Error).message}`,
        details: undefined,
      });
    }
    if (bytes.length > this.config.maxFrameBytes) {
      bytes = encodeFrame({
        kind: "error",
        id: frame.id,
        code: "INTERNAL",
        message: `reply of ${bytes.length} bytes exceeds maxFrameBytes ${this.config.maxFrameBytes}`,
        details: undefined,
      });
    }
    this.socket.send(bytes, { binary: true }, () => {});
  }
}

function errorFrame(
  id: number,
  error: unknown,
  method: string,
  onEvent: (event: RpcServerEvent) => void,
): Frame {
  if (isRpcError(error)) {
    return { kind: "error", id, code: error.code, message: error.message, details: error.details };
  }
  const message = error instanceof Error ? error.message : String(error);
  // Unexpected failures are the server's bug: reported to the observer, sent as INTERNAL.
  onEvent({ type: "handlerError", method, message });
  return { kind: "error", id, code: "INTERNAL", message, details: undefined };
}
