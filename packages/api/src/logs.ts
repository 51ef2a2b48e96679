import { ApiStreamError } from "./errors.js";
import { JsonObjectStreamDecoder } from "./frame-decoder.js";
import type { HttpClient } from "./http-client.js";
import type { LogsOptions, StreamFrame } from "./responses.js";

/**
 * `GET /v1/client/fs/logs/:alloc`: the body is a stream of concatenated JSON frames
 * (`{"File":..,"Offset":..,"Data":"<base64>"}`), decoded as they arrive. Heartbeat frames
 * (`{}`) are skipped. Breaking out of the loop aborts the request.
 */
export async function* streamLogs(
  http: HttpClient,
  allocID: string,
  o: LogsOptions,
): AsyncGenerator<StreamFrame> {
  const abort = new AbortController();
  const onAbort = (): void => abort.abort(o.signal?.reason);
  if (o.signal?.aborted === true) abort.abort(o.signal.reason);
  o.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const res = await http.stream(
      `/v1/client/fs/logs/${encodeURIComponent(allocID)}`,
      {
        task: o.task,
        type: o.type ?? "stdout",
        follow: o.follow === true ? "true" : "false",
        origin: o.origin ?? "start",
        offset: o.offset ?? 0,
        plain: o.plain === true ? "true" : undefined,
      },
      {
        ...(o.region === undefined ? {} : { region: o.region }),
        ...(o.namespace === undefined ? {} : { namespace: o.namespace }),
        signal: abort.signal,
      },
    );
    if (res.body === null) return;
    const reader = res.body.getReader();
    if (o.plain === true) {
      let offset = o.offset ?? 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        offset += value.byteLength;
        yield { File: "", Offset: offset, Data: value, FileEvent: "" };
      }
    }
    const decoder = new JsonObjectStreamDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      const objects = done ? decoder.end() : decoder.push(value);
      for (const obj of objects) {
        const frame = toFrame(obj);
        if (frame !== null) yield frame;
      }
      if (done) return;
    }
  } finally {
    o.signal?.removeEventListener("abort", onAbort);
    abort.abort();
  }
}

function toFrame(obj: unknown): StreamFrame | null {
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) return null;
  const o = obj as Record<string, unknown>;
  // A stream that fails after it started carries the error in a frame of its own.
  if (typeof o["Error"] === "string" && o["Error"] !== "") throw new ApiStreamError(o["Error"]);
  const data = typeof o["Data"] === "string" ? Buffer.from(o["Data"], "base64") : new Uint8Array(0);
  const fileEvent = typeof o["FileEvent"] === "string" ? o["FileEvent"] : "";
  if (data.byteLength === 0 && fileEvent === "") return null;
  return {
    File: typeof o["File"] === "string" ? o["File"] : "",
    Offset: typeof o["Offset"] === "number" ? o["Offset"] : 0,
    Data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    FileEvent: fileEvent,
  };
}
