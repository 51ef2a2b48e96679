// GET /v1/client/fs/logs/:alloc: a task's stdout/stderr as a stream of JSON frames
// (`{"File","Offset","Data":<base64>}`, `{"File","FileEvent"}`) or, with plain=true, the raw
// bytes. An empty `{}` frame is sent while nothing arrives so callers see the response start
// and can tell a quiet task from a dead connection (Nomad's stream heartbeat). A failure after
// the stream started arrives as an `{"Error": ...}` frame.
import type { LogStreamFrame } from "../../agent/backend.js";
import type { RouteContext, Reply } from "../context.js";
import { HttpError, toHttpError } from "../errors.js";
import { parseBool, parseNonNegativeInt } from "../query.js";
import type { Router } from "../router.js";

export const LOG_HEARTBEAT_MS = 1_000;

export function clientLogRoutes(router: Router): void {
  router.add("GET", "/v1/client/fs/logs/:alloc", streamLogs);
}

async function streamLogs(ctx: RouteContext): Promise<Reply | undefined> {
  const allocID = ctx.params["alloc"] ?? "";
  const task = ctx.query.get("task");
  if (task === null || task === "") throw new HttpError(400, "must provide task name");
  const type = ctx.query.get("type");
  if (type === null || type === "") throw new HttpError(400, "must provide log type (stdout/stderr)");
  if (type !== "stdout" && type !== "stderr")
    throw new HttpError(400, `log type must be "stdout" or "stderr", got ${JSON.stringify(type)}`);
  const origin = ctx.query.get("origin") ?? "start";
  if (origin !== "start" && origin !== "end")
    throw new HttpError(400, `origin must be "start" or "end", got ${JSON.stringify(origin)}`);
  const follow = parseBool(ctx.query, "follow") ?? false;
  const plain = parseBool(ctx.query, "plain") ?? false;
  const offset = parseNonNegativeInt(ctx.query, "offset") ?? 0;

  const client = ctx.backend.client;
  if (client === undefined || !client.hasAlloc(allocID))
    throw new HttpError(404, `Unknown allocation "${allocID}"`);

  const stream = client.streamLogs({ allocID, task, type, follow, offset, origin, signal: ctx.signal });
  const iterator = stream[Symbol.asyncIterator]();
  const res = ctx.res;
  const started = (): void => {
    if (res.headersSent) return;
    res.writeHead(200, { "Content-Type": plain ? "text/plain; charset=utf-8" : "application/json" });
    res.flushHeaders();
  };
  const heartbeat = setInterval(() => {
    started();
    if (!plain) res.write("{}");
  }, LOG_HEARTBEAT_MS);
  try {
    for (;;) {
      let step: IteratorResult<LogStreamFrame>;
      try {
        step = await iterator.next();
      } catch (e) {
        if (ctx.signal.aborted) return undefined;
        if (!res.headersSent) throw e; // still time for a proper status code
        const message = toHttpError(e).message;
        ctx.logger.warn("log stream failed", { alloc_id: allocID, task, error: message });
        // The status line is gone; a JSON caller learns of the failure from an error frame.
        if (!plain) res.write(JSON.stringify({ Error: message }));
        break;
      }
      if (step.done === true) break;
      started();
      const frame = step.value;
      let chunk: string | Uint8Array | undefined;
      if ("Data" in frame) {
        chunk = plain
          ? frame.Data
          : JSON.stringify({
              File: frame.File,
              Offset: frame.Offset,
              Data: Buffer.from(frame.Data).toString("base64"),
            });
      } else if (!plain) {
        chunk = JSON.stringify({ File: frame.File, FileEvent: frame.FileEvent });
      }
      if (chunk !== undefined && !res.write(chunk)) await drained(ctx);
      if (ctx.signal.aborted) return undefined;
    }
  } finally {
    clearInterval(heartbeat);
    void iterator.return?.().catch(() => undefined);
  }
  started();
  res.end();
  return undefined;
}

/** Waits for the socket to take more, or for the caller to go away. */
function drained(ctx: RouteContext): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      ctx.res.off("drain", done);
      ctx.signal.removeEventListener("abort", done);
      resolve();
    };
    ctx.res.on("drain", done);
    ctx.signal.addEventListener("abort", done, { once: true });
  });
}
