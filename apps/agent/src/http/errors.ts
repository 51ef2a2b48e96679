// Errors as the HTTP API answers them: a status code and a plain-text body (Nomad's CodedError).
import { isRpcError, type RpcErrorCode } from "@nomad/rpc";

export class HttpError extends Error {
  override readonly name = "HttpError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** How each RPC failure reaches an HTTP caller (Nomad answers most server-side failures with 500). */
const RPC_STATUS: Readonly<Record<RpcErrorCode, number>> = {
  INVALID: 400,
  NOT_FOUND: 404,
  PERMISSION: 403,
  NO_LEADER: 500,
  NOT_LEADER: 500,
  TIMEOUT: 504,
  UNKNOWN_METHOD: 501,
  CONNECTION: 500,
  SHUTDOWN: 503,
  INTERNAL: 500,
};

/** Any thrown value as the status and text the caller gets. */
export function toHttpError(e: unknown): HttpError {
  if (e instanceof HttpError) return e;
  if (isRpcError(e)) {
    if (e.code === "NO_LEADER") return new HttpError(500, "No cluster leader");
    if (e.code === "PERMISSION")
      return new HttpError(403, e.message === "" ? "Permission denied" : e.message);
    return new HttpError(RPC_STATUS[e.code], e.message);
  }
  return new HttpError(500, e instanceof Error ? e.message : String(e));
}
