// The state store's read API: what endpoints, the leader and the scheduler read.
import type { SchedulerState } from "@nomad/scheduler";
import type { Allocation, Evaluation, Job, JobSummary, Node } from "@nomad/structs";

export type TableName = "jobs" | "job_versions" | "job_summary" | "nodes" | "evals" | "allocs" | "index";

export const TABLE_NAMES: readonly TableName[] = [
  "jobs",
  "job_versions",
  "job_summary",
  "nodes",
  "evals",
  "allocs",
  "index",
];

/** Nomad keeps this many versions of each job (job_tracked_versions). */
export const JOB_TRACKED_VERSIONS = 6;

/** Nomad keeps this many events on a node (MaxRetainedNodeEvents). */
export const MAX_RETAINED_NODE_EVENTS = 10;

/**
 * An immutable point-in-time view. Objects returned are shared with the store and with
 * other snapshots: callers must treat them as read-only (copy before changing).
 * Lists are sorted by ID (jobs by namespace then ID), like Nomad's memdb iteration.
 */
export interface StateSnapshot extends SchedulerState {
  /** The Raft index of the last write to `table` (0 when never written). */
  index(table: TableName): number;
  /** Latest version of each job; `"*"` (or no argument) for every namespace. */
  jobs(namespace?: string): readonly Job[];
  /** Jobs whose ID starts with `prefix` in `namespace` (`"*"` for all). */
  jobsByIDPrefix(namespace: string, prefix: string): readonly Job[];
  /** Stored versions, newest first (at most JOB_TRACKED_VERSIONS untagged). */
  jobVersions(namespace: string, id: string): readonly Job[];
  jobVersion(namespace: string, id: string, version: number): Job | undefined;
  jobSummary(namespace: string, id: string): JobSummary | undefined;
  /** Jobs whose ParentID is `parentID` (periodic / dispatched children). */
  childJobs(namespace: string, parentID: string): readonly Job[];
  nodesByIDPrefix(prefix: string): readonly Node[];
  evals(): readonly Evaluation[];
  evalsByIDPrefix(prefix: string): readonly Evaluation[];
  evalByID(id: string): Evaluation | undefined;
  evalsByJob(namespace: string, jobID: string): readonly Evaluation[];
  allocs(): readonly Allocation[];
  allocsByIDPrefix(prefix: string): readonly Allocation[];
  allocByID(id: string): Allocation | undefined;
  allocsByEval(evalID: string): readonly Allocation[];
  allocsByDeployment(deploymentID: string): readonly Allocation[];
}
