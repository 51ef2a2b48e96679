import type { GcBatch, GcPlan } from "../core/plan.js";
import type { GcSnapshot } from "../snapshot.js";
import type { GcAlloc, GcDeployment, GcEval, GcJob, GcNode } from "../views.js";

const NONE: readonly never[] = Object.freeze([]);

function key(namespace: string, id: string): string {
  return `${namespace}\u0000${id}`;
}

function push<V>(m: Map<string, V[]>, k: string, v: V): void {
  const list = m.get(k);
  if (list === undefined) m.set(k, [v]);
  else list.push(v);
}

function drop<V>(m: Map<string, V[]>, k: string, v: V): void {
  const list = m.get(k);
  if (list === undefined) return;
  const i = list.indexOf(v);
  if (i >= 0) list.splice(i, 1);
  if (list.length === 0) m.delete(k);
}

/** How many objects one apply() actually removed. */
export interface ApplyResult {
  readonly nodes: number;
  readonly jobs: number;
  readonly evals: number;
  readonly allocs: number;
  readonly deployments: number;
}

/**
 * In-memory state with the indexes GC reads, and apply() with the delete semantics of
 * Nomad's FSM for each batch kind (a purged job takes its deployments along, as Nomad's
 * DeleteJobTxn does; its evaluations and allocations go by their own Eval.Reap batch).
 * For tests, simulations and the benchmark; the server implements GcSnapshot over its
 * own store.
 */
export class MemoryGcState implements GcSnapshot {
  private readonly nodeMap = new Map<string, GcNode>();
  private readonly jobMap = new Map<string, GcJob>();
  private readonly evalMap = new Map<string, GcEval>();
  private readonly allocMap = new Map<string, GcAlloc>();
  private readonly deploymentMap = new Map<string, GcDeployment>();
  private readonly tagged = new Set<string>();

  private readonly childIndex = new Map<string, GcJob[]>();
  private readonly evalsByJobIndex = new Map<string, GcEval[]>();
  private readonly allocsByEvalIndex = new Map<string, GcAlloc[]>();
  private readonly allocsByJobIndex = new Map<string, GcAlloc[]>();
  private readonly allocsByNodeIndex = new Map<string, GcAlloc[]>();
  private readonly allocsByDeploymentIndex = new Map<string, GcAlloc[]>();
  private readonly deploymentsByJobIndex = new Map<string, GcDeployment[]>();

  // ---- writes -------------------------------------------------------------------------

  upsertNode(n: GcNode): void {
    this.nodeMap.set(n.ID, n);
  }

  upsertJob(j: GcJob): void {
    const k = key(j.Namespace, j.ID);
    this.deleteJob(k);
    this.jobMap.set(k, j);
    if (j.ParentID !== "") push(this.childIndex, key(j.Namespace, j.ParentID), j);
  }

  /** Marks some stored version of the job as tagged (Nomad keeps such jobs). */
  tagJobVersion(namespace: string, jobID: string): void {
    this.tagged.add(key(namespace, jobID));
  }

  upsertEval(e: GcEval): void {
    this.deleteEval(e.ID);
    this.evalMap.set(e.ID, e);
    push(this.evalsByJobIndex, key(e.Namespace, e.JobID), e);
  }

  upsertAlloc(a: GcAlloc): void {
    this.deleteAlloc(a.ID);
    this.allocMap.set(a.ID, a);
    push(this.allocsByEvalIndex, a.EvalID, a);
    push(this.allocsByJobIndex, key(a.Namespace, a.JobID), a);
    push(this.allocsByNodeIndex, a.NodeID, a);
    if (a.DeploymentID !== "") push(this.allocsByDeploymentIndex, a.DeploymentID, a);
  }

  upsertDeployment(d: GcDeployment): void {
    this.deleteDeployment(d.ID);
    this.deploymentMap.set(d.ID, d);
    push(this.deploymentsByJobIndex, key(d.Namespace, d.JobID), d);
  }

  /** Applies one plan's batches in order; IDs already gone are skipped, as in Nomad's FSM. */
  apply(plan: Pick<GcPlan, "batches">): ApplyResult {
    const r = { nodes: 0, jobs: 0, evals: 0, allocs: 0, deployments: 0 };
    for (const b of plan.batches) this.applyBatch(b, r);
    return r;
  }

  private applyBatch(b: GcBatch, r: { -readonly [K in keyof ApplyResult]: number }): void {
    switch (b.kind) {
      case "eval-reap":
        for (const id of b.allocIDs) r.allocs += this.deleteAlloc(id) ? 1 : 0;
        for (const id of b.evalIDs) r.evals += this.deleteEval(id) ? 1 : 0;
        return;
      case "job-purge":
        for (const j of b.jobs) {
          const k = key(j.Namespace, j.ID);
          for (const d of [...(this.deploymentsByJobIndex.get(k) ?? [])]) {
            r.deployments += this.deleteDeployment(d.ID) ? 1 : 0;
          }
          r.jobs += this.deleteJob(k) ? 1 : 0;
        }
        return;
      case "deployment-reap":
        for (const id of b.deploymentIDs) r.deployments += this.deleteDeployment(id) ? 1 : 0;
        return;
      case "node-deregister":
        for (const id of b.nodeIDs) r.nodes += this.nodeMap.delete(id) ? 1 : 0;
        return;
    }
  }

  private deleteJob(k: string): boolean {
    const j = this.jobMap.get(k);
    if (j === undefined) return false;
    this.jobMap.delete(k);
    this.tagged.delete(k);
    if (j.ParentID !== "") drop(this.childIndex, key(j.Namespace, j.ParentID), j);
    return true;
  }

  private deleteEval(id: string): boolean {
    const e = this.evalMap.get(id);
    if (e === undefined) return false;
    this.evalMap.delete(id);
    drop(this.evalsByJobIndex, key(e.Namespace, e.JobID), e);
    return true;
  }

  private deleteAlloc(id: string): boolean {
    const a = this.allocMap.get(id);
    if (a === undefined) return false;
    this.allocMap.delete(id);
    drop(this.allocsByEvalIndex, a.EvalID, a);
    drop(this.allocsByJobIndex, key(a.Namespace, a.JobID), a);
    drop(this.allocsByNodeIndex, a.NodeID, a);
    if (a.DeploymentID !== "") drop(this.allocsByDeploymentIndex, a.DeploymentID, a);
    return true;
  }

  private deleteDeployment(id: string): boolean {
    const d = this.deploymentMap.get(id);
    if (d === undefined) return false;
    this.deploymentMap.delete(id);
    drop(this.deploymentsByJobIndex, key(d.Namespace, d.JobID), d);
    return true;
  }

  // ---- GcSnapshot ---------------------------------------------------------------------

  nodes(): Iterable<GcNode> {
    return this.nodeMap.values();
  }
  jobs(): Iterable<GcJob> {
    return this.jobMap.values();
  }
  evals(): Iterable<GcEval> {
    return this.evalMap.values();
  }
  deployments(): Iterable<GcDeployment> {
    return this.deploymentMap.values();
  }
  jobByID(namespace: string, jobID: string): GcJob | null {
    return this.jobMap.get(key(namespace, jobID)) ?? null;
  }
  childJobs(namespace: string, parentID: string): readonly GcJob[] {
    return this.childIndex.get(key(namespace, parentID)) ?? NONE;
  }
  jobHasTaggedVersion(namespace: string, jobID: string): boolean {
    return this.tagged.size > 0 && this.tagged.has(key(namespace, jobID));
  }
  evalsByJob(namespace: string, jobID: string): readonly GcEval[] {
    return this.evalsByJobIndex.get(key(namespace, jobID)) ?? NONE;
  }
  allocsByEval(evalID: string): readonly GcAlloc[] {
    return this.allocsByEvalIndex.get(evalID) ?? NONE;
  }
  allocsByJob(namespace: string, jobID: string): readonly GcAlloc[] {
    return this.allocsByJobIndex.get(key(namespace, jobID)) ?? NONE;
  }
  allocsByNode(nodeID: string): readonly GcAlloc[] {
    return this.allocsByNodeIndex.get(nodeID) ?? NONE;
  }
  allocsByDeployment(deploymentID: string): readonly GcAlloc[] {
    return this.allocsByDeploymentIndex.get(deploymentID) ?? NONE;
  }
  deploymentsByJob(namespace: string, jobID: string): readonly GcDeployment[] {
    return this.deploymentsByJobIndex.get(key(namespace, jobID)) ?? NONE;
  }

  // ---- inspection (tests) -------------------------------------------------------------

  hasNode(id: string): boolean {
    return this.nodeMap.has(id);
  }
  hasJob(namespace: string, id: string): boolean {
    return this.jobMap.has(key(namespace, id));
  }
  hasEval(id: string): boolean {
    return this.evalMap.has(id);
  }
  hasAlloc(id: string): boolean {
    return this.allocMap.has(id);
  }
  hasDeployment(id: string): boolean {
    return this.deploymentMap.has(id);
  }
  sizes(): ApplyResult {
    return {
      nodes: this.nodeMap.size,
      jobs: this.jobMap.size,
      evals: this.evalMap.size,
      allocs: this.allocMap.size,
      deployments: this.deploymentMap.size,
    };
  }
}
