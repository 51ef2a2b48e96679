// What a route handler gets: the request, its parsed URL and params, the backend behind the
// agent, and helpers to call RPC with the request's QueryOptions.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { QueryMeta, QueryOptions } from "@nomad/structs";
import type { AgentBackend } from "../agent/backend.js";
import type { Logger } from "../agent/logger.js";
import { expectObject, readJsonBody } from "./body.js";
import type { AgentInfo } from "./agent-info.js";
import type { HttpMetrics } from "./metrics.js";
import { parseQueryOptions } from "./query.js";

/** What a handler answers; the server writes it (JSON, headers from meta). */
export interface Reply {
  /** JSON body; `undefined` = empty 200. */
  readonly body?: unknown;
  /** Sets X-Nomad-Index / KnownLeader / LastContact. */
  readonly meta?: Partial<QueryMeta>;
}

/** A handler returns a Reply, or `undefined` when it wrote the response itself (streams). */
export type RouteHandler = (ctx: RouteContext) => Promise<Reply | undefined>;

export interface RouteContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly query: URLSearchParams;
  readonly params: Readonly<Record<string, string>>;
  readonly backend: AgentBackend;
  readonly agent: AgentInfo;
  readonly logger: Logger;
  readonly metrics: HttpMetrics;
  /** Aborted when the caller goes away: blocking queries and streams stop. */
  readonly signal: AbortSignal;
  readonly maxBodyBytes: number;
}

/** Extra time an RPC may take past the blocking wait (Nomad adds up to wait/16 of jitter). */
const RPC_SLACK_MS = 15_000;
/** Default blocking wait when `index` is given without `wait` (Nomad: 5 m). */
const DEFAULT_WAIT_MS = 300_000;

export function queryOptions(ctx: RouteContext): QueryOptions {
  return parseQueryOptions(ctx.query, { region: ctx.agent.region });
}

/** Calls the backend with a timeout that outlasts the blocking wait, cancelled if the caller leaves. */
export async function rpcCall<T>(ctx: RouteContext, method: string, args: unknown): Promise<T> {
  const a = args as QueryOptions;
  const waitMs =
    a.MaxQueryTime !== undefined
      ? a.MaxQueryTime / 1_000_000
      : a.MinQueryIndex !== undefined && a.MinQueryIndex > 0
        ? DEFAULT_WAIT_MS
        : 0;
  return ctx.backend.rpc.call<T>(method, args, {
    timeoutMs: Math.min(waitMs, DEFAULT_WAIT_MS) * 1.07 + RPC_SLACK_MS,
    signal: ctx.signal,
  });
}

export async function jsonObjectBody(ctx: RouteContext): Promise<Record<string, unknown>> {
  return expectObject(await readJsonBody(ctx.req, ctx.maxBodyBytes));
}

/** Body that may be empty (e.g. `PUT /v1/job/:id/evaluate`). */
export async function optionalObjectBody(ctx: RouteContext): Promise<Record<string, unknown>> {
  const body = await readJsonBody(ctx.req, ctx.maxBodyBytes);
  return body === undefined ? {} : expectObject(body);
}

/** A field of a reply that is a list, never null (Nomad answers `[]` for an empty list). */
export function listOf(reply: unknown, field: string): unknown[] {
  const v = (reply as Record<string, unknown> | null)?.[field];
  return Array.isArray(v) ? v : [];
}
