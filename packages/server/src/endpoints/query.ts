// The two paths every endpoint takes: reads (blocking queries answered from a snapshot) and
// writes (proposed through Raft on the leader).
import { RpcError } from "@nomad/rpc";
import type { QueryMeta } from "@nomad/structs";
import type { FsmCommand } from "../fsm/commands.js";
import type { StateSnapshot, TableName } from "../state/types.js";
import type { EndpointContext } from "./context.js";
import type { EndpointDeps } from "./deps.js";
import type { Query } from "./request.js";

const NS_PER_MS = 1_000_000;
/** Nomad's cap on MaxQueryTime, and its default when a blocking query gives none. */
export const MAX_BLOCKING_MS = 300_000;

/** Where a call runs: here, or on the leader. */
export function mustForward(deps: EndpointDeps, query: { AllowStale?: boolean | undefined }): boolean {
  return query.AllowStale !== true && !deps.isLeader();
}

/** Nomad's wait: MaxQueryTime (ns) capped at 300 s, 300 s when absent, plus up to 1/16 jitter. */
export function blockingWaitMs(query: Query, random: () => number): number {
  const askedMs =
    query.MaxQueryTime !== undefined && query.MaxQueryTime > 0 ? query.MaxQueryTime / NS_PER_MS : 0;
  const waitMs = askedMs > 0 ? Math.min(askedMs, MAX_BLOCKING_MS) : MAX_BLOCKING_MS;
  return waitMs + random() * (waitMs / 16);
}

export interface QueryResult<T> {
  readonly body: T;
  /** The answer's index; default: the highest index of the tables read. */
  readonly index?: number;
}

/**
 * Answers from a snapshot, blocking while the answer's index is <= MinQueryIndex (until the
 * wait runs out or the caller goes away). The query is re-run after every change of `tables`,
 * since a change elsewhere in a table may leave this answer's index where it was.
 */
export async function blockingQuery<T extends object>(
  ctx: EndpointContext,
  query: Query,
  tables: readonly TableName[],
  signal: AbortSignal,
  run: (snap: StateSnapshot) => QueryResult<T>,
): Promise<T & QueryMeta> {
  const { deps } = ctx;
  const minIndex = query.MinQueryIndex ?? 0;
  const deadlineMs = minIndex > 0 ? ctx.nowMs() + blockingWaitMs(query, ctx.random) : 0;
  let timedOut = false;
  for (;;) {
    const snap = deps.state.snapshot();
    const tableIndex = Math.max(0, ...tables.map((t) => snap.index(t)));
    const result = run(snap);
    const index = Math.max(1, result.index ?? tableIndex);
    if (minIndex === 0 || index > minIndex || timedOut || signal.aborted) {
      return { ...result.body, ...queryMeta(deps, index) };
    }
    const remainingMs = deadlineMs - ctx.nowMs();
    if (remainingMs <= 0) return { ...result.body, ...queryMeta(deps, index) };
    // Resolves with a higher index on a change, or with the same one at the timeout/abort.
    const changed = await deps.state.waitForChange(tables, tableIndex, remainingMs, signal);
    timedOut = changed <= tableIndex;
  }
}

export function queryMeta(deps: EndpointDeps, index: number): QueryMeta {
  const leader = deps.isLeader();
  return {
    Index: Math.max(1, index),
    LastContact: leader ? 0 : deps.lastContactMs(),
    KnownLeader: leader || deps.leaderRpcAddr() !== "",
  };
}

/** Proposes a command; the FSM's refusal becomes an RpcError (INVALID, or NOT_FOUND when it says so). */
export async function applyCommand(deps: EndpointDeps, cmd: FsmCommand): Promise<number> {
  const { index, error } = await deps.apply(cmd);
  if (error !== undefined && error !== null) {
    if (error instanceof RpcError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    // The FSM reports refusals as text (the same on every server); a missing object says so.
    const notFound =
      (error as { code?: unknown }).code === "NOT_FOUND" || /not found|doesn't exist/i.test(message);
    const code = notFound ? "NOT_FOUND" : "INVALID";
    throw new RpcError(code, message);
  }
  return index;
}
