// The list views, each built in one place: Nomad's Job.Stub, Allocation.Stub, Node.Stub.
import type {
  Allocation,
  AllocListStub,
  Job,
  JobListStub,
  JobSummary,
  Node,
  NodeListStub,
} from "@nomad/structs";

/** Nomad's Job.IsPeriodic / IsParameterized: fields this model carries only when the job has them. */
export function jobIsPeriodic(job: Job): boolean {
  const periodic = (job as { Periodic?: { Enabled?: boolean } | null }).Periodic;
  return periodic !== undefined && periodic !== null && periodic.Enabled !== false;
}

export function jobIsParameterized(job: Job): boolean {
  const parameterized = (job as { ParameterizedJob?: unknown }).ParameterizedJob;
  return parameterized !== undefined && parameterized !== null;
}

export function jobListStub(job: Job, summary: JobSummary | undefined): JobListStub {
  return {
    ID: job.ID,
    ParentID: job.ParentID,
    Name: job.Name,
    Namespace: job.Namespace,
    Datacenters: [...job.Datacenters],
    NodePool: job.NodePool,
    Type: job.Type,
    Priority: job.Priority,
    Periodic: jobIsPeriodic(job),
    ParameterizedJob: jobIsParameterized(job),
    Stop: job.Stop,
    Status: job.Status,
    StatusDescription: job.StatusDescription,
    JobSummary: summary ?? null,
    CreateIndex: job.CreateIndex,
    ModifyIndex: job.ModifyIndex,
    JobModifyIndex: job.JobModifyIndex,
    SubmitTime: job.SubmitTime,
  };
}

export function allocListStub(alloc: Allocation): AllocListStub {
  return {
    ID: alloc.ID,
    EvalID: alloc.EvalID,
    Name: alloc.Name,
    Namespace: alloc.Namespace,
    NodeID: alloc.NodeID,
    NodeName: alloc.NodeName,
    JobID: alloc.JobID,
    JobType: alloc.Job?.Type ?? "",
    JobVersion: alloc.Job?.Version ?? 0,
    TaskGroup: alloc.TaskGroup,
    AllocatedResources: alloc.AllocatedResources ?? null,
    DesiredStatus: alloc.DesiredStatus,
    DesiredDescription: alloc.DesiredDescription,
    ClientStatus: alloc.ClientStatus,
    ClientDescription: alloc.ClientDescription,
    DesiredTransition: alloc.DesiredTransition,
    TaskStates: Object.keys(alloc.TaskStates).length === 0 ? null : alloc.TaskStates,
    FollowupEvalID: alloc.FollowupEvalID,
    NextAllocation: alloc.NextAllocation,
    CreateIndex: alloc.CreateIndex,
    ModifyIndex: alloc.ModifyIndex,
    CreateTime: alloc.CreateTime,
    ModifyTime: alloc.ModifyTime,
  };
}

export function nodeListStub(node: Node): NodeListStub {
  return {
    Address: node.Attributes["unique.network.ip-address"] ?? "",
    ID: node.ID,
    Attributes: node.Attributes,
    Datacenter: node.Datacenter,
    Name: node.Name,
    NodePool: node.NodePool,
    NodeClass: node.NodeClass,
    Version: node.Attributes["nomad.version"] ?? "",
    Drain: node.DrainStrategy !== null && node.DrainStrategy !== undefined,
    SchedulingEligibility: node.SchedulingEligibility,
    Status: node.Status,
    StatusDescription: node.StatusDescription,
    Drivers: node.Drivers,
    NodeResources: node.NodeResources,
    ReservedResources: node.ReservedResources,
    CreateIndex: node.CreateIndex,
    ModifyIndex: node.ModifyIndex,
  };
}

/** Reads never hand out a node's secret (Nomad's Node.Sanitize). */
export function sanitizeNode(node: Node): Node {
  return node.SecretID === "" ? node : { ...node, SecretID: "" };
}
