// /v1/jobs, /v1/jobs/parse and /v1/job/:id[/...] onto the Job.* RPCs.
// The job-file parser (and its HCL wasm) loads on the first job request, not at agent start.
const jobspec = () => import("@nomad/jobspec");
import type { Job } from "@nomad/structs";
import {
  jsonObjectBody,
  listOf,
  optionalObjectBody,
  queryOptions,
  rpcCall,
  type RouteContext,
  type Reply,
} from "../context.js";
import { HttpError } from "../errors.js";
import { metaOf, parseBool, parseNonNegativeInt } from "../query.js";
import { WRITE, type Router } from "../router.js";

export function jobRoutes(router: Router): void {
  router
    .add("GET", "/v1/jobs", listJobs)
    .add(WRITE, "/v1/jobs", (ctx) => registerJob(ctx, undefined))
    .add(WRITE, "/v1/jobs/parse", parseJob)
    .add("GET", "/v1/job/:id", readJob)
    .add(WRITE, "/v1/job/:id", (ctx) => registerJob(ctx, ctx.params["id"]))
    .add("DELETE", "/v1/job/:id", deregisterJob)
    .add("GET", "/v1/job/:id/versions", jobVersions)
    .add("GET", "/v1/job/:id/allocations", jobAllocations)
    .add("GET", "/v1/job/:id/evaluations", jobEvaluations)
    .add("GET", "/v1/job/:id/summary", jobSummary)
    .add(WRITE, "/v1/job/:id/plan", planJob)
    .add(WRITE, "/v1/job/:id/evaluate", evaluateJob);
}

async function listJobs(ctx: RouteContext): Promise<Reply> {
  const reply = await rpcCall(ctx, "Job.List", queryOptions(ctx));
  return { body: listOf(reply, "Jobs"), meta: metaOf(reply) };
}

/** The API job in a request body, canonicalised and validated (400 naming the field). */
async function jobFromBody(body: Record<string, unknown>): Promise<Job> {
  const { JobspecError, toJob } = await jobspec();
  const raw = body["Job"];
  if (raw === undefined || raw === null) throw new HttpError(400, "Job must be specified");
  if (typeof raw !== "object" || Array.isArray(raw)) throw new HttpError(400, "Job: expected a JSON object");
  try {
    return toJob("Job", raw);
  } catch (e) {
    if (e instanceof JobspecError) throw new HttpError(400, `Job validation failed: ${e.detail}`);
    throw e;
  }
}

async function registerJob(ctx: RouteContext, pathID: string | undefined): Promise<Reply> {
  const body = await jsonObjectBody(ctx);
  const job = await jobFromBody(body);
  if (pathID !== undefined && job.ID !== pathID) throw new HttpError(400, "Job ID does not match name");
  const args: Record<string, unknown> = {
    Job: job,
    Region: ctx.query.get("region") ?? ctx.agent.region,
    Namespace: job.Namespace,
  };
  if (typeof body["EnforceIndex"] === "boolean") args["EnforceIndex"] = body["EnforceIndex"];
  if (typeof body["JobModifyIndex"] === "number") args["JobModifyIndex"] = body["JobModifyIndex"];
  if (typeof body["PreserveCounts"] === "boolean") args["PreserveCounts"] = body["PreserveCounts"];
  if (typeof body["EvalPriority"] === "number") args["EvalPriority"] = body["EvalPriority"];
  const reply = await rpcCall(ctx, "Job.Register", args);
  return { body: reply, meta: metaOf(reply) };
}

async function parseJob(ctx: RouteContext): Promise<Reply> {
  const body = await jsonObjectBody(ctx);
  const hcl = body["JobHCL"];
  if (typeof hcl !== "string" || hcl.trim() === "") throw new HttpError(400, "Job spec is empty");
  const canonicalize = body["Canonicalize"] === true;
  const { JobspecError, parseJobFile, parseJobFileRaw } = await jobspec();
  try {
    const job = canonicalize
      ? await parseJobFile(hcl, { filename: "input.hcl", format: "hcl" })
      : await parseJobFileRaw(hcl, { filename: "input.hcl", format: "hcl" });
    return { body: job };
  } catch (e) {
    if (e instanceof JobspecError) throw new HttpError(400, e.message);
    throw e;
  }
}

function jobArgs(ctx: RouteContext): Record<string, unknown> {
  return { ...queryOptions(ctx), JobID: ctx.params["id"] };
}

async function readJob(ctx: RouteContext): Promise<Reply> {
  const reply = await rpcCall<{ Job: Job | null }>(ctx, "Job.GetJob", jobArgs(ctx));
  if (reply.Job === null || reply.Job === undefined) throw new HttpError(404, "job not found");
  return { body: reply.Job, meta: metaOf(reply) };
}

async function deregisterJob(ctx: RouteContext): Promise<Reply> {
  const args: Record<string, unknown> = {
    JobID: ctx.params["id"],
    Purge: parseBool(ctx.query, "purge") ?? false,
    Region: ctx.query.get("region") ?? ctx.agent.region,
    Namespace: ctx.query.get("namespace") ?? "default",
  };
  const priority = parseNonNegativeInt(ctx.query, "eval_priority");
  if (priority !== undefined) args["EvalPriority"] = priority;
  const reply = await rpcCall(ctx, "Job.Deregister", args);
  return { body: reply, meta: metaOf(reply) };
}

async function jobVersions(ctx: RouteContext): Promise<Reply> {
  const reply = await rpcCall<Record<string, unknown>>(ctx, "Job.GetJobVersions", jobArgs(ctx));
  const versions = listOf(reply, "Versions");
  if (versions.length === 0) throw new HttpError(404, "job versions not found");
  const meta = metaOf(reply);
  return {
    body: {
      Versions: versions,
      Diffs: reply["Diffs"] ?? null,
      Index: meta.Index ?? 0,
      KnownLeader: meta.KnownLeader ?? false,
      LastContact: meta.LastContact ?? 0,
    },
    meta,
  };
}

async function jobAllocations(ctx: RouteContext): Promise<Reply> {
  const args = jobArgs(ctx);
  if (parseBool(ctx.query, "all") === true) args["All"] = true;
  const reply = await rpcCall(ctx, "Job.Allocations", args);
  return { body: listOf(reply, "Allocations"), meta: metaOf(reply) };
}

async function jobEvaluations(ctx: RouteContext): Promise<Reply> {
  const reply = await rpcCall(ctx, "Job.Evaluations", jobArgs(ctx));
  return { body: listOf(reply, "Evaluations"), meta: metaOf(reply) };
}

async function jobSummary(ctx: RouteContext): Promise<Reply> {
  const reply = await rpcCall<{ JobSummary: unknown }>(ctx, "Job.Summary", jobArgs(ctx));
  if (reply.JobSummary === null || reply.JobSummary === undefined) throw new HttpError(404, "job not found");
  return { body: reply.JobSummary, meta: metaOf(reply) };
}

async function planJob(ctx: RouteContext): Promise<Reply> {
  const body = await jsonObjectBody(ctx);
  const job = await jobFromBody(body);
  if (job.ID !== ctx.params["id"]) throw new HttpError(400, "Job ID does not match");
  const reply = await rpcCall(ctx, "Job.Plan", {
    Job: job,
    Diff: body["Diff"] === true,
    Region: ctx.query.get("region") ?? ctx.agent.region,
    Namespace: job.Namespace,
  });
  return { body: reply, meta: metaOf(reply) };
}

async function evaluateJob(ctx: RouteContext): Promise<Reply> {
  const body = await optionalObjectBody(ctx);
  const options = body["EvalOptions"];
  const reply = await rpcCall(ctx, "Job.Evaluate", {
    JobID: ctx.params["id"],
    Region: ctx.query.get("region") ?? ctx.agent.region,
    Namespace: ctx.query.get("namespace") ?? "default",
    EvalOptions: {
      ForceReschedule:
        typeof options === "object" &&
        options !== null &&
        (options as { ForceReschedule?: unknown }).ForceReschedule === true,
    },
  });
  return { body: reply, meta: metaOf(reply) };
}
