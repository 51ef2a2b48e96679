// Request bodies: bounded (413 past the limit) and parsed as JSON with an error that says what
// is wrong, so a garbage body costs a 4xx and never the process.
import type { IncomingMessage } from "node:http";
import { HttpError } from "./errors.js";

/** Nomad caps job sources at 1 MiB; a job's JSON with its source stays well below this. */
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    throw new HttpError(413, `Request body too large (limit ${maxBytes} bytes)`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      req.resume();
      throw new HttpError(413, `Request body too large (limit ${maxBytes} bytes)`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The body as JSON; `undefined` for an empty body. */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const raw = await readBody(req, maxBytes);
  const text = raw.toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new HttpError(
      400,
      `Failed to parse request body as JSON: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

/** The body must be a JSON object (`{ "Job": ... }`); names what it got otherwise. */
export function expectObject(body: unknown): Record<string, unknown> {
  if (typeof body === "object" && body !== null && !Array.isArray(body))
    return body as Record<string, unknown>;
  const got =
    body === undefined
      ? "an empty body"
      : Array.isArray(body)
        ? "an array"
        : `a ${body === null ? "null" : typeof body}`;
  throw new HttpError(400, `Request body must be a JSON object, got ${got}`);
}
