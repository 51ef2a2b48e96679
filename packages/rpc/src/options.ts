// Bounds of the RPC server and client, each with the reason for its default. Validated by hand
// (this package depends on ws and msgpackr only); errors name the option.

const MiB = 1024 * 1024;

export const rpcDefaults = {
  path: "/rpc",
  /** A registration with a large job or a node with many allocs stays far below this. */
  maxFrameBytes: 16 * MiB,
  /** Per connection on the server: a client multiplexes its blocking queries on one socket. */
  maxCallsPerConnection: 4096,
  /** Sockets one server keeps: every client node and server holds one or two. */
  maxConnections: 8192,
  /** Upgrade must finish by then, or the socket is cut. */
  handshakeTimeoutMs: 10_000,
  /** Calls a client keeps on the wire at once; more wait their turn (their timeout still runs). */
  maxInFlight: 1024,
  /** Plain calls; blocking queries get their MaxQueryTime on top (see callBudgetMs). */
  defaultTimeoutMs: 30_000,
  connectTimeoutMs: 5_000,
  reconnectMinMs: 100,
  /** A server that is down costs one dial per this long; a client notices its return within it. */
  reconnectMaxMs: 5_000,
  /** A silent peer is declared dead after two intervals without a pong. */
  pingIntervalMs: 10_000,
  /** The server's check of its clients: gentler, a client's own pings catch most failures first. */
  serverPingIntervalMs: 30_000,
} as const;

export function checkInt(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${name}: expected an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

export function checkPath(name: string, value: string | undefined, fallback: string): string {
  if (value === undefined) return fallback;
  if (!/^\/[A-Za-z0-9._~/-]*$/.test(value)) {
    throw new RangeError(`${name}: expected an absolute URL path like "/rpc", got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Splits "host:port" or "[v6]:port". */
export function parseHostPort(name: string, address: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(address);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (host === undefined || !Number.isInteger(port) || port > 65535) {
    throw new RangeError(`${name}: expected host:port, got ${JSON.stringify(address)}`);
  }
  return { host, port };
}

export function formatHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

const NS_PER_MS = 1_000_000;
/** Nomad's cap on a blocking query's wait. */
export const MAX_QUERY_TIME_MS = 300_000;

/**
 * How long a call may take by default: `defaultTimeoutMs`, plus, for a Nomad blocking query
 * (`MinQueryIndex > 0`), the server's wait (MaxQueryTime in ns, 300 s when absent or larger)
 * and its jitter of up to 1/16, so a blocking query is never cut short by its own client.
 */
export function callBudgetMs(args: unknown, defaultTimeoutMs: number): number {
  if (typeof args !== "object" || args === null) return defaultTimeoutMs;
  const { MinQueryIndex, MaxQueryTime } = args as { MinQueryIndex?: unknown; MaxQueryTime?: unknown };
  if (typeof MinQueryIndex !== "number" || MinQueryIndex <= 0) return defaultTimeoutMs;
  const askedMs =
    typeof MaxQueryTime === "number" && MaxQueryTime > 0 ? MaxQueryTime / NS_PER_MS : MAX_QUERY_TIME_MS;
  const waitMs = Math.min(askedMs, MAX_QUERY_TIME_MS);
  return defaultTimeoutMs + Math.ceil(waitMs + waitMs / 16);
}
