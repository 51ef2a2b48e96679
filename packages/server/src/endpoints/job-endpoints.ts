// Job.*: register, deregister, plan and evaluate (writes, on the leader) and the job reads.
import { RpcError, type RpcCallContext } from "@nomad/rpc";
import {
  parseJob,
  type Allocation,
  type Job,
  type JobDeregisterResponse,
  type JobPlanResponse,
  type JobRegisterResponse,
  type JobSummary,
} from "@nomad/structs";
import { z } from "zod";
import type { EndpointContext } from "./context.js";
import { newJobEval } from "./evals.js";
import { jobDiff } from "./job-diff.js";
import { applyCommand, blockingQuery, mustForward } from "./query.js";
import { listNamespace, namespaceOf, parseRequest, parseStruct, queryFields } from "./request.js";
import { allocListStub, jobIsParameterized, jobIsPeriodic, jobListStub } from "./stubs.js";

const jobBody = z.unknown().refine((v) => typeof v === "object" && v !== null, "missing job");
const priority = z.number().int().min(1).max(100).optional();

const RegisterSchema = z
  .object({
    ...queryFields,
    Job: jobBody,
    EnforceIndex: z.boolean().optional(),
    JobModifyIndex: z.number().int().nonnegative().optional(),
    PreserveCounts: z.boolean().optional(),
    EvalPriority: priority,
  })
  .loose();

const DeregisterSchema = z
  .object({ ...queryFields, JobID: z.string().min(1), Purge: z.boolean().optional(), EvalPriority: priority })
  .loose();

const JobSpecificSchema = z
  .object({ ...queryFields, JobID: z.string().min(1), All: z.boolean().optional() })
  .loose();
const ListSchema = z.object(queryFields).loose();
const PlanSchema = z.object({ ...queryFields, Job: jobBody, Diff: z.boolean().optional() }).loose();
const EvaluateSchema = z
  .object({
    ...queryFields,
    JobID: z.string().min(1),
    EvalOptions: z.object({ ForceReschedule: z.boolean().optional() }).loose().nullish(),
  })
  .loose();

/** The request's job, in the request's namespace when the job names none (as Nomad's HTTP layer). */
function requestJob(body: unknown, namespace: string | undefined): Job {
  const raw = body as Record<string, unknown>;
  const withNamespace =
    (raw["Namespace"] === undefined || raw["Namespace"] === "") && namespace !== undefined && namespace !== ""
      ? { ...raw, Namespace: namespace }
      : raw;
  return parseStruct("Job", parseJob, withNamespace);
}

export async function jobRegister(ctx: EndpointContext, method: string, args: unknown): Promise<unknown> {
  const { deps } = ctx;
  const req = parseRequest(method, RegisterSchema, args);
  let job = requestJob(req.Job, req.Namespace);
  if (!deps.isLeader()) return deps.forward(method, args);
  const snap = deps.state.snapshot();
  const existing = snap.jobByID(job.Namespace, job.ID);
  if (req.EnforceIndex === true) {
    const want = req.JobModifyIndex ?? 0;
    if (want === 0 && existing !== undefined) {
      throw new RpcError("INVALID", "Enforcing job modify index 0: job already exists");
    }
    if (want !== 0 && existing === undefined) {
      throw new RpcError("INVALID", `Enforcing job modify index ${want}: job does not exist`);
    }
    if (want !== 0 && existing !== undefined && existing.JobModifyIndex !== want) {
      throw new RpcError(
        "INVALID",
        `Enforcing job modify index ${want}: job exists with conflicting job modify index: ${existing.JobModifyIndex}`,
      );
    }
  }
  if (req.PreserveCounts === true && existing !== undefined) {
    const counts = new Map(existing.TaskGroups.map((g) => [g.Name, g.Count]));
    job = { ...job, TaskGroups: job.TaskGroups.map((g) => ({ ...g, Count: counts.get(g.Name) ?? g.Count })) };
  }
  job = { ...job, SubmitTime: ctx.nowNs() };
  // Periodic and parameterized jobs are templates: their children get evaluated, not them.
  const evaluation =
    jobIsPeriodic(job) || jobIsParameterized(job)
      ? undefined
      : newJobEval(ctx, job, "job-register", req.EvalPriority);
  const index = await applyCommand(deps, {
    type: "JobRegister",
    Job: job,
    ...(evaluation === undefined ? {} : { Eval: evaluation }),
  });
  const stored = deps.state.snapshot().jobByID(job.Namespace, job.ID);
  const reply: JobRegisterResponse = {
    Index: index,
    EvalID: evaluation?.ID ?? "",
    EvalCreateIndex: evaluation === undefined ? 0 : index,
    JobModifyIndex: stored?.JobModifyIndex ?? index,
    Warnings: "",
  };
  return reply;
}

export async function jobDeregister(ctx: EndpointContext, method: string, args: unknown): Promise<unknown> {
  const { deps } = ctx;
  const req = parseRequest(method, DeregisterSchema, args);
  if (!deps.isLeader()) return deps.forward(method, args);
  const namespace = namespaceOf(req);
  const job = deps.state.snapshot().jobByID(namespace, req.JobID);
  if (job === undefined) throw new RpcError("NOT_FOUND", `job "${req.JobID}" not found`);
  const evaluation =
    jobIsPeriodic(job) || jobIsParameterized(job)
      ? undefined
      : newJobEval(ctx, job, "job-deregister", req.EvalPriority);
  const index = await applyCommand(deps, {
    type: "JobDeregister",
    Namespace: namespace,
    JobID: req.JobID,
    Purge: req.Purge === true,
    SubmitTime: ctx.nowNs(),
    ...(evaluation === undefined ? {} : { Eval: evaluation }),
  });
  const reply: JobDeregisterResponse = {
    Index: index,
    EvalID: evaluation?.ID ?? "",
    EvalCreateIndex: evaluation === undefined ? 0 : index,
    JobModifyIndex: index,
  };
  return reply;
}

export async function jobPlan(ctx: EndpointContext, method: string, args: unknown): Promise<unknown> {
  const { deps } = ctx;
  const req = parseRequest(method, PlanSchema, args);
  const job = requestJob(req.Job, req.Namespace);
  const leader = deps.leader();
  if (!deps.isLeader() || leader === null) return deps.forward(method, args);
  const existing = deps.state.snapshot().jobByID(job.Namespace, job.ID);
  const result = await leader.planJob({ ...job, SubmitTime: ctx.nowNs() });
  const reply: JobPlanResponse = {
    Index: result.Index,
    Annotations: result.Annotations,
    FailedTGAllocs: result.FailedTGAllocs,
    JobModifyIndex: existing?.JobModifyIndex ?? 0,
    CreatedEvals: result.CreatedEvals,
    Diff: req.Diff === true ? jobDiff(existing, job, result.Annotations) : null,
    NextPeriodicLaunch: 0,
    Warnings: "",
  };
  return reply;
}

export async function jobEvaluate(ctx: EndpointContext, method: string, args: unknown): Promise<unknown> {
  const { deps } = ctx;
  const req = parseRequest(method, EvaluateSchema, args);
  if (!deps.isLeader()) return deps.forward(method, args);
  const namespace = namespaceOf(req);
  const snap = deps.state.snapshot();
  const job = snap.jobByID(namespace, req.JobID);
  if (job === undefined) throw new RpcError("NOT_FOUND", `job "${req.JobID}" not found`);
  if (jobIsPeriodic(job)) throw new RpcError("INVALID", "can't evaluate periodic job");
  if (jobIsParameterized(job)) throw new RpcError("INVALID", "can't evaluate parameterized job");
  const evaluation = newJobEval(ctx, job, "job-register");
  let index: number;
  if (req.EvalOptions?.ForceReschedule === true) {
    // Failed allocations are rescheduled now, whatever their reschedule policy's delay says.
    const transitions: Record<string, Allocation["DesiredTransition"]> = {};
    for (const a of snap.allocsByJob(namespace, job.ID)) {
      if (a.ClientStatus === "failed" && a.DesiredStatus === "run") {
        transitions[a.ID] = { ...a.DesiredTransition, ForceReschedule: true };
      }
    }
    index = await applyCommand(deps, {
      type: "AllocUpdateDesiredTransition",
      Allocs: transitions,
      Evals: [evaluation],
    });
  } else {
    index = await applyCommand(deps, { type: "EvalUpdate", Evals: [evaluation] });
  }
  const reply: JobRegisterResponse = {
    Index: index,
    EvalID: evaluation.ID,
    EvalCreateIndex: index,
    JobModifyIndex: job.JobModifyIndex,
    Warnings: "",
  };
  return reply;
}

export async function jobRead(
  ctx: EndpointContext,
  method: string,
  args: unknown,
  call: RpcCallContext,
): Promise<unknown> {
  const { deps } = ctx;
  if (method === "Job.List") {
    const req = parseRequest(method, ListSchema, args);
    if (mustForward(deps, req)) return deps.forward(method, args);
    const namespace = listNamespace(req);
    return blockingQuery(ctx, req, ["jobs", "job_summary"], call.signal, (snap) => ({
      body: {
        Jobs: snap
          .jobsByIDPrefix(namespace, req.Prefix ?? "")
          .map((j) => jobListStub(j, snap.jobSummary(j.Namespace, j.ID))),
      },
    }));
  }
  const req = parseRequest(method, JobSpecificSchema, args);
  if (mustForward(deps, req)) return deps.forward(method, args);
  const namespace = namespaceOf(req);
  switch (method) {
    case "Job.GetJob":
      return blockingQuery<{ Job: Job | null }>(ctx, req, ["jobs"], call.signal, (snap) => {
        const job = snap.jobByID(namespace, req.JobID);
        return { body: { Job: job ?? null }, ...(job === undefined ? {} : { index: job.ModifyIndex }) };
      });
    case "Job.GetJobVersions":
      return blockingQuery(ctx, req, ["job_versions"], call.signal, (snap) => {
        const versions = snap.jobVersions(namespace, req.JobID);
        return {
          body: { Versions: [...versions] },
          ...(versions.length === 0 ? {} : { index: Math.max(...versions.map((v) => v.ModifyIndex)) }),
        };
      });
    case "Job.Allocations":
      return blockingQuery(ctx, req, ["allocs"], call.signal, (snap) => {
        const job = snap.jobByID(namespace, req.JobID);
        // Without All, only allocations of this incarnation of the job (a purged and
        // re-registered job gets a new CreateIndex).
        const allocs = snap
          .allocsByJob(namespace, req.JobID)
          .filter(
            (a) =>
              req.All === true ||
              job === undefined ||
              a.Job === null ||
              a.Job === undefined ||
              a.Job.CreateIndex === job.CreateIndex,
          );
        return { body: { Allocations: allocs.map(allocListStub) } };
      });
    case "Job.Evaluations":
      return blockingQuery(ctx, req, ["evals"], call.signal, (snap) => ({
        body: { Evaluations: [...snap.evalsByJob(namespace, req.JobID)] },
      }));
    case "Job.Summary":
      return blockingQuery<{ JobSummary: JobSummary | null }>(
        ctx,
        req,
        ["job_summary"],
        call.signal,
        (snap) => {
          const summary = snap.jobSummary(namespace, req.JobID);
          return {
            body: { JobSummary: summary ?? null },
            ...(summary === undefined ? {} : { index: summary.ModifyIndex }),
          };
        },
      );
    default:
      throw new RpcError("UNKNOWN_METHOD", `rpc: can't find method ${method}`);
  }
}
