// The whole state as one immutable value. A write builds a new Tables sharing everything it
// did not touch; a snapshot is a reference to one Tables value.
import type { NodeUsage } from "@nomad/scheduler";
import type { Allocation, Evaluation, Job, JobSummary, Node } from "@nomad/structs";
import { PersistentMap } from "./persistent-map.js";
import { TABLE_NAMES, type TableName } from "./types.js";

export interface Tables {
  /** ns\0id -> latest job. */
  readonly jobs: PersistentMap<Job>;
  /** ns\0parentID\0id -> child job (only jobs with a ParentID). */
  readonly jobsByParent: PersistentMap<Job>;
  /** ns\0id\0paddedVersion -> job at that version. */
  readonly jobVersions: PersistentMap<Job>;
  /** ns\0id -> summary. */
  readonly jobSummary: PersistentMap<JobSummary>;
  readonly nodes: PersistentMap<Node>;
  readonly evals: PersistentMap<Evaluation>;
  /** ns\0jobID\0evalID. */
  readonly evalsByJob: PersistentMap<Evaluation>;
  readonly allocs: PersistentMap<Allocation>;
  /** nodeID\0allocID. */
  readonly allocsByNode: PersistentMap<Allocation>;
  /** ns\0jobID\0allocID. */
  readonly allocsByJob: PersistentMap<Allocation>;
  /** evalID\0allocID. */
  readonly allocsByEval: PersistentMap<Allocation>;
  /** deploymentID\0allocID (only allocs with a DeploymentID). */
  readonly allocsByDeployment: PersistentMap<Allocation>;
  /** nodeID -> what the node's non-terminal allocs hold; absent = nothing. */
  readonly nodeUsage: PersistentMap<NodeUsage>;
  readonly indexes: Readonly<Record<TableName, number>>;
}

export function zeroIndexes(): Record<TableName, number> {
  const out = {} as Record<TableName, number>;
  for (const t of TABLE_NAMES) out[t] = 0;
  return out;
}

export function emptyTables(): Tables {
  const e = PersistentMap.empty;
  return {
    jobs: e(),
    jobsByParent: e(),
    jobVersions: e(),
    jobSummary: e(),
    nodes: e(),
    evals: e(),
    evalsByJob: e(),
    allocs: e(),
    allocsByNode: e(),
    allocsByJob: e(),
    allocsByEval: e(),
    allocsByDeployment: e(),
    nodeUsage: e(),
    indexes: zeroIndexes(),
  };
}

/** The highest index any table has seen (Nomad's LatestIndex). */
export function latestIndexOf(t: Tables): number {
  return t.indexes.index;
}
