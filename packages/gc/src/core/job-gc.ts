import type { GcSnapshot } from "../snapshot.js";
import type { GcJob } from "../views.js";
import { allocGcEligible } from "./alloc-eligible.js";
import { JobSet } from "./job-set.js";
import type { GcSelection } from "./plan.js";
import { deploymentIsActive, evalIsTerminal, jobIsGcCandidate, jobIsParent } from "./terminal.js";

export interface JobGcOptions {
  readonly nowNs: number;
  readonly thresholdNs: number;
}

/**
 * Job GC: jobs Nomad indexes as collectable (see jobIsGcCandidate) whose last submit is
 * older than `job_gc_threshold`, whose evaluations are all terminal and old, and whose
 * allocations may all go. The job leaves together with all its evaluations, allocations
 * and (terminal) deployments, so nothing is left pointing at a missing job.
 *
 * Periodic and parameterized parents (and any job with children) stay while any child
 * job remains that this same pass does not collect: children first, parents after them.
 *
 * Returns the collected jobs.
 */
export function jobGc(snap: GcSnapshot, opts: JobGcOptions, sel: GcSelection): JobSet {
  const cutoff = opts.nowNs - opts.thresholdNs;
  const collected = new JobSet();
  let parents: GcJob[] = [];

  for (const job of snap.jobs()) {
    if (!jobIsGcCandidate(job) || job.SubmitTime > cutoff) continue;
    // Only periodic and parameterized jobs launch children in Nomad; any job found with
    // children is held the same way, so a child never outlives the job it points at.
    if (jobIsParent(job) || snap.childJobs(job.Namespace, job.ID).length > 0) parents.push(job);
    else if (jobCollectable(snap, job, opts.nowNs, cutoff)) take(snap, job, sel, collected);
  }

  // A parent may itself be the child of a parent; repeat until a round collects nothing.
  let progress = true;
  while (progress && parents.length > 0) {
    progress = false;
    const waiting: GcJob[] = [];
    for (const p of parents) {
      const children = snap.childJobs(p.Namespace, p.ID);
      if (!children.every((c) => collected.has(c.Namespace, c.ID))) {
        waiting.push(p);
      } else if (jobCollectable(snap, p, opts.nowNs, cutoff)) {
        take(snap, p, sel, collected);
        progress = true;
      }
    }
    parents = waiting;
  }
  return collected;
}

function jobCollectable(snap: GcSnapshot, job: GcJob, nowNs: number, cutoffNs: number): boolean {
  if (snap.jobHasTaggedVersion(job.Namespace, job.ID)) return false;
  for (const ev of snap.evalsByJob(job.Namespace, job.ID)) {
    if (!evalIsTerminal(ev) || ev.ModifyTime > cutoffNs) return false;
    // Nomad only lets a batch evaluation go with its job once the job is dead.
    if (ev.Type === "batch" && job.Status !== "dead") return false;
  }
  for (const a of snap.allocsByJob(job.Namespace, job.ID)) {
    if (!allocGcEligible(a, job, nowNs, cutoffNs)) return false;
  }
  for (const d of snap.deploymentsByJob(job.Namespace, job.ID)) {
    if (deploymentIsActive(d)) return false;
  }
  return true;
}

function take(snap: GcSnapshot, job: GcJob, sel: GcSelection, collected: JobSet): void {
  for (const ev of snap.evalsByJob(job.Namespace, job.ID)) sel.evalIDs.push(ev.ID);
  for (const a of snap.allocsByJob(job.Namespace, job.ID)) sel.allocIDs.push(a.ID);
  for (const d of snap.deploymentsByJob(job.Namespace, job.ID)) sel.deploymentIDs.push(d.ID);
  sel.jobs.push({ Namespace: job.Namespace, ID: job.ID });
  collected.add(job.Namespace, job.ID);
}
