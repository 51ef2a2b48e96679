// Adapts a state snapshot to @nomad/gc's GcSnapshot. A separate object because the two read
// interfaces disagree on one signature (GC's jobByID answers null, the scheduler's undefined).
import type { GcAlloc, GcDeployment, GcEval, GcJob, GcNode, GcSnapshot } from "@nomad/gc";
import type { StateSnapshot } from "./types.js";

export function gcView(snap: StateSnapshot): GcSnapshot {
  return {
    nodes: (): Iterable<GcNode> => snap.nodes(),
    jobs: (): Iterable<GcJob> => snap.jobs("*"),
    evals: (): Iterable<GcEval> => snap.evals(),
    // Deployments are not modelled by this server yet: none to collect.
    deployments: (): Iterable<GcDeployment> => [],
    jobByID: (namespace, jobID) => snap.jobByID(namespace, jobID) ?? null,
    childJobs: (namespace, parentID) => snap.childJobs(namespace, parentID),
    jobHasTaggedVersion: (namespace, jobID) =>
      snap
        .jobVersions(namespace, jobID)
        .some((v) => v["VersionTag"] !== undefined && v["VersionTag"] !== null),
    evalsByJob: (namespace, jobID) => snap.evalsByJob(namespace, jobID),
    allocsByEval: (evalID): readonly GcAlloc[] => snap.allocsByEval(evalID),
    allocsByJob: (namespace, jobID): readonly GcAlloc[] => snap.allocsByJob(namespace, jobID),
    allocsByNode: (nodeID): readonly GcAlloc[] => snap.allocsByNode(nodeID),
    allocsByDeployment: (deploymentID): readonly GcAlloc[] => snap.allocsByDeployment(deploymentID),
    deploymentsByJob: (): readonly GcDeployment[] => [],
  };
}
