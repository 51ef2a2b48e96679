import type { Allocation, Evaluation, Job, Node, Plan, PlanResult } from "@nomad/structs";

/**
 * What one node's live (non-terminal) allocations hold. Kept by the state store so that
 * the scheduler never re-sums a node's allocations on the hot path.
 */
export interface NodeUsage {
  cpuMHz: number;
  memoryMB: number;
  diskMB: number;
  /** Core IDs reserved exclusively by allocations. */
  cores: ReadonlySet<number>;
  /** Host ports held by allocations (static and dynamic). */
  ports: ReadonlySet<number>;
}

/**
 * A read-only snapshot of cluster state. The scheduler never mutates what it reads here;
 * everything it wants changed goes into a Plan handed to the Planner.
 */
export interface SchedulerState {
  /** Every node the snapshot knows, in a stable order. */
  nodes(): readonly Node[];
  nodeByID(id: string): Node | undefined;
  jobByID(namespace: string, id: string): Job | undefined;
  /** All allocations of a job, terminal ones included (the reconciler needs their history). */
  allocsByJob(namespace: string, jobID: string): readonly Allocation[];
  /** All allocations on a node, terminal ones included. */
  allocsByNode(nodeID: string): readonly Allocation[];
  /** Resources held by the node's non-terminal allocations (see computeNodeUsage). */
  nodeUsage(nodeID: string): NodeUsage;
  /** The Raft index this snapshot reflects. */
  latestIndex(): number;
}

export interface SubmitResult {
  result: PlanResult;
  /** A fresher snapshot when the result asks for a refresh (RefreshIndex > 0), else null. */
  state: SchedulerState | null;
}

/** Where the scheduler's decisions go. In a server this is the plan queue and Raft. */
export interface Planner {
  submitPlan(plan: Plan): Promise<SubmitResult>;
  updateEval(evaluation: Evaluation): Promise<void>;
  createEval(evaluation: Evaluation): Promise<void>;
  /** Re-file a blocked evaluation that was unblocked but still cannot place everything. */
  reblockEval(evaluation: Evaluation): Promise<void>;
}

export type SchedulerAlgorithm = "binpack" | "spread";

/** Injected so the core stays deterministic (ARCHITECTURE rule 1). */
export interface SchedulerDeps {
  /** Uniform in [0, 1); seeded by the caller. */
  random(): number;
  /** Unix nanoseconds. */
  nowNs(): number;
  /** A fresh unique ID (UUID in a server). */
  newID(): string;
  algorithm?: SchedulerAlgorithm;
  /** Score metadata entries kept per placement (Nomad keeps the top 5). */
  scoreMetaDataLimit?: number;
}
