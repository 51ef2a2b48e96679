import type { GcSnapshot } from "../snapshot.js";
import type { GcEval, GcJob } from "../views.js";
import { allocGcEligible } from "./alloc-eligible.js";
import type { GcSelection } from "./plan.js";
import { allocIsTerminal, evalIsTerminal } from "./terminal.js";

/**
 * Decides one evaluation (Nomad's gcEval); `job` is the evaluation's job, or null when
 * it is gone. Pushes the IDs of its allocations that may be
 * deleted onto `outAllocIDs` and returns whether the evaluation itself may go, which is
 * only when every one of its allocations may go.
 *
 * Batch evaluations of a job that is still wanted keep their allocations of the current
 * job version: a terminal batch allocation is the record that the work is done, and
 * deleting it would make the scheduler run the work again. Older versions' allocations
 * still go once old enough, and the evaluation with them when none is left.
 */
export function gcEval(
  snap: GcSnapshot,
  ev: GcEval,
  job: GcJob | null,
  nowNs: number,
  cutoffNs: number,
  allowBatch: boolean,
  outAllocIDs: string[],
): boolean {
  if (!evalIsTerminal(ev) || ev.ModifyTime > cutoffNs) return false;
  const allocs = snap.allocsByEval(ev.ID);
  if (ev.Type === "batch" && job !== null && !(job.Status === "dead" && (job.Stop || allowBatch))) {
    let all = true;
    for (const a of allocs) {
      // Nomad's olderVersionTerminalAllocs lacks the "still running on its client" guard
      // that allocGCEligible has; it is kept here (found by the property test).
      const old = a.CreateIndex < job.JobModifyIndex && a.ModifyTime < cutoffNs;
      if (old && allocIsTerminal(a) && a.ClientStatus !== "running") {
        outAllocIDs.push(a.ID);
      } else {
        all = false;
      }
    }
    return all;
  }
  let all = true;
  for (const a of allocs) {
    if (allocGcEligible(a, job, nowNs, cutoffNs)) outAllocIDs.push(a.ID);
    else all = false;
  }
  return all;
}

export interface EvalGcOptions {
  readonly nowNs: number;
  readonly thresholdNs: number;
  readonly batchThresholdNs: number;
  /** Evaluations to leave alone (forced GC skips those of jobs it already purges). */
  readonly skip?: (ev: GcEval) => boolean;
}

/**
 * Eval GC: terminal evaluations older than `eval_gc_threshold` (batch evaluations:
 * `batch_eval_gc_threshold`), with their allocations. Allocations that may go are
 * collected even when their evaluation must stay, as Nomad does.
 */
export function evalGc(snap: GcSnapshot, opts: EvalGcOptions, sel: GcSelection): void {
  const cutoff = opts.nowNs - opts.thresholdNs;
  const batchCutoff = opts.nowNs - opts.batchThresholdNs;
  // A job's evaluations are usually stored together: remember the last job looked up.
  let lastNs = "";
  let lastJobID = "";
  let job: GcJob | null = null;
  for (const ev of snap.evals()) {
    // Cheap rejections first: most evaluations are simply too young or still pending.
    const c = ev.Type === "batch" ? batchCutoff : cutoff;
    if (!evalIsTerminal(ev) || ev.ModifyTime > c) continue;
    if (opts.skip?.(ev) === true) continue;
    if (ev.JobID !== lastJobID || ev.Namespace !== lastNs) {
      job = snap.jobByID(ev.Namespace, ev.JobID);
      lastNs = ev.Namespace;
      lastJobID = ev.JobID;
    }
    if (gcEval(snap, ev, job, opts.nowNs, c, false, sel.allocIDs)) sel.evalIDs.push(ev.ID);
  }
}
