import type { Evaluation } from "@nomad/structs";

/** Plan submissions per eval before giving up (Nomad: service 5, batch 2, system 5, sysbatch 2). */
export function maxPlanAttempts(type: string): number {
  return type === "batch" || type === "sysbatch" ? 2 : 5;
}

export function newEval(
  base: Evaluation,
  fields: Partial<Evaluation> & Pick<Evaluation, "ID" | "TriggeredBy" | "Status">,
  nowNs: number,
): Evaluation {
  return {
    ID: fields.ID,
    Namespace: base.Namespace,
    Priority: base.Priority,
    Type: base.Type,
    TriggeredBy: fields.TriggeredBy,
    JobID: base.JobID,
    JobModifyIndex: base.JobModifyIndex,
    NodeID: "",
    NodeModifyIndex: 0,
    DeploymentID: "",
    Status: fields.Status,
    StatusDescription: fields.StatusDescription ?? "",
    Wait: 0,
    WaitUntil: fields.WaitUntil ?? 0,
    NextEval: "",
    PreviousEval: base.ID,
    BlockedEval: "",
    RelatedEvals: [],
    FailedTGAllocs: {},
    ClassEligibility: fields.ClassEligibility ?? {},
    QuotaLimitReached: "",
    EscapedComputedClass: fields.EscapedComputedClass ?? false,
    AnnotatePlan: false,
    QueuedAllocations: {},
    LeaderACL: "",
    SnapshotIndex: 0,
    CreateIndex: 0,
    ModifyIndex: 0,
    CreateTime: nowNs,
    ModifyTime: nowNs,
  };
}
