// Allocation writes like Nomad's upsertAllocsImpl, UpdateAllocsFromClient,
// UpdateAllocsDesiredTransitions and UpsertPlanResults.
import {
  ALLOC_CLIENT_STATUSES,
  allocIsTerminal,
  type AllocClientUpdate,
  type Allocation,
  type DesiredTransition,
  type Evaluation,
  type Job,
} from "@nomad/structs";
import { StateError } from "./errors.js";
import { upsertEvals } from "./eval-writes.js";
import { JobStatusSet, setJobStatuses } from "./job-status.js";
import { updateSummaryWithAlloc } from "./job-summary.js";
import type { StateTxn } from "./txn.js";

/**
 * Server-side alloc writes (scheduler placements, updates, stops). For an existing alloc the
 * client stays the authority on TaskStates and ClientStatus, unless the scheduler marks it
 * lost or unknown; a missing Job or AllocatedResources is kept from the stored alloc.
 */
export function upsertAllocs(txn: StateTxn, allocs: readonly Allocation[]): void {
  const jobs = new JobStatusSet();
  for (const input of allocs) {
    const exist = txn.alloc(input.ID);
    let a: Allocation;
    if (exist === undefined) {
      // Nomad refuses this too: it means the alloc was GC'd between plan and apply.
      if (input.Job === null)
        throw new StateError("INVALID", `attempting to upsert allocation "${input.ID}" without a job`);
      a = { ...input, CreateIndex: txn.index, ModifyIndex: txn.index, AllocModifyIndex: txn.index };
    } else {
      a = {
        ...input,
        CreateIndex: exist.CreateIndex,
        ModifyIndex: txn.index,
        AllocModifyIndex: txn.index,
        TaskStates: exist.TaskStates,
        Job: input.Job ?? exist.Job,
        AllocatedResources: input.AllocatedResources ?? exist.AllocatedResources,
      };
      if (input.ClientStatus !== "lost" && input.ClientStatus !== "unknown") {
        a.ClientStatus = exist.ClientStatus;
        a.ClientDescription = exist.ClientDescription;
      }
    }
    updateSummaryWithAlloc(txn, a, exist);
    txn.putAlloc(a);
    if (a.PreviousAllocation !== "") {
      const prev = txn.alloc(a.PreviousAllocation);
      if (prev !== undefined && prev.NextAllocation !== a.ID)
        txn.putAlloc({ ...prev, NextAllocation: a.ID, ModifyIndex: txn.index });
    }
    jobs.add(a.Namespace, a.JobID, allocIsTerminal(a) ? "" : "running");
  }
  setJobStatuses(txn, jobs.values(), false);
}

/** Client reports: only client-owned fields change, plus ModifyIndex/ModifyTime (not AllocModifyIndex, as in Nomad, so the client does not re-fetch its own update). Unknown allocs are skipped. */
export function updateAllocsFromClient(txn: StateTxn, updates: readonly AllocClientUpdate[]): void {
  for (const u of updates) {
    if (!(ALLOC_CLIENT_STATUSES as readonly string[]).includes(u.ClientStatus))
      throw new StateError("INVALID", `alloc ${u.ID}: unknown client status "${u.ClientStatus}"`);
  }
  for (const u of updates) {
    const exist = txn.alloc(u.ID);
    if (exist === undefined) continue;
    const a: Allocation = {
      ...exist,
      ClientStatus: u.ClientStatus as Allocation["ClientStatus"],
      ClientDescription: u.ClientDescription,
      TaskStates: u.TaskStates,
      ModifyIndex: txn.index,
      ModifyTime: u.ModifyTime,
    };
    updateSummaryWithAlloc(txn, a, exist);
    txn.putAlloc(a);
    setJobStatuses(
      txn,
      [{ namespace: a.Namespace, id: a.JobID, force: allocIsTerminal(a) ? "" : "running" }],
      false,
    );
  }
}

/** Merges each transition's set fields into the alloc's DesiredTransition, then upserts the evals. */
export function updateDesiredTransitions(
  txn: StateTxn,
  transitions: Readonly<Record<string, DesiredTransition>>,
  evals: readonly Evaluation[],
): void {
  for (const [id, t] of Object.entries(transitions)) {
    const exist = txn.alloc(id);
    if (exist === undefined) continue;
    const merged: DesiredTransition = { ...exist.DesiredTransition };
    for (const k of ["Migrate", "Reschedule", "ForceReschedule", "NoShutdownDelay"] as const) {
      const v = t[k];
      if (v !== null && v !== undefined) merged[k] = v;
    }
    txn.putAlloc({
      ...exist,
      DesiredTransition: merged,
      ModifyIndex: txn.index,
      AllocModifyIndex: txn.index,
    });
  }
  upsertEvals(txn, evals);
}

export interface PlanResults {
  Job: Job | null;
  EvalID: string;
  AllocsStopped: readonly Allocation[];
  AllocsPlaced: readonly Allocation[];
  AllocsUpdated: readonly Allocation[];
  AllocsPreempted: readonly Allocation[];
  EvalsToUpsert?: readonly Evaluation[] | undefined;
}

/** The plan applier's result: stops and preemptions are merged into the stored allocs. */
export function upsertPlanResults(txn: StateTxn, r: PlanResults): void {
  if (r.EvalID !== "") {
    const e = txn.evaluation(r.EvalID);
    if (e !== undefined) txn.putEval({ ...e, ModifyIndex: txn.index }, true);
  }
  const withJob = (a: Allocation): Allocation =>
    a.Job === null && r.Job !== null ? { ...a, Job: r.Job } : a;
  const all: Allocation[] = [
    ...r.AllocsStopped.map((d) => mergeStop(txn, d)),
    ...r.AllocsPlaced.map(withJob),
    ...r.AllocsUpdated.map(withJob),
    ...r.AllocsPreempted.map((d) => mergePreemption(txn, d)),
  ];
  upsertAllocs(txn, all);
  if (r.EvalsToUpsert !== undefined && r.EvalsToUpsert.length > 0) upsertEvals(txn, r.EvalsToUpsert);
}

function stored(txn: StateTxn, id: string): Allocation {
  const a = txn.alloc(id);
  if (a === undefined) throw new StateError("NOT_FOUND", `alloc ${id} doesn't exist`);
  return a;
}

function mergeStop(txn: StateTxn, diff: Allocation): Allocation {
  const a: Allocation = {
    ...stored(txn, diff.ID),
    DesiredStatus: "stop",
    DesiredDescription: diff.DesiredDescription,
  };
  if ((diff.ClientStatus as string) !== "" && diff.ClientStatus !== a.ClientStatus) {
    // Only the scheduler's lost/unknown verdicts override the client (see upsertAllocs).
    a.ClientStatus = diff.ClientStatus;
  }
  if (diff.FollowupEvalID !== "") a.FollowupEvalID = diff.FollowupEvalID;
  if (diff.ModifyTime !== 0) a.ModifyTime = diff.ModifyTime;
  return a;
}

function mergePreemption(txn: StateTxn, diff: Allocation): Allocation {
  const by = diff.PreemptedByAllocation;
  const a: Allocation = {
    ...stored(txn, diff.ID),
    DesiredStatus: "evict",
    PreemptedByAllocation: by,
    DesiredDescription: `Preempted by alloc ID ${by}`,
  };
  if (diff.ModifyTime !== 0) a.ModifyTime = diff.ModifyTime;
  return a;
}
