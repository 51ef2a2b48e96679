// The seam every Nomad component talks through: a server's endpoints, a client's link to the
// servers, the agent's HTTP handlers. In-process (dev mode) and over the network look the same.

/** Closed set of failure codes a caller can branch on (ARCHITECTURE rule 6). */
export const rpcErrorCodes = [
  "NOT_LEADER",
  "NO_LEADER",
  "TIMEOUT",
  "NOT_FOUND",
  "INVALID",
  "UNKNOWN_METHOD",
  "CONNECTION",
  "PERMISSION",
  "SHUTDOWN",
  "INTERNAL",
] as const;
export type RpcErrorCode = (typeof rpcErrorCodes)[number];

export interface CallOptions {
  /** Upper bound for the whole call, including waiting for a connection. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface Rpc {
  call<T = unknown>(method: string, args: unknown, options?: CallOptions): Promise<T>;
}

/** The error every Rpc implementation rejects with; `code` survives the wire. */
export class RpcError extends Error {
  override readonly name = "RpcError";
  constructor(
    readonly code: RpcErrorCode,
    message: string,
    /** Extra facts for the caller, e.g. `{ leader: "127.0.0.1:4647" }` with NOT_LEADER. */
    readonly details?: Readonly<Record<string, string>>,
  ) {
    super(message);
  }
}

export function isRpcError(e: unknown, code?: RpcErrorCode): e is RpcError {
  return e instanceof RpcError && (code === undefined || e.code === code);
}

/** Serves calls: a server's endpoint table, or a router in tests. Throw RpcError for expected failures. */
export type RpcHandler = (method: string, args: unknown, context: RpcCallContext) => Promise<unknown>;

export interface RpcCallContext {
  /** `ip:port` of the peer, or "local" for in-process calls. */
  readonly remoteAddress: string;
  readonly signal: AbortSignal;
}
