import type { NamespacedID } from "../views.js";
import type { CoreJobName } from "./core-jobs.js";

/**
 * One Raft write. Each kind maps to the Nomad RPC the leader applies it with:
 * - `eval-reap`       -> Eval.Reap (allocations first, then evaluations)
 * - `job-purge`       -> Job.BatchDeregister with Purge=true
 * - `deployment-reap` -> Deployment.Reap
 * - `node-deregister` -> Node.BatchDeregister
 */
export type GcBatch =
  | { readonly kind: "eval-reap"; readonly allocIDs: readonly string[]; readonly evalIDs: readonly string[] }
  | { readonly kind: "job-purge"; readonly jobs: readonly NamespacedID[] }
  | { readonly kind: "deployment-reap"; readonly deploymentIDs: readonly string[] }
  | { readonly kind: "node-deregister"; readonly nodeIDs: readonly string[] };

export interface GcCounts {
  readonly nodes: number;
  readonly jobs: number;
  readonly evals: number;
  readonly allocs: number;
  readonly deployments: number;
}

/**
 * What one `_core` evaluation decided. Batches must be applied in order: a job's
 * evaluations and allocations go before the job, so a crash between two writes never
 * leaves them without their job (the next pass simply finds the job again).
 */
export interface GcPlan {
  readonly coreJob: CoreJobName;
  readonly nowUnixNs: number;
  readonly batches: readonly GcBatch[];
  readonly counts: GcCounts;
}

export interface BatchLimits {
  readonly maxIdsPerBatch: number;
  readonly maxJobsPerBatch: number;
}

/** Nomad's partitionEvalReap: up to `max` IDs per request, allocations before evaluations. */
export function evalReapBatches(
  allocIDs: readonly string[],
  evalIDs: readonly string[],
  max: number,
): GcBatch[] {
  const out: GcBatch[] = [];
  let a = 0;
  let e = 0;
  while (a < allocIDs.length || e < evalIDs.length) {
    const allocs = allocIDs.slice(a, a + max);
    a += allocs.length;
    const room = max - allocs.length;
    const evals = room > 0 ? evalIDs.slice(e, e + room) : [];
    e += evals.length;
    out.push({ kind: "eval-reap", allocIDs: allocs, evalIDs: evals });
  }
  return out;
}

function chunks<T>(items: readonly T[], max: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += max) out.push(items.slice(i, i + max));
  return out;
}

export function jobPurgeBatches(jobs: readonly NamespacedID[], max: number): GcBatch[] {
  return chunks(jobs, max).map((c) => ({ kind: "job-purge", jobs: c }));
}

export function deploymentReapBatches(ids: readonly string[], max: number): GcBatch[] {
  return chunks(ids, max).map((c) => ({ kind: "deployment-reap", deploymentIDs: c }));
}

export function nodeDeregisterBatches(ids: readonly string[], max: number): GcBatch[] {
  return chunks(ids, max).map((c) => ({ kind: "node-deregister", nodeIDs: c }));
}

/** What one GC stage selected, before it is cut into batches. */
export interface GcSelection {
  readonly allocIDs: string[];
  readonly evalIDs: string[];
  readonly jobs: NamespacedID[];
  readonly deploymentIDs: string[];
  readonly nodeIDs: string[];
}

export function emptySelection(): GcSelection {
  return { allocIDs: [], evalIDs: [], jobs: [], deploymentIDs: [], nodeIDs: [] };
}

/** Cuts a selection into batches in the safe order: eval reaps, job purges, deployments, nodes. */
export function selectionBatches(sel: GcSelection, limits: BatchLimits): GcBatch[] {
  return [
    ...evalReapBatches(sel.allocIDs, sel.evalIDs, limits.maxIdsPerBatch),
    ...jobPurgeBatches(sel.jobs, limits.maxJobsPerBatch),
    ...deploymentReapBatches(sel.deploymentIDs, limits.maxIdsPerBatch),
    ...nodeDeregisterBatches(sel.nodeIDs, limits.maxIdsPerBatch),
  ];
}

export function countBatches(batches: readonly GcBatch[]): GcCounts {
  let nodes = 0;
  let jobs = 0;
  let evals = 0;
  let allocs = 0;
  let deployments = 0;
  for (const b of batches) {
    switch (b.kind) {
      case "eval-reap":
        evals += b.evalIDs.length;
        allocs += b.allocIDs.length;
        break;
      case "job-purge":
        jobs += b.jobs.length;
        break;
      case "deployment-reap":
        deployments += b.deploymentIDs.length;
        break;
      case "node-deregister":
        nodes += b.nodeIDs.length;
        break;
    }
  }
  return { nodes, jobs, evals, allocs, deployments };
}
