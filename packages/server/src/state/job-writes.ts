// Job writes like Nomad's upsertJobImpl / DeleteJobTxn, with version history.
import type { Job } from "@nomad/structs";
import { deepEqual } from "./deep-equal.js";
import { StateError } from "./errors.js";
import { computeJobStatus, updateParentChildren } from "./job-status.js";
import { updateSummaryWithJob } from "./job-summary.js";
import type { StateTxn } from "./txn.js";
import { JOB_TRACKED_VERSIONS } from "./types.js";

// Fields the server owns or that do not describe what should run (Nomad's Job.SpecChanged).
const NON_SPEC_FIELDS: ReadonlySet<string> = new Set([
  "Status",
  "StatusDescription",
  "Stable",
  "Version",
  "SubmitTime",
  "CreateIndex",
  "ModifyIndex",
  "JobModifyIndex",
]);

export function jobSpecChanged(existing: Job, next: Job): boolean {
  return !deepEqual(existing, next, NON_SPEC_FIELDS);
}

/**
 * Stores a job. A changed spec becomes a new version (Version bumped, JobModifyIndex set);
 * an unchanged spec writes nothing, as Nomad's Job.Register skips the Raft write then.
 * Returns the stored job.
 */
export function upsertJob(txn: StateTxn, job: Job): Job {
  if (job.ID === "") throw new StateError("INVALID", "job ID is required");
  const existing = txn.job(job.Namespace, job.ID);
  if (existing !== undefined && !jobSpecChanged(existing, job)) return existing;
  const stored: Job =
    existing === undefined
      ? { ...job, CreateIndex: txn.index, ModifyIndex: txn.index, JobModifyIndex: txn.index }
      : {
          ...job,
          CreateIndex: existing.CreateIndex,
          ModifyIndex: txn.index,
          JobModifyIndex: txn.index,
          Version: job.Version > existing.Version ? job.Version : existing.Version + 1,
        };
  stored.Status = computeJobStatus(txn, stored, false);
  txn.putJob(stored);
  updateParentChildren(txn, stored, existing?.Status ?? "", stored.Status);
  updateSummaryWithJob(txn, stored);
  putJobVersion(txn, stored);
  return stored;
}

/** Marks a job stopped (a new version, like `nomad job stop`). Returns the stored job. */
export function stopJob(txn: StateTxn, namespace: string, id: string, submitTimeNs?: number): Job {
  const existing = txn.job(namespace, id);
  if (existing === undefined)
    throw new StateError("NOT_FOUND", `job "${id}" in namespace "${namespace}" not found`);
  return upsertJob(txn, {
    ...existing,
    Stop: true,
    SubmitTime: submitTimeNs ?? existing.SubmitTime,
  });
}

/** Removes a job, its versions and its summary; the parent's Children forget it. False if absent. */
export function purgeJob(txn: StateTxn, namespace: string, id: string): boolean {
  const existing = txn.job(namespace, id);
  if (existing === undefined) return false;
  updateParentChildren(txn, existing, existing.Status, "");
  txn.deleteJob(namespace, id);
  for (const v of txn.jobVersions(namespace, id)) txn.deleteJobVersion(namespace, id, v.Version);
  txn.deleteSummary(namespace, id);
  return true;
}

/** Keeps the newest JOB_TRACKED_VERSIONS untagged versions (tagged ones are kept, as in Nomad). */
function putJobVersion(txn: StateTxn, job: Job): void {
  txn.putJobVersion(job);
  const all = txn.jobVersions(job.Namespace, job.ID); // newest first
  let untagged = 0;
  for (const v of all) {
    const tagged = v["VersionTag"] !== undefined && v["VersionTag"] !== null;
    if (tagged) continue;
    untagged++;
    if (untagged > JOB_TRACKED_VERSIONS) txn.deleteJobVersion(v.Namespace, v.ID, v.Version);
  }
}
