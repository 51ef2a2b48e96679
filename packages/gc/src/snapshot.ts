import type { GcAlloc, GcDeployment, GcEval, GcJob, GcNode } from "./views.js";

/**
 * What GC reads: one consistent, read-only snapshot of the server's state (Nomad hands
 * the core scheduler a memdb snapshot). Lookups return arrays the policy never mutates;
 * an unknown key yields an empty array (or null for jobByID).
 */
export interface GcSnapshot {
  nodes(): Iterable<GcNode>;
  jobs(): Iterable<GcJob>;
  evals(): Iterable<GcEval>;
  deployments(): Iterable<GcDeployment>;

  jobByID(namespace: string, jobID: string): GcJob | null;
  /** Jobs whose ParentID is `parentID` (dispatched or periodic children). */
  childJobs(namespace: string, parentID: string): readonly GcJob[];
  /** True when any stored version of the job carries a VersionTag (Nomad keeps those jobs). */
  jobHasTaggedVersion(namespace: string, jobID: string): boolean;

  evalsByJob(namespace: string, jobID: string): readonly GcEval[];
  allocsByEval(evalID: string): readonly GcAlloc[];
  allocsByJob(namespace: string, jobID: string): readonly GcAlloc[];
  allocsByNode(nodeID: string): readonly GcAlloc[];
  allocsByDeployment(deploymentID: string): readonly GcAlloc[];
  deploymentsByJob(namespace: string, jobID: string): readonly GcDeployment[];
}

/** Injected time source (ARCHITECTURE rule 1): policies never read the wall clock. */
export interface GcClock {
  /** Unix time in nanoseconds (the unit Nomad stores ModifyTime and SubmitTime in). */
  nowUnixNs(): number;
}
