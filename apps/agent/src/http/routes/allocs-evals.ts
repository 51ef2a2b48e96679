// /v1/allocations, /v1/allocation/:id[/stop], /v1/evaluations, /v1/evaluation/:id[/allocations].
import { listOf, queryOptions, rpcCall, type RouteContext, type Reply } from "../context.js";
import { HttpError } from "../errors.js";
import { metaOf, parseBool } from "../query.js";
import { WRITE, type Router } from "../router.js";

export function allocEvalRoutes(router: Router): void {
  router
    .add("GET", "/v1/allocations", listAllocs)
    .add("GET", "/v1/allocation/:id", readAlloc)
    .add(WRITE, "/v1/allocation/:id/stop", stopAlloc)
    .add("GET", "/v1/evaluations", listEvals)
    .add("GET", "/v1/evaluation/:id", readEval)
    .add("GET", "/v1/evaluation/:id/allocations", evalAllocations);
}

async function listAllocs(ctx: RouteContext): Promise<Reply> {
  const reply = await rpcCall(ctx, "Alloc.List", queryOptions(ctx));
  return { body: listOf(reply, "Allocations"), meta: metaOf(reply) };
}

async function readAlloc(ctx: RouteContext): Promise<Reply> {
  const reply = await rpcCall<{ Alloc: unknown }>(ctx, "Alloc.GetAlloc", {
    ...queryOptions(ctx),
    AllocID: ctx.params["id"],
  });
  if (reply.Alloc === null || reply.Alloc === undefined) throw new HttpError(404, "alloc not found");
  return { body: reply.Alloc, meta: metaOf(reply) };
}

async function stopAlloc(ctx: RouteContext): Promise<Reply> {
  const reply = await rpcCall(ctx, "Alloc.Stop", {
    AllocID: ctx.params["id"],
    NoShutdownDelay: parseBool(ctx.query, "no_shutdown_delay") ?? false,
    Region: ctx.query.get("region") ?? ctx.agent.region,
    Namespace: ctx.query.get("namespace") ?? "default",
  });
  return { body: reply, meta: metaOf(reply) };
}

async function listEvals(ctx: RouteContext): Promise<Reply> {
  const args: Record<string, unknown> = { ...queryOptions(ctx) };
  const job = ctx.query.get("job");
  const status = ctx.query.get("status");
  if (job !== null && job !== "") args["FilterJobID"] = job;
  if (status !== null && status !== "") args["FilterEvalStatus"] = status;
  const reply = await rpcCall(ctx, "Eval.List", args);
  return { body: listOf(reply, "Evaluations"), meta: metaOf(reply) };
}

async function readEval(ctx: RouteContext): Promise<Reply> {
  const reply = await rpcCall<{ Eval: unknown }>(ctx, "Eval.GetEval", {
    ...queryOptions(ctx),
    EvalID: ctx.params["id"],
  });
  if (reply.Eval === null || reply.Eval === undefined) throw new HttpError(404, "eval not found");
  return { body: reply.Eval, meta: metaOf(reply) };
}

async function evalAllocations(ctx: RouteContext): Promise<Reply> {
  const reply = await rpcCall(ctx, "Eval.Allocations", { ...queryOptions(ctx), EvalID: ctx.params["id"] });
  return { body: listOf(reply, "Allocations"), meta: metaOf(reply) };
}
