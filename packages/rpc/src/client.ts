// A caller of one server address: one websocket, calls multiplexed on it by request id.
//
//   const rpc = new RpcClient({ address: "127.0.0.1:4647" });
//   const reply = await rpc.call<SingleJobResponse>("Job.GetJob", { JobID: "web" }, { timeoutMs: 5000 });
//   await rpc.close();
//
// It dials on the first call and again after a drop, no sooner than its backoff allows (a call
// made while backing off fails at once with CONNECTION, so ServerRpc can move to another
// server). At most maxInFlight calls are on the wire; more wait their turn inside their own
// timeout. A call that times out is cancelled on the server too.
import WebSocket from "ws";
import { decodeFrame, encodeFrame, MAX_REQUEST_ID, toBytes } from "./frame.js";
import { callBudgetMs, checkInt, checkPath, parseHostPort, rpcDefaults } from "./options.js";
import { RpcError, type CallOptions, type Rpc } from "./types.js";

export interface RpcClientOptions {
  /** `host:port` of the server. */
  readonly address: string;
  /** Default "/rpc". */
  readonly path?: string;
  /** Default 1024. */
  readonly maxInFlight?: number;
  /** Largest request sent or reply accepted; default 16 MiB. */
  readonly maxFrameBytes?: number;
  /** When a call gives none: 30 s, plus the wait of a blocking query (MinQueryIndex > 0). */
  readonly defaultTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  readonly reconnectMinMs?: number;
  readonly reconnectMaxMs?: number;
  readonly pingIntervalMs?: number;
  /** Jitter source for the backoff; default Math.random. */
  readonly random?: () => number;
  readonly onEvent?: (event: RpcClientEvent) => void;
}

export type RpcClientEvent =
  | { readonly type: "connected"; readonly address: string }
  | { readonly type: "disconnected"; readonly address: string; readonly reason: string }
  | {
      readonly type: "dialFailed";
      readonly address: string;
      readonly reason: string;
      readonly retryInMs: number;
    };

export interface RpcClientStats {
  readonly connected: boolean;
  readonly inFlight: number;
  readonly waiting: number;
  readonly calls: number;
  readonly timeouts: number;
  readonly connectionFailures: number;
  readonly dials: number;
  /** Replies that could not be decoded or had the wrong shape or version. */
  readonly droppedInvalid: number;
  /** Replies for calls that had already timed out or been cancelled. */
  readonly lateReplies: number;
}

interface Config {
  readonly url: string;
  readonly maxInFlight: number;
  readonly maxFrameBytes: number;
  readonly defaultTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  readonly pingIntervalMs: number;
}

interface PendingCall {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: RpcError) => void;
  /** True once the request is on the wire (then a timeout also sends a cancel). */
  sent: boolean;
  settled: boolean;
}

export class RpcClient implements Rpc {
  readonly address: string;
  private readonly config: Config;
  private readonly random: () => number;
  private readonly onEvent: (event: RpcClientEvent) => void;
  private socket: WebSocket | undefined;
  private dialing: Promise<WebSocket> | undefined;
  private nextDialAtMs = 0;
  private consecutiveDialFailures = 0;
  private nextId = 1;
  private readonly inFlight = new Map<number, PendingCall>();
  private readonly waiting: PendingCall[] = [];
  private pingTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private counters = {
    calls: 0,
    timeouts: 0,
    connectionFailures: 0,
    dials: 0,
    droppedInvalid: 0,
    lateReplies: 0,
  };

  constructor(options: RpcClientOptions) {
    parseHostPort("address", options.address);
    this.address = options.address;
    const path = checkPath("path", options.path, rpcDefaults.path);
    const reconnectMinMs = checkInt("reconnectMinMs", options.reconnectMinMs, rpcDefaults.reconnectMinMs, 1);
    const reconnectMaxMs = checkInt(
      "reconnectMaxMs",
      options.reconnectMaxMs,
      Math.max(rpcDefaults.reconnectMaxMs, reconnectMinMs),
      reconnectMinMs,
    );
    this.config = {
      url: `ws://${options.address}${path}`,
      maxInFlight: checkInt("maxInFlight", options.maxInFlight, rpcDefaults.maxInFlight, 1),
      maxFrameBytes: checkInt("maxFrameBytes", options.maxFrameBytes, rpcDefaults.maxFrameBytes, 1024),
      defaultTimeoutMs: checkInt(
        "defaultTimeoutMs",
        options.defaultTimeoutMs,
        rpcDefaults.defaultTimeoutMs,
        1,
      ),
      connectTimeoutMs: checkInt(
        "connectTimeoutMs",
        options.connectTimeoutMs,
        rpcDefaults.connectTimeoutMs,
        1,
      ),
      reconnectMinMs,
      reconnectMaxMs,
      pingIntervalMs: checkInt("pingIntervalMs", options.pingIntervalMs, rpcDefaults.pingIntervalMs, 10),
    };
    this.random = options.random ?? Math.random;
    this.onEvent = options.onEvent ?? (() => {});
  }

  call<T = unknown>(method: string, args: unknown, options: CallOptions = {}): Promise<T> {
    if (this.closed) return Promise.reject(new RpcError("SHUTDOWN", "rpc client is closed"));
    if (options.signal?.aborted === true) return Promise.reject(abortedError());
    const timeoutMs = options.timeoutMs ?? callBudgetMs(args, this.config.defaultTimeoutMs);
    const id = this.allocateId();
    let bytes: Uint8Array;
    try {
      bytes = encodeFrame({ kind: "request", id, method, args });
    } catch (error) {
      return Promise.reject(
        new RpcError("INVALID", `arguments of ${method} cannot be encoded: ${(error as Error).message}`),
      );
    }
    if (bytes.length > this.config.maxFrameBytes) {
      return Promise.reject(
        new RpcError(
          "INVALID",
          `request of ${bytes.length} bytes exceeds maxFrameBytes ${this.config.maxFrameBytes}`,
        ),
      );
    }
    this.counters.calls += 1;
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => finish(() => reject(abortedError()));
      const timer = setTimeout(() => {
        this.counters.timeouts += 1;
        finish(() =>
          reject(new RpcError("TIMEOUT", `${method} to ${this.address} timed out after ${timeoutMs} ms`)),
        );
      }, timeoutMs);
      const finish = (settle: () => void): void => {
        if (call.settled) return;
        call.settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        this.forget(call);
        settle();
      };
      const call: PendingCall = {
        id,
        bytes,
        resolve: (value) => finish(() => resolve(value as T)),
        reject: (error) => finish(() => reject(error)),
        sent: false,
        settled: false,
      };
      options.signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(call);
      this.pump();
    });
  }

  stats(): RpcClientStats {
    return {
      connected: this.socket !== undefined,
      inFlight: this.inFlight.size,
      waiting: this.waiting.length,
      ...this.counters,
    };
  }

  /** Fails every call with SHUTDOWN and closes the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const error = new RpcError("SHUTDOWN", "rpc client is closed");
    for (const call of [...this.waiting, ...this.inFlight.values()]) call.reject(error);
    const socket = this.socket ?? (await this.dialing?.catch(() => undefined));
    this.stopPing();
    if (socket === undefined || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => socket.terminate(), 2000);
      socket.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      socket.close(1000, "client closed");
    });
  }

  private allocateId(): number {
    const id = this.nextId;
    this.nextId = id >= MAX_REQUEST_ID ? 1 : id + 1;
    return id;
  }

  private forget(call: PendingCall): void {
    if (this.inFlight.get(call.id) === call) {
      this.inFlight.delete(call.id);
      if (call.sent && this.socket !== undefined)
        this.sendBytes(encodeFrame({ kind: "cancel", id: call.id }));
      this.pump();
      return;
    }
    const index = this.waiting.indexOf(call);
    if (index !== -1) this.waiting.splice(index, 1);
  }

  /** Moves waiting calls onto the wire while there is room, dialing first if needed. */
  private pump(): void {
    if (this.closed || this.waiting.length === 0 || this.inFlight.size >= this.config.maxInFlight) return;
    const socket = this.socket;
    if (socket === undefined) {
      this.connect().then(
        () => this.pump(),
        (error: RpcError) => {
          // Every waiting call asked for this connection: all of them learn it failed.
          for (const call of this.waiting.splice(0)) call.reject(error);
        },
      );
      return;
    }
    while (this.waiting.length > 0 && this.inFlight.size < this.config.maxInFlight) {
      const call = this.waiting.shift() as PendingCall;
      this.inFlight.set(call.id, call);
      call.sent = true;
      this.sendBytes(call.bytes);
    }
  }

  private sendBytes(bytes: Uint8Array): void {
    this.socket?.send(bytes, { binary: true }, () => {});
  }

  private connect(): Promise<WebSocket> {
    if (this.socket !== undefined) return Promise.resolve(this.socket);
    if (this.dialing !== undefined) return this.dialing;
    const waitMs = this.nextDialAtMs - Date.now();
    if (waitMs > 0) {
      this.counters.connectionFailures += 1;
      return Promise.reject(
        new RpcError(
          "CONNECTION",
          `no connection to ${this.address}; next attempt in ${Math.ceil(waitMs)} ms`,
        ),
      );
    }
    this.dialing = this.dial().finally(() => {
      this.dialing = undefined;
    });
    return this.dialing;
  }

  private dial(): Promise<WebSocket> {
    this.counters.dials += 1;
    return new Promise<WebSocket>((resolve, reject) => {
      const socket = new WebSocket(this.config.url, {
        perMessageDeflate: false,
        maxPayload: this.config.maxFrameBytes,
        handshakeTimeout: this.config.connectTimeoutMs,
      });
      let opened = false;
      let lastError = "connection closed";
      socket.on("error", (error: Error) => {
        lastError = error.message;
      });
      socket.on("open", () => {
        opened = true;
        if (this.closed) {
          socket.terminate();
          reject(new RpcError("SHUTDOWN", "rpc client is closed"));
          return;
        }
        this.consecutiveDialFailures = 0;
        this.socket = socket;
        this.startPing(socket);
        this.onEvent({ type: "connected", address: this.address });
        resolve(socket);
      });
      socket.on("message", (data, isBinary) => this.onMessage(toBytes(data), isBinary));
      socket.on("close", (code: number) => {
        if (!opened) {
          this.counters.connectionFailures += 1;
          const retryInMs = this.scheduleRetry(true);
          this.onEvent({ type: "dialFailed", address: this.address, reason: lastError, retryInMs });
          reject(new RpcError("CONNECTION", `cannot connect to ${this.address}: ${lastError}`));
          return;
        }
        this.onDisconnect(socket, `${lastError} (close code ${code})`);
      });
    });
  }

  /** Backoff with jitter; a dropped connection that had worked retries after the minimum. */
  private scheduleRetry(dialFailed: boolean): number {
    if (dialFailed) this.consecutiveDialFailures += 1;
    const exponent = Math.min(this.consecutiveDialFailures, 20);
    const ceiling = Math.min(this.config.reconnectMaxMs, this.config.reconnectMinMs * 2 ** exponent);
    const delayMs = Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
    this.nextDialAtMs = Date.now() + (dialFailed ? delayMs : 0);
    return dialFailed ? delayMs : 0;
  }

  private onDisconnect(socket: WebSocket, reason: string): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.stopPing();
    this.scheduleRetry(false);
    if (!this.closed) this.onEvent({ type: "disconnected", address: this.address, reason });
    const error = new RpcError("CONNECTION", `connection to ${this.address} lost: ${reason}`);
    for (const call of [...this.inFlight.values()]) {
      this.counters.connectionFailures += 1;
      call.sent = false;
      call.reject(error);
    }
  }

  private startPing(socket: WebSocket): void {
    let answered = true;
    socket.on("pong", () => {
      answered = true;
    });
    this.pingTimer = setInterval(() => {
      // Two intervals without a pong: the peer or the path is gone even if TCP has not noticed.
      if (!answered) {
        socket.terminate();
        return;
      }
      answered = false;
      socket.ping();
    }, this.config.pingIntervalMs);
    this.pingTimer.unref();
  }

  private stopPing(): void {
    if (this.pingTimer !== undefined) clearInterval(this.pingTimer);
    this.pingTimer = undefined;
  }

  private onMessage(bytes: Uint8Array, isBinary: boolean): void {
    const frame = isBinary ? decodeFrame(bytes) : undefined;
    if (frame === undefined || (frame.kind !== "result" && frame.kind !== "error")) {
      this.counters.droppedInvalid += 1;
      return;
    }
    const call = this.inFlight.get(frame.id);
    if (call === undefined) {
      this.counters.lateReplies += 1;
      return;
    }
    call.sent = false; // answered: no cancel needed
    if (frame.kind === "result") call.resolve(frame.result);
    else call.reject(new RpcError(frame.code, frame.message, frame.details));
  }
}

function abortedError(): RpcError {
  return new RpcError("SHUTDOWN", "call aborted by the caller");
}
