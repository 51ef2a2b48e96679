// Evaluations the endpoints create, stamped here (never inside apply).
import { parseEvaluation, type EvalTrigger, type Evaluation, type Job } from "@nomad/structs";
import type { EndpointContext } from "./context.js";

export function newJobEval(
  ctx: EndpointContext,
  job: Job,
  triggeredBy: EvalTrigger,
  priority?: number,
  extra: Partial<Evaluation> = {},
): Evaluation {
  const nowNs = ctx.nowNs();
  return parseEvaluation({
    ID: ctx.newID(),
    Namespace: job.Namespace,
    Priority: priority ?? job.Priority,
    Type: job.Type,
    TriggeredBy: triggeredBy,
    JobID: job.ID,
    JobModifyIndex: job.JobModifyIndex,
    Status: "pending",
    CreateTime: nowNs,
    ModifyTime: nowNs,
    ...extra,
  });
}
