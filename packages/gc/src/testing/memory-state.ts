import type { GcBatch, GcPlan } from "../core/plan.js";
import type { GcSnapshot } from "../snapshot.js";
import type { GcAlloc, GcDeployment, GcEval, GcJob, GcNode } from "../views.js";

const NONE: readonly never[] = Object.freeze([]);

/** Everything stored under one job key: the job (if present) and the indexes that point at it. */
interface JobRecord {
  job: GcJob | null;
  tagged: boolean;
  readonly evals: GcEval[];
  readonly allocs: GcAlloc[];
  readonly deployments: GcDeployment[];
  readonly children: GcJob[];
}

/** An object and the allocations that reference it (by eval, node or deployment ID). */
interface Slot<T> {
  value: T | null;
  /** Shared empty array until the first allocation: most evaluations have none. */
  allocs: GcAlloc[];
  /** Index in the table's cached value array, -1 when absent from it. */
  pos: number;
}

/** Appends without the spare capacity `[].push` reserves: exact-size literals for one item. */
function addAlloc(s: Slot<unknown>, a: GcAlloc): void {
  if (s.allocs.length === 0) s.allocs = [a];
  else s.allocs.push(a);
}

function remove<V>(list: V[], v: V): void {
  const i = list.indexOf(v);
  if (i >= 0) list.splice(i, 1);
}

/**
 * A Map<string, Slot> with a cached array of the present values, rebuilt after a change.
 * GC scans in storage order and looks up each object's allocations as it goes, so peek()
 * first tries the few slots after the last one it returned: a sequential scan then costs
 * no hash lookup (which, over a million entries, is mostly cache misses).
 */
class SlotTable<T extends { readonly ID: string }> {
  private readonly slots = new Map<string, Slot<T>>();
  private live: T[] | null = [];
  private liveSlots: Slot<T>[] = [];
  private cursor = 0;
  private count = 0;

  slot(id: string): Slot<T> {
    let s = this.slots.get(id);
    if (s === undefined) {
      s = { value: null, allocs: NONE as unknown as GcAlloc[], pos: -1 };
      this.slots.set(id, s);
    }
    return s;
  }
  peek(id: string): Slot<T> | undefined {
    const live = this.live;
    if (live !== null) {
      const end = Math.min(this.cursor + 8, live.length);
      for (let i = this.cursor; i < end; i++) {
        if ((live[i] as T).ID === id) {
          this.cursor = i + 1;
          return this.liveSlots[i];
        }
      }
    }
    const s = this.slots.get(id);
    if (s !== undefined && s.pos >= 0 && live !== null) this.cursor = s.pos + 1;
    return s;
  }
  set(id: string, v: T): T | null {
    const s = this.slot(id);
    const old = s.value;
    s.value = v;
    if (old === null) {
      this.count++;
      if (this.live !== null) {
        s.pos = this.live.length;
        this.live.push(v);
        this.liveSlots.push(s);
      }
    } else {
      this.live = null;
    }
    return old;
  }
  delete(id: string): T | null {
    const s = this.slots.get(id);
    if (s === undefined || s.value === null) return null;
    const old = s.value;
    s.value = null;
    s.pos = -1;
    this.count--;
    this.live = null;
    if (s.allocs.length === 0) this.slots.delete(id);
    return old;
  }
  /** Drops an empty slot once nothing references it any more. */
  tidy(id: string): void {
    const s = this.slots.get(id);
    if (s !== undefined && s.value === null && s.allocs.length === 0) this.slots.delete(id);
  }
  values(): readonly T[] {
    if (this.live === null) {
      const out: T[] = [];
      const outSlots: Slot<T>[] = [];
      for (const s of this.slots.values()) {
        if (s.value === null) continue;
        s.pos = out.length;
        out.push(s.value);
        outSlots.push(s);
      }
      this.live = out;
      this.liveSlots = outSlots;
      this.cursor = 0;
    }
    return this.live;
  }
  get size(): number {
    return this.count;
  }
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
 *
 * Built to hold a million evaluations and allocations: each object is stored once and
 * the indexes are arrays inside per-key records (no composite string keys, no separate
 * ID map for allocations until apply() first needs one).
 */
export class MemoryGcState implements GcSnapshot {
  private readonly nodeTable = new SlotTable<GcNode>();
  private readonly evalTable = new SlotTable<GcEval>();
  private readonly deploymentTable = new SlotTable<GcDeployment>();
  private readonly jobsByNs = new Map<string, Map<string, JobRecord>>();
  private jobList: GcJob[] | null = [];
  private jobCount = 0;
  private allocCount = 0;
  /** Built lazily: only apply() and upserts of an existing ID need allocations by ID. */
  private allocByID: Map<string, GcAlloc> | null = null;
  private readonly allAllocs: GcAlloc[] = [];

  private record(namespace: string, jobID: string): JobRecord {
    let ns = this.jobsByNs.get(namespace);
    if (ns === undefined) {
      ns = new Map();
      this.jobsByNs.set(namespace, ns);
    }
    let r = ns.get(jobID);
    if (r === undefined) {
      r = { job: null, tagged: false, evals: [], allocs: [], deployments: [], children: [] };
      ns.set(jobID, r);
    }
    return r;
  }

  private peekRecord(namespace: string, jobID: string): JobRecord | undefined {
    return this.jobsByNs.get(namespace)?.get(jobID);
  }

  private allocIndex(): Map<string, GcAlloc> {
    if (this.allocByID === null) {
      this.allocByID = new Map();
      for (const a of this.allAllocs) this.allocByID.set(a.ID, a);
      this.allAllocs.length = 0;
    }
    return this.allocByID;
  }

  // ---- writes -------------------------------------------------------------------------

  upsertNode(n: GcNode): void {
    this.nodeTable.set(n.ID, n);
  }

  upsertJob(j: GcJob): void {
    const r = this.record(j.Namespace, j.ID);
    if (r.job !== null) {
      if (r.job.ParentID !== "") remove(this.record(j.Namespace, r.job.ParentID).children, r.job);
      this.jobList = null;
    } else {
      this.jobCount++;
      this.jobList?.push(j);
    }
    r.job = j;
    if (j.ParentID !== "") this.record(j.Namespace, j.ParentID).children.push(j);
  }

  /** Marks some stored version of the job as tagged (Nomad keeps such jobs). */
  tagJobVersion(namespace: string, jobID: string): void {
    this.record(namespace, jobID).tagged = true;
  }

  upsertEval(e: GcEval): void {
    const old = this.evalTable.set(e.ID, e);
    if (old !== null) remove(this.record(old.Namespace, old.JobID).evals, old);
    this.record(e.Namespace, e.JobID).evals.push(e);
  }

  /** Inserts or replaces an allocation (builds the allocation ID index on first use). */
  upsertAlloc(a: GcAlloc): void {
    this.deleteAlloc(a.ID);
    this.insertAlloc(a);
  }

  /**
   * Bulk load: the caller guarantees the ID is new. Skips the ID index, which a snapshot
   * reader never needs, so a million allocations cost one object each plus index slots.
   */
  insertAlloc(a: GcAlloc): void {
    if (this.allocByID !== null) this.allocByID.set(a.ID, a);
    else this.allAllocs.push(a);
    this.allocCount++;
    addAlloc(this.evalTable.slot(a.EvalID), a);
    this.record(a.Namespace, a.JobID).allocs.push(a);
    addAlloc(this.nodeTable.slot(a.NodeID), a);
    if (a.DeploymentID !== "") addAlloc(this.deploymentTable.slot(a.DeploymentID), a);
  }

  upsertDeployment(d: GcDeployment): void {
    const old = this.deploymentTable.set(d.ID, d);
    if (old !== null) remove(this.record(old.Namespace, old.JobID).deployments, old);
    this.record(d.Namespace, d.JobID).deployments.push(d);
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
          const rec = this.peekRecord(j.Namespace, j.ID);
          if (rec === undefined) continue;
          for (const d of [...rec.deployments]) r.deployments += this.deleteDeployment(d.ID) ? 1 : 0;
          r.jobs += this.deleteJob(rec) ? 1 : 0;
        }
        return;
      case "deployment-reap":
        for (const id of b.deploymentIDs) r.deployments += this.deleteDeployment(id) ? 1 : 0;
        return;
      case "node-deregister":
        for (const id of b.nodeIDs) r.nodes += this.nodeTable.delete(id) !== null ? 1 : 0;
        return;
    }
  }

  private deleteJob(r: JobRecord): boolean {
    const j = r.job;
    if (j === null) return false;
    r.job = null;
    r.tagged = false;
    this.jobCount--;
    this.jobList = null;
    if (j.ParentID !== "") remove(this.record(j.Namespace, j.ParentID).children, j);
    return true;
  }

  private deleteEval(id: string): boolean {
    const e = this.evalTable.delete(id);
    if (e === null) return false;
    remove(this.record(e.Namespace, e.JobID).evals, e);
    return true;
  }

  private deleteAlloc(id: string): boolean {
    const index = this.allocIndex();
    const a = index.get(id);
    if (a === undefined) return false;
    index.delete(id);
    this.allocCount--;
    remove(this.evalTable.slot(a.EvalID).allocs, a);
    this.evalTable.tidy(a.EvalID);
    remove(this.record(a.Namespace, a.JobID).allocs, a);
    remove(this.nodeTable.slot(a.NodeID).allocs, a);
    this.nodeTable.tidy(a.NodeID);
    if (a.DeploymentID !== "") {
      remove(this.deploymentTable.slot(a.DeploymentID).allocs, a);
      this.deploymentTable.tidy(a.DeploymentID);
    }
    return true;
  }

  private deleteDeployment(id: string): boolean {
    const d = this.deploymentTable.delete(id);
    if (d === null) return false;
    remove(this.record(d.Namespace, d.JobID).deployments, d);
    return true;
  }

  // ---- GcSnapshot ---------------------------------------------------------------------

  nodes(): Iterable<GcNode> {
    return this.nodeTable.values();
  }
  jobs(): Iterable<GcJob> {
    if (this.jobList === null) {
      const out: GcJob[] = [];
      for (const ns of this.jobsByNs.values())
        for (const r of ns.values()) if (r.job !== null) out.push(r.job);
      this.jobList = out;
    }
    return this.jobList;
  }
  evals(): Iterable<GcEval> {
    return this.evalTable.values();
  }
  deployments(): Iterable<GcDeployment> {
    return this.deploymentTable.values();
  }
  jobByID(namespace: string, jobID: string): GcJob | null {
    return this.peekRecord(namespace, jobID)?.job ?? null;
  }
  childJobs(namespace: string, parentID: string): readonly GcJob[] {
    return this.peekRecord(namespace, parentID)?.children ?? NONE;
  }
  jobHasTaggedVersion(namespace: string, jobID: string): boolean {
    return this.peekRecord(namespace, jobID)?.tagged ?? false;
  }
  evalsByJob(namespace: string, jobID: string): readonly GcEval[] {
    return this.peekRecord(namespace, jobID)?.evals ?? NONE;
  }
  allocsByEval(evalID: string): readonly GcAlloc[] {
    return this.evalTable.peek(evalID)?.allocs ?? NONE;
  }
  allocsByJob(namespace: string, jobID: string): readonly GcAlloc[] {
    return this.peekRecord(namespace, jobID)?.allocs ?? NONE;
  }
  allocsByNode(nodeID: string): readonly GcAlloc[] {
    return this.nodeTable.peek(nodeID)?.allocs ?? NONE;
  }
  allocsByDeployment(deploymentID: string): readonly GcAlloc[] {
    return this.deploymentTable.peek(deploymentID)?.allocs ?? NONE;
  }
  deploymentsByJob(namespace: string, jobID: string): readonly GcDeployment[] {
    return this.peekRecord(namespace, jobID)?.deployments ?? NONE;
  }

  // ---- inspection (tests) -------------------------------------------------------------

  hasNode(id: string): boolean {
    return (this.nodeTable.peek(id)?.value ?? null) !== null;
  }
  hasJob(namespace: string, id: string): boolean {
    return this.jobByID(namespace, id) !== null;
  }
  hasEval(id: string): boolean {
    return (this.evalTable.peek(id)?.value ?? null) !== null;
  }
  hasAlloc(id: string): boolean {
    return this.allocIndex().has(id);
  }
  hasDeployment(id: string): boolean {
    return (this.deploymentTable.peek(id)?.value ?? null) !== null;
  }
  sizes(): ApplyResult {
    return {
      nodes: this.nodeTable.size,
      jobs: this.jobCount,
      evals: this.evalTable.size,
      allocs: this.allocCount,
      deployments: this.deploymentTable.size,
    };
  }
}
