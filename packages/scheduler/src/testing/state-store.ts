import {
  allocIsTerminal,
  computeNodeClass,
  type Allocation,
  type Evaluation,
  type Job,
  type Node,
} from "@nomad/structs";
import type { NodeUsage, SchedulerState } from "../core/types.js";
import { applyAlloc, cloneUsage, emptyUsage, type MutableUsage } from "../core/usage.js";

const key = (ns: string, id: string): string => `${ns}\u0000${id}`;

/**
 * A real in-memory state store: nodes, jobs, allocations and evaluations with the indexes
 * the scheduler reads (by job, by node) and per-node usage kept incrementally. Every write
 * bumps the index, as Raft applies would.
 */
export class InMemoryState implements SchedulerState {
  private readonly nodeMap = new Map<string, Node>();
  private nodeList: Node[] | null = null;
  private readonly jobs = new Map<string, Job>();
  private readonly allocs = new Map<string, Allocation>();
  private readonly byJob = new Map<string, Map<string, Allocation>>();
  private readonly byNode = new Map<string, Map<string, Allocation>>();
  private readonly usage = new Map<string, MutableUsage>();
  readonly evals = new Map<string, Evaluation>();
  private index = 1;

  latestIndex(): number {
    return this.index;
  }

  nextIndex(): number {
    return ++this.index;
  }

  nodes(): readonly Node[] {
    if (this.nodeList === null) this.nodeList = [...this.nodeMap.values()];
    return this.nodeList;
  }

  nodeByID(id: string): Node | undefined {
    return this.nodeMap.get(id);
  }

  jobByID(namespace: string, id: string): Job | undefined {
    return this.jobs.get(key(namespace, id));
  }

  allocsByJob(namespace: string, jobID: string): readonly Allocation[] {
    const m = this.byJob.get(key(namespace, jobID));
    return m === undefined ? [] : [...m.values()];
  }

  allocsByNode(nodeID: string): readonly Allocation[] {
    const m = this.byNode.get(nodeID);
    return m === undefined ? [] : [...m.values()];
  }

  allocByID(id: string): Allocation | undefined {
    return this.allocs.get(id);
  }

  allAllocs(): IterableIterator<Allocation> {
    return this.allocs.values();
  }

  nodeUsage(nodeID: string): NodeUsage {
    return this.usage.get(nodeID) ?? EMPTY;
  }

  /** Stores a node; fills ComputedClass as the server does on registration. */
  upsertNode(node: Node): Node {
    const stored = node.ComputedClass === "" ? { ...node, ComputedClass: computeNodeClass(node) } : node;
    const idx = this.nextIndex();
    const prior = this.nodeMap.get(node.ID);
    this.nodeMap.set(node.ID, { ...stored, CreateIndex: prior?.CreateIndex ?? idx, ModifyIndex: idx });
    this.nodeList = null;
    return this.nodeMap.get(node.ID)!;
  }

  /** Applies a partial change to a node (status, drain, eligibility). */
  updateNode(id: string, change: Partial<Node>): Node {
    const prior = this.nodeMap.get(id);
    if (prior === undefined) throw new Error(`unknown node ${id}`);
    return this.upsertNode({ ...prior, ...change, ComputedClass: "" });
  }

  upsertJob(job: Job): Job {
    const idx = this.nextIndex();
    const prior = this.jobs.get(key(job.Namespace, job.ID));
    const stored: Job = {
      ...job,
      Version: prior === undefined ? job.Version : prior.Version + 1,
      CreateIndex: prior?.CreateIndex ?? idx,
      ModifyIndex: idx,
      JobModifyIndex: idx,
    };
    this.jobs.set(key(job.Namespace, job.ID), stored);
    return stored;
  }

  deleteJob(namespace: string, id: string): void {
    this.jobs.delete(key(namespace, id));
    this.nextIndex();
  }

  upsertEval(ev: Evaluation): void {
    const idx = this.nextIndex();
    const prior = this.evals.get(ev.ID);
    this.evals.set(ev.ID, { ...ev, CreateIndex: prior?.CreateIndex ?? idx, ModifyIndex: idx });
  }

  /** Inserts or replaces an allocation, keeping indexes and node usage exact. */
  upsertAlloc(a: Allocation, index = this.nextIndex()): Allocation {
    const prior = this.allocs.get(a.ID);
    if (prior !== undefined) {
      if (!allocIsTerminal(prior)) applyAlloc(this.mutableUsage(prior.NodeID), prior, -1);
      this.byNode.get(prior.NodeID)?.delete(prior.ID);
    }
    const stored: Allocation = {
      ...a,
      CreateIndex: prior?.CreateIndex ?? index,
      ModifyIndex: index,
      AllocModifyIndex: prior === undefined ? index : a.AllocModifyIndex,
    };
    this.allocs.set(a.ID, stored);
    const jk = key(a.Namespace, a.JobID);
    let j = this.byJob.get(jk);
    if (j === undefined) this.byJob.set(jk, (j = new Map()));
    j.set(a.ID, stored);
    let n = this.byNode.get(a.NodeID);
    if (n === undefined) this.byNode.set(a.NodeID, (n = new Map()));
    n.set(a.ID, stored);
    if (!allocIsTerminal(stored)) applyAlloc(this.mutableUsage(a.NodeID), stored, 1);
    return stored;
  }

  /** What a client reports: a status change on one allocation. */
  setClientStatus(id: string, status: Allocation["ClientStatus"], nowNs = 0): Allocation {
    const a = this.allocs.get(id);
    if (a === undefined) throw new Error(`unknown alloc ${id}`);
    return this.upsertAlloc({ ...a, ClientStatus: status, ModifyTime: nowNs === 0 ? a.ModifyTime : nowNs });
  }

  private mutableUsage(nodeID: string): MutableUsage {
    let u = this.usage.get(nodeID);
    if (u === undefined) this.usage.set(nodeID, (u = cloneUsage(EMPTY)));
    return u;
  }
}

const EMPTY: NodeUsage = emptyUsage();
