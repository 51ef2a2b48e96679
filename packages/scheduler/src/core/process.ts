import { planIsNoOp, type Evaluation, type Plan, type PlanResult } from "@nomad/structs";
import { maxPlanAttempts, newEval } from "./evals.js";
import { genericPass, type Pass } from "./generic-scheduler.js";
import { systemPass } from "./system-scheduler.js";
import type { Planner, SchedulerDeps, SchedulerState } from "./types.js";

export interface ProcessOptions extends SchedulerDeps {
  /** The broker's token for this delivery, copied into every plan. */
  evalToken?: string;
}

export interface ProcessResult {
  /** The evaluation as reported to the planner (updated or re-blocked). */
  readonly evaluation: Evaluation;
  /** Plans submitted, in order, with their results. */
  readonly plans: readonly { plan: Plan; result: PlanResult }[];
  readonly blockedEval: Evaluation | null;
  readonly followupEvals: readonly Evaluation[];
}

export class UnsupportedEvalTypeError extends Error {
  readonly code = "UNSUPPORTED_EVAL_TYPE" as const;
  constructor(type: string) {
    super(`no scheduler for evaluation type "${type}"`);
  }
}

function fullyCommitted(plan: Plan, result: PlanResult): boolean {
  if (result.RefreshIndex !== 0 || result.RejectedNodes.length > 0) return false;
  for (const node in plan.NodeAllocation) {
    if ((plan.NodeAllocation[node]?.length ?? 0) !== (result.NodeAllocation[node]?.length ?? 0)) return false;
  }
  return true;
}

/**
 * Processes one evaluation: reconcile the job against the snapshot, place what is missing,
 * submit the plan, retry on a partial commit with the fresher state the planner returns,
 * then report the outcome (blocked eval for what could not be placed, eval status).
 */
export async function process(
  evaluation: Evaluation,
  state: SchedulerState,
  planner: Planner,
  options: ProcessOptions,
): Promise<ProcessResult> {
  const system = evaluation.Type === "system" || evaluation.Type === "sysbatch";
  if (!system && evaluation.Type !== "service" && evaluation.Type !== "batch") {
    throw new UnsupportedEvalTypeError(evaluation.Type);
  }
  const runPass = system ? systemPass : genericPass;
  const token = options.evalToken ?? "";
  const limit = maxPlanAttempts(evaluation.Type);
  const plans: { plan: Plan; result: PlanResult }[] = [];
  const followupEvals: Evaluation[] = [];
  let current = state;
  let attempts = 0;
  let status: "complete" | "failed" = "complete";
  let description = "";
  let pass: Pass;

  for (;;) {
    pass = runPass(evaluation, current, options, token);
    for (const f of pass.followups) {
      await planner.createEval(f);
      followupEvals.push(f);
    }
    if (planIsNoOp(pass.plan)) break;
    const submitted = await planner.submitPlan(pass.plan);
    plans.push({ plan: pass.plan, result: submitted.result });
    if (fullyCommitted(pass.plan, submitted.result)) break;
    attempts++;
    if (attempts >= limit) {
      status = "failed";
      description = `maximum attempts reached (${limit})`;
      break;
    }
    if (submitted.state !== null) current = submitted.state;
  }

  const unplaced = Object.values(pass.queued).reduce((s, n) => s + n, 0);
  const nowNs = options.nowNs();
  let blockedEval: Evaluation | null = null;
  const classEligibility = Object.fromEntries(pass.feasibility?.classEligibility ?? []);
  const escaped = pass.feasibility?.escapedClass ?? false;

  if (!system && (unplaced > 0 || status === "failed")) {
    if (evaluation.Status === "blocked" && status === "complete") {
      // Still cannot place everything: back to the blocked set with what we learnt.
      const reblocked: Evaluation = {
        ...evaluation,
        FailedTGAllocs: pass.failed,
        QueuedAllocations: pass.queued,
        ClassEligibility: classEligibility,
        EscapedComputedClass: escaped,
        ModifyTime: nowNs,
      };
      await planner.reblockEval(reblocked);
      return { evaluation: reblocked, plans, blockedEval: null, followupEvals };
    }
    blockedEval = newEval(
      evaluation,
      {
        ID: options.newID(),
        TriggeredBy: status === "failed" ? "max-plan-attempts" : evaluation.TriggeredBy,
        Status: "blocked",
        StatusDescription: "created to place remaining allocations",
        ClassEligibility: classEligibility,
        EscapedComputedClass: escaped,
      },
      nowNs,
    );
    await planner.createEval(blockedEval);
  }

  const updated: Evaluation = {
    ...evaluation,
    Status: status,
    StatusDescription: description,
    FailedTGAllocs: pass.failed,
    QueuedAllocations: pass.queued,
    BlockedEval: blockedEval?.ID ?? evaluation.BlockedEval,
    NextEval: followupEvals[0]?.ID ?? evaluation.NextEval,
    ModifyTime: nowNs,
  };
  await planner.updateEval(updated);
  return { evaluation: updated, plans, blockedEval, followupEvals };
}
