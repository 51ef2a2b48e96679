// Job status like Nomad's getJobStatus / setJobStatus, and the parent's Children counts.
import { allocIsTerminal, evalIsTerminal, type Job, type JobSummary } from "@nomad/structs";
import { nsKey } from "./keys.js";
import type { StateTxn } from "./txn.js";

export type JobStatus = "pending" | "running" | "dead";

export function jobIsPeriodic(job: Job): boolean {
  const p = job["Periodic"] as { Enabled?: unknown } | null | undefined;
  return p !== null && p !== undefined && p.Enabled === true;
}

export function jobIsParameterized(job: Job): boolean {
  const p = job["ParameterizedJob"];
  return p !== null && p !== undefined;
}

/**
 * System, periodic and parameterized jobs run until stopped. Otherwise: running with any
 * non-terminal alloc, pending with any non-terminal eval, dead when everything it has is
 * terminal (or its evals were garbage collected), pending when it has nothing yet.
 */
export function computeJobStatus(txn: StateTxn, job: Job, evalDelete: boolean): JobStatus {
  if (job.Type === "system" || jobIsPeriodic(job) || jobIsParameterized(job))
    return job.Stop ? "dead" : "running";
  const allocs = txn.allocsByJob(job.Namespace, job.ID);
  for (const a of allocs) if (!allocIsTerminal(a)) return "running";
  const evals = txn.evalsByJob(job.Namespace, job.ID);
  for (const e of evals) if (!evalIsTerminal(e)) return "pending";
  if (evalDelete || evals.length > 0 || allocs.length > 0) return "dead";
  return "pending";
}

/** Re-computes (or forces) a stored job's status; writes the job only when it changed. */
export function setJobStatus(txn: StateTxn, job: Job, evalDelete: boolean, force: JobStatus | ""): void {
  const oldStatus = job.Status;
  const newStatus = force !== "" ? force : computeJobStatus(txn, job, evalDelete);
  if (oldStatus === newStatus) return;
  txn.putJob({ ...job, Status: newStatus, ModifyIndex: txn.index });
  updateParentChildren(txn, job, oldStatus, newStatus);
}

export interface JobStatusUpdate {
  namespace: string;
  id: string;
  force: JobStatus | "";
}

/** Nomad's setJobStatuses: one pass over the touched jobs, in first-touched order. */
export function setJobStatuses(txn: StateTxn, jobs: Iterable<JobStatusUpdate>, evalDelete: boolean): void {
  for (const u of jobs) {
    const job = txn.job(u.namespace, u.id);
    if (job !== undefined) setJobStatus(txn, job, evalDelete, u.force);
  }
}

/** Collects job status updates, first touch wins the position, a later force overrides. */
export class JobStatusSet {
  private readonly byKey = new Map<string, JobStatusUpdate>();
  add(namespace: string, id: string, force: JobStatus | ""): void {
    const k = nsKey(namespace, id);
    const prev = this.byKey.get(k);
    if (prev === undefined) this.byKey.set(k, { namespace, id, force });
    else if (force !== "") prev.force = force;
  }
  values(): Iterable<JobStatusUpdate> {
    return this.byKey.values();
  }
}

/** A child job's status moved: adjust the parent's summary Children counts. */
export function updateParentChildren(txn: StateTxn, child: Job, oldStatus: string, newStatus: string): void {
  if (child.ParentID === "" || oldStatus === newStatus) return;
  const parent = txn.summary(child.Namespace, child.ParentID);
  if (parent === undefined) return;
  const children = { ...parent.Children };
  bump(children, oldStatus, -1);
  bump(children, newStatus, 1);
  const next: JobSummary = { ...parent, Children: children, ModifyIndex: txn.index };
  txn.putSummary(next);
}

function bump(c: JobSummary["Children"], status: string, delta: number): void {
  if (status === "pending") c.Pending = Math.max(0, c.Pending + delta);
  else if (status === "running") c.Running = Math.max(0, c.Running + delta);
  else if (status === "dead") c.Dead = Math.max(0, c.Dead + delta);
}
