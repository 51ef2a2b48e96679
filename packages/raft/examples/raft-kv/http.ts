// The raft-kv HTTP API. Every node answers every request: the leader serves it (writes through
// RaftNode.apply, reads after a ReadIndex round, so they are linearizable); a follower forwards it
// to the leader's HTTP address (or, with `redirect`, answers 307 to it). Without a leader the
// request waits for one and gives up with 503 before 5 s.
import http from "node:http";
import type { NodeId, RaftNode } from "@nomad/raft";
import { isRaftError } from "@nomad/raft";
import type { KvCommand, KvResult, KvStateMachine } from "./kv-fsm.js";
import { encodeCommand } from "./kv-fsm.js";

export const MAX_BODY_BYTES = 1024 * 1024;
/** Past this a sender of an oversized body is cut off instead of drained. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;
/** Under the 5 s promised to clients, leaving room for the response itself. */
const LEADER_WAIT_MS = 4_500;
const RETRY_PAUSE_MS = 25;
const MAX_HOPS = 3;
const HOPS_HEADER = "x-raft-kv-hops";

export interface KvHttpOptions {
  readonly id: NodeId;
  readonly node: RaftNode<KvResult>;
  readonly fsm: KvStateMachine;
  /** Answer 307 with the leader's address instead of forwarding. */
  readonly redirect: boolean;
}

interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Op =
  | { readonly kind: "get"; readonly key: string }
  | { readonly kind: "write"; readonly command: KvCommand; readonly idempotent: boolean };

export function createKvServer(options: KvHttpOptions): http.Server {
  return http.createServer((req, res) => {
    handle(options, req)
      .catch((e: unknown): Reply => {
        if (e instanceof HttpError) return { status: e.status, body: { error: e.message } };
        return { status: 500, body: { error: e instanceof Error ? e.message : String(e) } };
      })
      .then((reply) => {
        const text = JSON.stringify(reply.body);
        res.writeHead(reply.status, {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(text),
          ...reply.headers,
        });
        res.end(text);
      })
      .catch(() => res.destroy());
  });
}

async function handle(o: KvHttpOptions, req: http.IncomingMessage): Promise<Reply> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const method = req.method ?? "GET";
  if (url.pathname === "/status") {
    if (method !== "GET") throw new HttpError(405, "use GET /status");
    return { status: 200, body: status(o) };
  }
  if (!url.pathname.startsWith("/kv/")) throw new HttpError(404, `no route for ${url.pathname}`);
  const body = method === "GET" || method === "DELETE" ? undefined : await readJson(req);
  const op = parseOp(method, url.pathname.slice("/kv/".length), body);
  const hops = Number(req.headers[HOPS_HEADER] ?? 0);
  const deadline = performance.now() + LEADER_WAIT_MS;
  for (;;) {
    const leader = o.node.leader();
    if (o.node.state() === "leader") {
      const reply = await serveLocally(o, op, remaining(deadline));
      if (reply !== undefined) return reply;
    } else if (leader !== undefined && leader.id !== o.id && hops < MAX_HOPS) {
      const target = o.fsm.httpAddressOf(leader.id);
      if (target !== undefined) {
        const path = req.url ?? "/";
        if (o.redirect)
          return {
            status: 307,
            body: { leader: leader.id },
            headers: { location: `http://${target}${path}` },
          };
        const reply = await forward(target, method, path, body, hops + 1, op, remaining(deadline));
        if (reply !== undefined) return reply;
      }
    }
    if (performance.now() >= deadline) return { status: 503, body: { error: "no leader" } };
    await sleep(RETRY_PAUSE_MS);
  }
}

function status(o: KvHttpOptions): Record<string, unknown> {
  const s = o.node.status();
  return {
    id: o.id,
    state: s.role,
    term: s.term,
    leader: s.leader ?? null,
    commitIndex: s.commitIndex,
    appliedIndex: o.node.appliedIndex(),
  };
}

function parseOp(method: string, rawKey: string, body: unknown): Op {
  const cas = method === "POST" && rawKey.endsWith("/cas");
  let key: string;
  try {
    key = decodeURIComponent(cas ? rawKey.slice(0, -"/cas".length) : rawKey);
  } catch {
    throw new HttpError(400, "key: not valid URL encoding");
  }
  if (key === "") throw new HttpError(400, "key: must not be empty");
  switch (method) {
    case "GET":
      return { kind: "get", key };
    case "DELETE":
      return { kind: "write", command: { op: "delete", key }, idempotent: true };
    case "PUT": {
      const value = field(body, "value");
      if (typeof value !== "string") throw new HttpError(400, "value: must be a string");
      return { kind: "write", command: { op: "put", key, value }, idempotent: true };
    }
    case "POST": {
      if (!cas) throw new HttpError(404, "POST is only for /kv/KEY/cas");
      const from = field(body, "from");
      const to = field(body, "to");
      if (from !== null && typeof from !== "string")
        throw new HttpError(400, "from: must be a string or null");
      if (typeof to !== "string") throw new HttpError(400, "to: must be a string");
      return { kind: "write", command: { op: "cas", key, from, to }, idempotent: false };
    }
    default:
      throw new HttpError(405, `method ${method} not allowed`);
  }
}

function field(body: unknown, name: string): unknown {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(400, "body: must be a JSON object");
  }
  if (!(name in body)) throw new HttpError(400, `${name}: required`);
  return (body as Record<string, unknown>)[name];
}

/** undefined = not the leader after all (or it changed before the call was accepted): route again. */
async function serveLocally(o: KvHttpOptions, op: Op, timeoutMs: number): Promise<Reply | undefined> {
  try {
    if (op.kind === "get") {
      await o.node.linearizableRead({ timeoutMs });
      const value = o.fsm.get(op.key);
      return value === undefined
        ? { status: 404, body: { error: "not found" } }
        : { status: 200, body: { value } };
    }
    const result = await o.node.apply(encodeCommand(op.command), { timeoutMs });
    if (op.command.op === "cas") {
      return result.ok
        ? { status: 200, body: { ok: true } }
        : { status: 409, body: { ok: false, value: "value" in result ? result.value : null } };
    }
    if (!result.ok) throw new HttpError(500, "error" in result ? result.error : "command failed");
    return { status: 200, body: { ok: true } };
  } catch (e) {
    if (!isRaftError(e)) throw e;
    // A read or an idempotent write can be retried wherever the leader now is; a cas that may
    // have been committed cannot, so its outcome is reported as unknown.
    if (op.kind === "get" || op.idempotent) return undefined;
    if (e.code === "SHUTDOWN") return { status: 503, body: { error: "shutting down" } };
    return { status: 503, body: { error: `${e.code}: the outcome of this cas is unknown` } };
  }
}

/** undefined = the leader was not reachable without having taken the request: route again. */
function forward(
  target: string,
  method: string,
  path: string,
  body: unknown,
  hops: number,
  op: Op,
  timeoutMs: number,
): Promise<Reply | undefined> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const [host, port] = splitHostPort(target);
  return new Promise((resolve) => {
    const req = http.request(
      {
        host,
        port,
        method,
        path,
        timeout: timeoutMs,
        headers: {
          [HOPS_HEADER]: String(hops),
          ...(payload === undefined
            ? {}
            : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // pass the text through
          }
          // A 503 from the old leader means it lost office: try again with whoever leads now.
          if (res.statusCode === 503 && (op.kind === "get" || (op.kind === "write" && op.idempotent))) {
            resolve(undefined);
            return;
          }
          resolve({ status: res.statusCode ?? 502, body: parsed });
        });
        res.on("error", () => resolve(lostReply(op)));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (e: NodeJS.ErrnoException) => {
      // Refused: the request never reached the leader, so even a cas may be retried.
      resolve(e.code === "ECONNREFUSED" ? undefined : lostReply(op));
    });
    req.end(payload);
  });
}

function lostReply(op: Op): Reply | undefined {
  if (op.kind === "get" || op.idempotent) return undefined;
  return { status: 503, body: { error: "leader unreachable: the outcome of this cas is unknown" } };
}

/**
 * Reads a JSON body of at most MAX_BODY_BYTES. A larger body is drained (up to a bound) before the
 * 413 goes out, so a client still writing it sees the status instead of a reset connection.
 */
function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number(req.headers["content-length"] ?? 0) > MAX_BODY_BYTES;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      if (size > MAX_DRAIN_BYTES) req.destroy();
      if (!tooLarge) chunks.push(chunk);
    });
    req.on("error", reject);
    req.on("end", () => {
      if (tooLarge) {
        reject(new HttpError(413, `body: larger than ${MAX_BODY_BYTES} bytes`));
        return;
      }
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown);
      } catch (e) {
        reject(new HttpError(400, `body: malformed JSON (${(e as Error).message})`));
      }
    });
  });
}

export function splitHostPort(address: string): [string, number] {
  const at = address.lastIndexOf(":");
  if (at <= 0) throw new Error(`address ${address}: expected host:port`);
  const port = Number(address.slice(at + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`address ${address}: bad port`);
  return [address.slice(0, at), port];
}

/** What is left of the request's 4.5 s budget, so that every answer comes within 5 s. */
function remaining(deadline: number): number {
  return Math.max(1, deadline - performance.now());
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
