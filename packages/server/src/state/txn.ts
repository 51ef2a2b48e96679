// One write transaction: starts from an immutable Tables value, replaces maps as it goes, and
// yields a new Tables at commit. Nothing is visible to readers until the store swaps it in, so
// a command that fails halfway leaves the state untouched (Nomad aborts the memdb txn).
// Every primitive keeps the secondary indexes and node usage in step with the primary table.
import type { Allocation, Evaluation, Job, JobSummary, Node } from "@nomad/structs";
import { key3, nsKey, prefix1, prefix2, versionPart } from "./keys.js";
import { adjustUsage, holdsResources, isEmptyUsage } from "./node-usage.js";
import type { Tables } from "./tables.js";
import type { TableName } from "./types.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** What one transaction changed, in write order; the FSM turns it into FsmEvents. */
export interface TxnChanges {
  readonly jobs: Map<string, Job>;
  readonly evals: Map<string, Evaluation>;
  readonly allocs: Map<string, Allocation>;
  readonly nodes: Map<string, { node: Node; previous: Node | undefined }>;
}

export class StateTxn {
  private readonly t: Mutable<Tables>;
  private readonly touched = new Set<TableName>();
  readonly changes: TxnChanges = { jobs: new Map(), evals: new Map(), allocs: new Map(), nodes: new Map() };

  constructor(
    base: Tables,
    /** The Raft index of the entry being applied. */
    readonly index: number,
  ) {
    if (!Number.isInteger(index) || index <= 0)
      throw new Error(`write index must be a positive integer, got ${index}`);
    this.t = { ...base };
  }

  // ---- reads of the in-progress state ----

  job(namespace: string, id: string): Job | undefined {
    return this.t.jobs.get(nsKey(namespace, id));
  }
  jobVersions(namespace: string, id: string): Job[] {
    return this.t.jobVersions.prefix(prefix2(namespace, id)).reverse();
  }
  summary(namespace: string, id: string): JobSummary | undefined {
    return this.t.jobSummary.get(nsKey(namespace, id));
  }
  node(id: string): Node | undefined {
    return this.t.nodes.get(id);
  }
  evaluation(id: string): Evaluation | undefined {
    return this.t.evals.get(id);
  }
  evalsByJob(namespace: string, jobID: string): Evaluation[] {
    return this.t.evalsByJob.prefix(prefix2(namespace, jobID));
  }
  alloc(id: string): Allocation | undefined {
    return this.t.allocs.get(id);
  }
  allocsByJob(namespace: string, jobID: string): Allocation[] {
    return this.t.allocsByJob.prefix(prefix2(namespace, jobID));
  }
  allocsByNode(nodeID: string): Allocation[] {
    return this.t.allocsByNode.prefix(prefix1(nodeID));
  }

  // ---- primitives ----

  putJob(job: Job): void {
    const k = nsKey(job.Namespace, job.ID);
    const prev = this.t.jobs.get(k);
    if (prev !== undefined && prev.ParentID !== "")
      this.t.jobsByParent = this.t.jobsByParent.delete(key3(prev.Namespace, prev.ParentID, prev.ID));
    this.t.jobs = this.t.jobs.set(k, job);
    if (job.ParentID !== "")
      this.t.jobsByParent = this.t.jobsByParent.set(key3(job.Namespace, job.ParentID, job.ID), job);
    this.touch("jobs");
    this.changes.jobs.set(k, job);
  }

  deleteJob(namespace: string, id: string): void {
    const k = nsKey(namespace, id);
    const prev = this.t.jobs.get(k);
    if (prev === undefined) return;
    this.t.jobs = this.t.jobs.delete(k);
    if (prev.ParentID !== "")
      this.t.jobsByParent = this.t.jobsByParent.delete(key3(namespace, prev.ParentID, id));
    this.touch("jobs");
    this.changes.jobs.delete(k);
  }

  putJobVersion(job: Job): void {
    this.t.jobVersions = this.t.jobVersions.set(key3(job.Namespace, job.ID, versionPart(job.Version)), job);
    this.touch("job_versions");
  }

  deleteJobVersion(namespace: string, id: string, version: number): void {
    this.t.jobVersions = this.t.jobVersions.delete(key3(namespace, id, versionPart(version)));
    this.touch("job_versions");
  }

  putSummary(s: JobSummary): void {
    this.t.jobSummary = this.t.jobSummary.set(nsKey(s.Namespace, s.JobID), s);
    this.touch("job_summary");
  }

  deleteSummary(namespace: string, id: string): void {
    const k = nsKey(namespace, id);
    if (!this.t.jobSummary.has(k)) return;
    this.t.jobSummary = this.t.jobSummary.delete(k);
    this.touch("job_summary");
  }

  putNode(node: Node): void {
    const previous = this.t.nodes.get(node.ID);
    this.t.nodes = this.t.nodes.set(node.ID, node);
    this.touch("nodes");
    const earlier = this.changes.nodes.get(node.ID);
    this.changes.nodes.set(node.ID, { node, previous: earlier === undefined ? previous : earlier.previous });
  }

  deleteNode(id: string): void {
    if (!this.t.nodes.has(id)) return;
    this.t.nodes = this.t.nodes.delete(id);
    this.touch("nodes");
    this.changes.nodes.delete(id);
  }

  /** `silent`: an index-only bump that must not look like a new eval to event listeners. */
  putEval(e: Evaluation, silent = false): void {
    const prev = this.t.evals.get(e.ID);
    if (prev !== undefined)
      this.t.evalsByJob = this.t.evalsByJob.delete(key3(prev.Namespace, prev.JobID, prev.ID));
    this.t.evals = this.t.evals.set(e.ID, e);
    this.t.evalsByJob = this.t.evalsByJob.set(key3(e.Namespace, e.JobID, e.ID), e);
    this.touch("evals");
    if (!silent) this.changes.evals.set(e.ID, e);
    else if (this.changes.evals.has(e.ID)) this.changes.evals.set(e.ID, e);
  }

  deleteEval(id: string): Evaluation | undefined {
    const prev = this.t.evals.get(id);
    if (prev === undefined) return undefined;
    this.t.evals = this.t.evals.delete(id);
    this.t.evalsByJob = this.t.evalsByJob.delete(key3(prev.Namespace, prev.JobID, id));
    this.touch("evals");
    this.changes.evals.delete(id);
    return prev;
  }

  putAlloc(a: Allocation): void {
    const prev = this.t.allocs.get(a.ID);
    if (prev !== undefined) this.unindexAlloc(prev);
    this.t.allocs = this.t.allocs.set(a.ID, a);
    this.t.allocsByNode = this.t.allocsByNode.set(nsKey(a.NodeID, a.ID), a);
    this.t.allocsByJob = this.t.allocsByJob.set(key3(a.Namespace, a.JobID, a.ID), a);
    this.t.allocsByEval = this.t.allocsByEval.set(nsKey(a.EvalID, a.ID), a);
    if (a.DeploymentID !== "")
      this.t.allocsByDeployment = this.t.allocsByDeployment.set(nsKey(a.DeploymentID, a.ID), a);
    if (holdsResources(a)) this.adjust(a, 1);
    this.touch("allocs");
    this.changes.allocs.set(a.ID, a);
  }

  deleteAlloc(id: string): Allocation | undefined {
    const prev = this.t.allocs.get(id);
    if (prev === undefined) return undefined;
    this.unindexAlloc(prev);
    this.t.allocs = this.t.allocs.delete(id);
    this.touch("allocs");
    this.changes.allocs.delete(id);
    return prev;
  }

  private unindexAlloc(prev: Allocation): void {
    this.t.allocsByNode = this.t.allocsByNode.delete(nsKey(prev.NodeID, prev.ID));
    this.t.allocsByJob = this.t.allocsByJob.delete(key3(prev.Namespace, prev.JobID, prev.ID));
    this.t.allocsByEval = this.t.allocsByEval.delete(nsKey(prev.EvalID, prev.ID));
    if (prev.DeploymentID !== "")
      this.t.allocsByDeployment = this.t.allocsByDeployment.delete(nsKey(prev.DeploymentID, prev.ID));
    if (holdsResources(prev)) this.adjust(prev, -1);
  }

  private adjust(a: Allocation, sign: 1 | -1): void {
    const u = adjustUsage(this.t.nodeUsage.get(a.NodeID), a, sign);
    this.t.nodeUsage = isEmptyUsage(u)
      ? this.t.nodeUsage.delete(a.NodeID)
      : this.t.nodeUsage.set(a.NodeID, u);
  }

  private touch(table: TableName): void {
    this.touched.add(table);
  }

  /** Tables changed so far (without "index"). */
  touchedTables(): ReadonlySet<TableName> {
    return this.touched;
  }

  /** The new Tables: touched tables (and "index" when anything changed) get this txn's index. */
  commit(): Tables {
    if (this.touched.size > 0) {
      const indexes = { ...this.t.indexes };
      for (const table of this.touched) indexes[table] = this.index;
      indexes.index = this.index;
      this.t.indexes = indexes;
    }
    return this.t;
  }
}
