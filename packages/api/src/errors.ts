/**
 * A non-2xx answer from the Nomad HTTP API. The message reads like Nomad's Go client
 * (`Unexpected response code: 404 (job not found)`) so CLI output matches Nomad's.
 */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    /** HTTP status code. */
    readonly status: number,
    /** The response body, as text (Nomad answers errors in plain text). */
    readonly body: string,
  ) {
    super(`Unexpected response code: ${status} (${body})`);
  }
}

/**
 * The agent could not be reached or the connection broke. The message follows Go's
 * net/http shape (`Get "http://127.0.0.1:4646/v1/jobs": dial tcp 127.0.0.1:4646: connect:
 * connection refused`) because that is what Nomad users see in the same situation.
 */
export class ApiConnectionError extends Error {
  override readonly name = "ApiConnectionError";
  constructor(
    readonly method: string,
    readonly url: string,
    override readonly cause: unknown,
  ) {
    super(`${goMethod(method)} "${url}": ${describeCause(url, cause)}`);
  }
}

/** A response body that is not the JSON the endpoint promises. */
export class ApiDecodeError extends Error {
  override readonly name = "ApiDecodeError";
  constructor(
    readonly url: string,
    detail: string,
  ) {
    super(`Invalid response from ${url}: ${detail}`);
  }
}

function goMethod(method: string): string {
  return method.charAt(0) + method.slice(1).toLowerCase();
}

function describeCause(url: string, cause: unknown): string {
  const inner = cause instanceof Error ? ((cause as { cause?: unknown }).cause ?? cause) : cause;
  const code = (inner as { code?: unknown } | null)?.code;
  const host = safeHost(url);
  if (code === "ECONNREFUSED") return `dial tcp ${host}: connect: connection refused`;
  if (code === "ENOTFOUND") return `dial tcp: lookup ${host.replace(/:\d+$/, "")}: no such host`;
  if (code === "ECONNRESET") return "read: connection reset by peer";
  if (inner instanceof Error) return inner.message;
  return String(inner);
}

function safeHost(url: string): string {
  try {
    const u = new URL(url);
    return u.port === "" ? `${u.hostname}:${u.protocol === "https:" ? 443 : 80}` : u.host;
  } catch {
    return url;
  }
}

/** An error the server reported inside a stream after it started (`{"Error": "..."}` frame). */
export class ApiStreamError extends Error {
  override readonly name = "ApiStreamError";
}
