// Evaluation writes like Nomad's UpsertEvals / DeleteEval.
import type { Evaluation } from "@nomad/structs";
import { JobStatusSet, setJobStatuses } from "./job-status.js";
import { updateSummaryQueued } from "./job-summary.js";
import type { StateTxn } from "./txn.js";

/** Upserts evals, then re-computes the status of each eval's job. */
export function upsertEvals(txn: StateTxn, evals: readonly Evaluation[]): void {
  const jobs = new JobStatusSet();
  for (const e of evals) {
    nestedUpsertEval(txn, e);
    jobs.add(e.Namespace, e.JobID, "");
  }
  setJobStatuses(txn, jobs.values(), false);
}

function nestedUpsertEval(txn: StateTxn, e: Evaluation): void {
  const existing = txn.evaluation(e.ID);
  const stored: Evaluation = {
    ...e,
    CreateIndex: existing?.CreateIndex ?? txn.index,
    ModifyIndex: txn.index,
  };
  updateSummaryQueued(txn, stored);
  // A job that is now fully placed no longer needs its blocked evals (Nomad cancels them here).
  if (stored.Status === "complete" && Object.keys(stored.FailedTGAllocs).length === 0) {
    for (const b of txn.evalsByJob(stored.Namespace, stored.JobID)) {
      if (b.Status !== "blocked" || b.ID === stored.ID) continue;
      txn.putEval({
        ...b,
        Status: "canceled",
        StatusDescription: `evaluation "${stored.ID}" successful`,
        ModifyIndex: txn.index,
        ModifyTime: stored.ModifyTime,
      });
    }
  }
  txn.putEval(stored);
}

/** GC: deletes evals and allocs (missing IDs are skipped); touched jobs may become dead. */
export function deleteEvals(txn: StateTxn, evalIDs: readonly string[], allocIDs: readonly string[]): void {
  const jobs = new JobStatusSet();
  for (const id of evalIDs) {
    const prev = txn.deleteEval(id);
    if (prev !== undefined) jobs.add(prev.Namespace, prev.JobID, "");
  }
  // Nomad only re-evaluates the evals' jobs; the allocs' jobs too keeps a job from staying
  // "running" after its last live alloc was deleted (GC deletes only terminal ones, so this
  // changes nothing in practice, but the status never contradicts the rows).
  for (const id of allocIDs) {
    const prev = txn.deleteAlloc(id);
    if (prev !== undefined) jobs.add(prev.Namespace, prev.JobID, "");
  }
  setJobStatuses(txn, jobs.values(), true);
}
