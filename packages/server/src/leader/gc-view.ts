import type { GcDeployment, GcJob, GcSnapshot } from "@nomad/gc";
import type { StateSnapshot } from "../state/types.js";

const NO_DEPLOYMENTS: readonly GcDeployment[] = [];

/** @nomad/gc's read interface over a state snapshot (deployments are not modelled yet). */
export function gcView(snap: StateSnapshot): GcSnapshot {
  return {
    nodes: () => snap.nodes(),
    jobs: () => snap.jobs("*") as readonly GcJob[],
    evals: () => snap.evals(),
    deployments: () => NO_DEPLOYMENTS,
    jobByID: (ns, id) => (snap.jobByID(ns, id) as GcJob | undefined) ?? null,
    childJobs: (ns, parentID) => snap.childJobs(ns, parentID) as readonly GcJob[],
    jobHasTaggedVersion: (ns, id) =>
      snap.jobVersions(ns, id).some((j) => {
        const tag = (j as { VersionTag?: unknown }).VersionTag;
        return tag !== undefined && tag !== null;
      }),
    evalsByJob: (ns, id) => snap.evalsByJob(ns, id),
    allocsByEval: (id) => snap.allocsByEval(id),
    allocsByJob: (ns, id) => snap.allocsByJob(ns, id),
    allocsByNode: (id) => snap.allocsByNode(id),
    allocsByDeployment: (id) => snap.allocsByDeployment(id),
    deploymentsByJob: () => NO_DEPLOYMENTS,
  };
}
