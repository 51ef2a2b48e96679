import { z } from "zod";
import { AllocationSchema, type Allocation } from "./allocation.js";
import { parseWith } from "./errors.js";
import { JobSchema, type Job } from "./job.js";
import { bool, dict, int, list, maybe, str } from "./schema-helpers.js";

/**
 * What a scheduler wants changed: allocations to stop (NodeUpdate) and to place
 * (NodeAllocation), each keyed by node ID. The plan applier re-checks every touched node.
 */
export const PlanSchema = z
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
export type Plan = z.output<typeof PlanSchema>;

export const PlanResultSchema = z
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
export type PlanResult = z.output<typeof PlanResultSchema>;

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
