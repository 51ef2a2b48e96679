// Alloc.* and Node.UpdateAlloc: operators stop allocations, clients report their status
// (batched into one Raft entry per window, as Nomad's batchUpdateInterval), everyone reads.
import { RpcError, type RpcCallContext } from "@nomad/rpc";
import {
  ALLOC_CLIENT_STATUSES,
  parseEvaluation,
  TaskStateSchema,
  type AllocClientUpdate,
  type Allocation,
  type AllocStopResponse,
  type Evaluation,
} from "@nomad/structs";
import { z } from "zod";
import type { StateSnapshot } from "../state/types.js";
import type { EndpointContext } from "./context.js";
import { newJobEval } from "./evals.js";
import { applyCommand, blockingQuery, mustForward } from "./query.js";
import { inListNamespace, parseRequest, queryFields } from "./request.js";
import { allocListStub } from "./stubs.js";

/** Nomad's batchUpdateInterval: client updates arriving within it share one Raft entry. */
export const DEFAULT_ALLOC_UPDATE_BATCH_MS = 50;

const ClientUpdateSchema = z
  .object({
    ID: z.string().min(1, "missing allocation ID"),
    ClientStatus: z.enum(ALLOC_CLIENT_STATUSES),
    ClientDescription: z
      .string()
      .nullish()
      .transform((v) => v ?? ""),
    TaskStates: z
      .record(z.string(), TaskStateSchema)
      .nullish()
      .transform((v) => v ?? {}),
    ModifyTime: z
      .number()
      .nonnegative()
      .nullish()
      .transform((v) => v ?? 0),
  })
  .loose();

const UpdateAllocSchema = z
  .object({ ...queryFields, Alloc: z.array(ClientUpdateSchema).min(1, "no allocations to update") })
  .loose();
const AllocSpecificSchema = z
  .object({ ...queryFields, AllocID: z.string().min(1, "missing allocation ID") })
  .loose();
const AllocsGetSchema = z.object({ ...queryFields, AllocIDs: z.array(z.string().min(1)) }).loose();
const ListSchema = z.object(queryFields).loose();
const StopSchema = z
  .object({
    ...queryFields,
    AllocID: z.string().min(1, "missing allocation ID"),
    NoShutdownDelay: z.boolean().optional(),
  })
  .loose();

/**
 * A failed allocation whose group may reschedule gets an `alloc-failure` eval for its job
 * (one per job per batch); the scheduler then decides when and where, from the policy.
 */
export function rescheduleEvals(
  ctx: EndpointContext,
  snap: StateSnapshot,
  updates: readonly AllocClientUpdate[],
): Evaluation[] {
  const out: Evaluation[] = [];
  const seen = new Set<string>();
  for (const u of updates) {
    if (u.ClientStatus !== "failed") continue;
    const alloc = snap.allocByID(u.ID);
    if (alloc === undefined || alloc.ClientStatus === "failed" || alloc.FollowupEvalID !== "") continue;
    const job = snap.jobByID(alloc.Namespace, alloc.JobID);
    if (job === undefined || job.Stop) continue;
    const policy = job.TaskGroups.find((g) => g.Name === alloc.TaskGroup)?.ReschedulePolicy;
    if (policy === null || policy === undefined || (!policy.Unlimited && policy.Attempts <= 0)) continue;
    const key = `${job.Namespace}\u0000${job.ID}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(newJobEval(ctx, job, "alloc-failure"));
  }
  return out;
}

interface Waiter {
  resolve(index: number): void;
  reject(error: unknown): void;
}

/** Collects client updates for one window, then proposes them as one AllocClientUpdate. */
export class AllocUpdateBatcher {
  private updates = new Map<string, AllocClientUpdate>();
  private waiters: Waiter[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly ctx: EndpointContext,
    private readonly windowMs: number,
  ) {}

  add(updates: readonly AllocClientUpdate[]): Promise<number> {
    // A later update of the same alloc in the same window supersedes the earlier one.
    for (const u of updates) this.updates.set(u.ID, u);
    const done = new Promise<number>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.timer ??= setTimeout(() => void this.flush(), this.windowMs);
    return done;
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    const updates = [...this.updates.values()];
    const waiters = this.waiters;
    this.updates = new Map();
    this.waiters = [];
    try {
      const snap = this.ctx.deps.state.snapshot();
      // Updates for allocations the server no longer has (GC'd) are dropped, as Nomad does.
      const known = updates.filter((u) => snap.allocByID(u.ID) !== undefined);
      if (known.length === 0) {
        for (const w of waiters) w.resolve(snap.index("allocs"));
        return;
      }
      const evals = rescheduleEvals(this.ctx, snap, known);
      const index = await applyCommand(this.ctx.deps, {
        type: "AllocClientUpdate",
        Allocs: known,
        Evals: evals,
      });
      for (const w of waiters) w.resolve(index);
    } catch (error) {
      for (const w of waiters) w.reject(error);
    }
  }
}

export async function nodeUpdateAlloc(
  ctx: EndpointContext,
  batcher: AllocUpdateBatcher,
  method: string,
  args: unknown,
): Promise<unknown> {
  const { deps } = ctx;
  const req = parseRequest(method, UpdateAllocSchema, args);
  if (!deps.isLeader()) return deps.forward(method, args);
  if (req.SecretID !== undefined && req.SecretID !== "") {
    // A client may only report allocations placed on itself.
    const snap = deps.state.snapshot();
    for (const u of req.Alloc) {
      const alloc = snap.allocByID(u.ID);
      const node = alloc === undefined ? undefined : snap.nodeByID(alloc.NodeID);
      if (node !== undefined && node.SecretID !== "" && node.SecretID !== req.SecretID) {
        throw new RpcError("PERMISSION", `node secret ID does not match the node of allocation ${u.ID}`);
      }
    }
  }
  const updates: AllocClientUpdate[] = req.Alloc.map((u) => ({
    ID: u.ID,
    ClientStatus: u.ClientStatus,
    ClientDescription: u.ClientDescription,
    TaskStates: u.TaskStates,
    ModifyTime: u.ModifyTime === 0 ? ctx.nowNs() : u.ModifyTime,
  }));
  const index = await batcher.add(updates);
  return { Index: index };
}

export async function allocStop(ctx: EndpointContext, method: string, args: unknown): Promise<unknown> {
  const { deps } = ctx;
  const req = parseRequest(method, StopSchema, args);
  if (!deps.isLeader()) return deps.forward(method, args);
  const snap = deps.state.snapshot();
  const alloc = snap.allocByID(req.AllocID);
  if (alloc === undefined) throw new RpcError("NOT_FOUND", `alloc not found: ${req.AllocID}`);
  const job = snap.jobByID(alloc.Namespace, alloc.JobID) ?? alloc.Job ?? undefined;
  const nowNs = ctx.nowNs();
  const evaluation =
    job === undefined
      ? parseEvaluation({
          ID: ctx.newID(),
          Namespace: alloc.Namespace,
          TriggeredBy: "alloc-stop",
          JobID: alloc.JobID,
          Status: "pending",
          CreateTime: nowNs,
          ModifyTime: nowNs,
        })
      : newJobEval(ctx, job, "alloc-stop");
  // Nomad's Alloc.Stop: mark the allocation to migrate and let the scheduler replace it.
  const index = await applyCommand(deps, {
    type: "AllocUpdateDesiredTransition",
    Allocs: {
      [alloc.ID]: {
        ...alloc.DesiredTransition,
        Migrate: true,
        ...(req.NoShutdownDelay === true ? { NoShutdownDelay: true } : {}),
      },
    },
    Evals: [evaluation],
  });
  const reply: AllocStopResponse = { Index: index, EvalID: evaluation.ID };
  return reply;
}

export async function allocRead(
  ctx: EndpointContext,
  method: string,
  args: unknown,
  call: RpcCallContext,
): Promise<unknown> {
  const { deps } = ctx;
  switch (method) {
    case "Alloc.List": {
      const req = parseRequest(method, ListSchema, args);
      if (mustForward(deps, req)) return deps.forward(method, args);
      const inNamespace = inListNamespace(req);
      return blockingQuery(ctx, req, ["allocs"], call.signal, (snap) => ({
        body: {
          Allocations: snap
            .allocsByIDPrefix(req.Prefix ?? "")
            .filter(inNamespace)
            .map(allocListStub),
        },
      }));
    }
    case "Alloc.GetAlloc": {
      const req = parseRequest(method, AllocSpecificSchema, args);
      if (mustForward(deps, req)) return deps.forward(method, args);
      return blockingQuery<{ Alloc: Allocation | null }>(ctx, req, ["allocs"], call.signal, (snap) => {
        const alloc = snap.allocByID(req.AllocID);
        return alloc === undefined
          ? { body: { Alloc: null } }
          : { body: { Alloc: alloc }, index: alloc.ModifyIndex };
      });
    }
    case "Alloc.GetAllocs": {
      const req = parseRequest(method, AllocsGetSchema, args);
      if (mustForward(deps, req)) return deps.forward(method, args);
      return blockingQuery(ctx, req, ["allocs"], call.signal, (snap) => {
        // Allocations GC'd since the caller learnt their IDs are left out.
        const allocs = req.AllocIDs.map((id) => snap.allocByID(id)).filter((a) => a !== undefined);
        return {
          body: { Allocs: allocs },
          ...(allocs.length === 0 ? {} : { index: Math.max(...allocs.map((a) => a.AllocModifyIndex)) }),
        };
      });
    }
    default:
      throw new RpcError("UNKNOWN_METHOD", `rpc: can't find method ${method}`);
  }
}
