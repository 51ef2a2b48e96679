import { z } from "zod";
import { AllocationSchema, type Allocation } from "./allocation.js";
import { parseWith } from "./errors.js";
import { JobSchema, type Job } from "./job.js";
import { bool, dict, int, list, maybe, str } from "./schema-helpers.js";

/**
 * What a scheduler wants changed: allocations to stop (NodeUpdate) and to place
 * (NodeAllocation), each keyed by node ID. The plan applier re-checks every touched node.
 */
/**
 * Plan and PlanResult are declared as interfaces (not inferred from the schemas): a record of
 * arrays of allocations that each carry a Job is too deep for TypeScript to instantiate from
 * the emitted declarations of the inferred zod types.
 */
export interface Plan {
  EvalID: string;
  EvalToken: string;
  Priority: number;
  AllAtOnce: boolean;
  Job: Job | null;
  NodeUpdate: Record<string, Allocation[]>;
  NodeAllocation: Record<string, Allocation[]>;
  NodePreemptions: Record<string, Allocation[]>;
  Deployment: unknown;
  DeploymentUpdates: unknown[];
  Annotations: unknown;
  SnapshotIndex: number;
  [field: string]: unknown;
}

export interface PlanResult {
  NodeUpdate: Record<string, Allocation[]>;
  NodeAllocation: Record<string, Allocation[]>;
  NodePreemptions: Record<string, Allocation[]>;
  Deployment: unknown;
  DeploymentUpdates: unknown[];
  /** Nodes whose part of the plan the applier refused (resources or ports no longer fit). */
  RejectedNodes: string[];
  /** Rejected nodes the applier also marked ineligible (plan rejection tracker). */
  IneligibleNodes: string[];
  /** Non-zero: the worker's snapshot is stale; refresh to at least this index and retry. */
  RefreshIndex: number;
  AllocIndex: number;
  [field: string]: unknown;
}

const PlanObjectSchema = z
  .object({
    EvalID: str(),
    EvalToken: str(),
    Priority: int(50),
    AllAtOnce: bool(false),
    Job: maybe(JobSchema),
    NodeUpdate: dict(z.array(AllocationSchema)),
    NodeAllocation: dict(z.array(AllocationSchema)),
    NodePreemptions: dict(z.array(AllocationSchema)),
    Deployment: z
      .unknown()
      .nullish()
      .transform((v) => v ?? null),
    DeploymentUpdates: list(z.unknown()),
    Annotations: z
      .unknown()
      .nullish()
      .transform((v) => v ?? null),
    SnapshotIndex: int(0),
  })
  .loose();
export const PlanSchema: z.ZodType<Plan, unknown> = PlanObjectSchema;

const PlanResultObjectSchema = z
  .object({
    NodeUpdate: dict(z.array(AllocationSchema)),
    NodeAllocation: dict(z.array(AllocationSchema)),
    NodePreemptions: dict(z.array(AllocationSchema)),
    Deployment: z
      .unknown()
      .nullish()
      .transform((v) => v ?? null),
    DeploymentUpdates: list(z.unknown()),
    /** Nodes whose part of the plan the applier refused (resources or ports no longer fit). */
    RejectedNodes: list(z.string()),
    /** Rejected nodes the applier also marked ineligible (plan rejection tracker). */
    IneligibleNodes: list(z.string()),
    /** Non-zero: the worker's snapshot is stale; refresh to at least this index and retry. */
    RefreshIndex: int(0),
    AllocIndex: int(0),
  })
  .loose();
export const PlanResultSchema: z.ZodType<PlanResult, unknown> = PlanResultObjectSchema;

export function parsePlan(input: unknown): Plan {
  return parseWith("plan", PlanSchema, input);
}

export function parsePlanResult(input: unknown): PlanResult {
  return parseWith("plan result", PlanResultSchema, input);
}

export function emptyPlan(evalID: string, evalToken: string, priority: number, job: Job | null): Plan {
  return {
    EvalID: evalID,
    EvalToken: evalToken,
    Priority: priority,
    AllAtOnce: job?.AllAtOnce ?? false,
    Job: job,
    NodeUpdate: {},
    NodeAllocation: {},
    NodePreemptions: {},
    Deployment: null,
    DeploymentUpdates: [],
    Annotations: null,
    SnapshotIndex: 0,
  };
}

/** True when the plan changes nothing (Nomad skips submitting such plans). */
export function planIsNoOp(plan: Plan): boolean {
  const any = (m: Record<string, Allocation[]>): boolean => Object.values(m).some((l) => l.length > 0);
  return !any(plan.NodeUpdate) && !any(plan.NodeAllocation) && !any(plan.NodePreemptions);
}
