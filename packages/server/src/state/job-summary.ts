// Job summaries like Nomad's: one TaskGroupSummary per group, moved between bins as allocs
// change client status; Queued comes from the scheduler's evals (QueuedAllocations).
import type { Allocation, Evaluation, Job, JobSummary, TaskGroupSummary } from "@nomad/structs";
import type { StateTxn } from "./txn.js";

export function emptyGroupSummary(): TaskGroupSummary {
  return { Queued: 0, Complete: 0, Failed: 0, Running: 0, Starting: 0, Lost: 0, Unknown: 0 };
}

/** Creates the summary of a new job and adds groups the job gained (updateSummaryWithJob). */
export function updateSummaryWithJob(txn: StateTxn, job: Job): void {
  const existing = txn.summary(job.Namespace, job.ID);
  let changed = existing === undefined;
  const summary: JobSummary =
    existing === undefined
      ? {
          JobID: job.ID,
          Namespace: job.Namespace,
          Summary: {},
          Children: { Pending: 0, Running: 0, Dead: 0 },
          CreateIndex: txn.index,
          ModifyIndex: txn.index,
        }
      : { ...existing, Summary: { ...existing.Summary } };
  for (const tg of job.TaskGroups) {
    if (summary.Summary[tg.Name] === undefined) {
      summary.Summary[tg.Name] = emptyGroupSummary();
      changed = true;
    }
  }
  if (changed) txn.putSummary({ ...summary, ModifyIndex: txn.index });
}

/** Moves the alloc between bins when it is new or its client status changed (updateSummaryWithAlloc). */
export function updateSummaryWithAlloc(
  txn: StateTxn,
  alloc: Allocation,
  existing: Allocation | undefined,
): void {
  const summary = txn.summary(alloc.Namespace, alloc.JobID);
  if (summary === undefined) return; // job purged: nothing to count against
  const tg: TaskGroupSummary = { ...(summary.Summary[alloc.TaskGroup] ?? emptyGroupSummary()) };
  if (existing === undefined) {
    // A new alloc only counts when it is starting; the scheduler places allocs as pending.
    if (alloc.ClientStatus !== "pending") return;
    tg.Starting += 1;
    if (tg.Queued > 0) tg.Queued -= 1;
  } else {
    if (existing.ClientStatus === alloc.ClientStatus) return;
    increment(tg, alloc.ClientStatus);
    // Like Nomad, complete and failed are final bins: an alloc never leaves them.
    decrement(tg, existing.ClientStatus);
  }
  txn.putSummary({
    ...summary,
    Summary: { ...summary.Summary, [alloc.TaskGroup]: tg },
    ModifyIndex: txn.index,
  });
}

function increment(tg: TaskGroupSummary, status: string): void {
  switch (status) {
    case "running":
      tg.Running += 1;
      break;
    case "failed":
      tg.Failed += 1;
      break;
    case "pending":
      tg.Starting += 1;
      break;
    case "complete":
      tg.Complete += 1;
      break;
    case "lost":
      tg.Lost += 1;
      break;
    case "unknown":
      tg.Unknown += 1;
      break;
  }
}

function decrement(tg: TaskGroupSummary, status: string): void {
  switch (status) {
    case "running":
      if (tg.Running > 0) tg.Running -= 1;
      break;
    case "pending":
      if (tg.Starting > 0) tg.Starting -= 1;
      break;
    case "lost":
      if (tg.Lost > 0) tg.Lost -= 1;
      break;
    case "unknown":
      if (tg.Unknown > 0) tg.Unknown -= 1;
      break;
  }
}

/** An eval's QueuedAllocations set the groups' Queued counts (upsertEvalImpl). */
export function updateSummaryQueued(txn: StateTxn, e: Evaluation): void {
  const queued = Object.entries(e.QueuedAllocations);
  if (queued.length === 0) return;
  const summary = txn.summary(e.Namespace, e.JobID);
  if (summary === undefined) return;
  let changed = false;
  const groups = { ...summary.Summary };
  for (const [name, n] of queued) {
    const tg = groups[name];
    if (tg === undefined || tg.Queued === n) continue;
    groups[name] = { ...tg, Queued: n };
    changed = true;
  }
  if (changed) txn.putSummary({ ...summary, Summary: groups, ModifyIndex: txn.index });
}
