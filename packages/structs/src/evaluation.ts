import { z } from "zod";
import { AllocMetricSchema } from "./alloc-metric.js";
import { parseWith } from "./errors.js";
import { bool, dict, int, list, num, str } from "./schema-helpers.js";

export const EVAL_STATUSES = ["blocked", "pending", "complete", "failed", "canceled"] as const;
export type EvalStatus = (typeof EVAL_STATUSES)[number];

/** Why an evaluation exists (Nomad's EvalTrigger* constants). */
export const EVAL_TRIGGERS = [
  "job-register",
  "job-deregister",
  "periodic-job",
  "node-drain",
  "node-update",
  "alloc-stop",
  "scheduled",
  "rolling-update",
  "deployment-watcher",
  "failed-follow-up",
  "max-plan-attempts",
  "alloc-failure",
  "queued-allocs",
  "preemption",
  "job-scaling",
  "max-disconnect-timeout",
  "reconnect",
  "alloc-reschedule",
] as const;
export type EvalTrigger = (typeof EVAL_TRIGGERS)[number];

export const EvaluationSchema = z
  .object({
    ID: z.string().min(1, "evaluation ID is required"),
    Namespace: str("default"),
    Priority: int(50),
    Type: str("service"),
    TriggeredBy: z.enum(EVAL_TRIGGERS, { message: "unknown evaluation trigger" }),
    JobID: str(),
    JobModifyIndex: int(0),
    NodeID: str(),
    NodeModifyIndex: int(0),
    DeploymentID: str(),
    Status: z
      .enum(EVAL_STATUSES)
      .nullish()
      .transform((v): EvalStatus => v ?? "pending"),
    StatusDescription: str(),
    /** Nanoseconds to wait before processing (legacy rolling-update stagger). */
    Wait: int(0),
    /** Unix nanoseconds before which the broker holds the eval (reschedule delays); 0 = now. */
    WaitUntil: num(0),
    NextEval: str(),
    PreviousEval: str(),
    BlockedEval: str(),
    RelatedEvals: list(z.unknown()),
    FailedTGAllocs: dict(AllocMetricSchema),
    /** Computed node class -> whether the job's constraints admit that class. */
    ClassEligibility: dict(z.boolean()),
    QuotaLimitReached: str(),
    EscapedComputedClass: bool(false),
    AnnotatePlan: bool(false),
    QueuedAllocations: dict(z.number().int()),
    LeaderACL: str(),
    SnapshotIndex: int(0),
    CreateIndex: int(0),
    ModifyIndex: int(0),
    CreateTime: num(0),
    ModifyTime: num(0),
  })
  .loose();
export type Evaluation = z.output<typeof EvaluationSchema>;

export function parseEvaluation(input: unknown): Evaluation {
  return parseWith("evaluation", EvaluationSchema, input);
}

export function evalIsTerminal(e: Pick<Evaluation, "Status">): boolean {
  return e.Status === "complete" || e.Status === "failed" || e.Status === "canceled";
}
