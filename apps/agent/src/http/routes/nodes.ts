// /v1/nodes and /v1/node/:id[/...] onto the Node.* RPCs.
import { jsonObjectBody, listOf, queryOptions, rpcCall, type RouteContext, type Reply } from "../context.js";
import { HttpError } from "../errors.js";
import { metaOf } from "../query.js";
import { WRITE, type Router } from "../router.js";

export function nodeRoutes(router: Router): void {
  router
    .add("GET", "/v1/nodes", listNodes)
    .add("GET", "/v1/node/:id", readNode)
    .add("GET", "/v1/node/:id/allocations", nodeAllocations)
    .add(WRITE, "/v1/node/:id/drain", drainNode)
    .add(WRITE, "/v1/node/:id/eligibility", nodeEligibility)
    .add(WRITE, "/v1/node/:id/evaluate", evaluateNode);
}

async function listNodes(ctx: RouteContext): Promise<Reply> {
  const reply = await rpcCall(ctx, "Node.List", queryOptions(ctx));
  return { body: listOf(reply, "Nodes"), meta: metaOf(reply) };
}

async function readNode(ctx: RouteContext): Promise<Reply> {
  const reply = await rpcCall<{ Node: Record<string, unknown> | null }>(ctx, "Node.GetNode", {
    ...queryOptions(ctx),
    NodeID: ctx.params["id"],
  });
  if (reply.Node === null || reply.Node === undefined) throw new HttpError(404, "node not found");
  // The secret only ever travels between the client and the servers.
  return { body: { ...reply.Node, SecretID: "" }, meta: metaOf(reply) };
}

async function nodeAllocations(ctx: RouteContext): Promise<Reply> {
  const reply = await rpcCall(ctx, "Node.GetAllocs", { ...queryOptions(ctx), NodeID: ctx.params["id"] });
  return { body: listOf(reply, "Allocs"), meta: metaOf(reply) };
}

function writeArgs(ctx: RouteContext): Record<string, unknown> {
  return { NodeID: ctx.params["id"], Region: ctx.query.get("region") ?? ctx.agent.region };
}

async function drainNode(ctx: RouteContext): Promise<Reply> {
  const body = await jsonObjectBody(ctx);
  const spec = body["DrainSpec"];
  let drainStrategy: Record<string, unknown> | null = null;
  if (spec !== undefined && spec !== null) {
    if (typeof spec !== "object" || Array.isArray(spec))
      throw new HttpError(400, "DrainSpec: expected a JSON object or null");
    const s = spec as Record<string, unknown>;
    if (
      s["Deadline"] !== undefined &&
      (typeof s["Deadline"] !== "number" || !Number.isFinite(s["Deadline"]))
    ) {
      throw new HttpError(400, "DrainSpec.Deadline: expected a number of nanoseconds");
    }
    if (s["IgnoreSystemJobs"] !== undefined && typeof s["IgnoreSystemJobs"] !== "boolean") {
      throw new HttpError(400, "DrainSpec.IgnoreSystemJobs: expected a boolean");
    }
    drainStrategy = {
      DrainSpec: { Deadline: s["Deadline"] ?? 0, IgnoreSystemJobs: s["IgnoreSystemJobs"] ?? false },
    };
  }
  const meta = body["Meta"];
  const reply = await rpcCall(ctx, "Node.UpdateDrain", {
    ...writeArgs(ctx),
    DrainStrategy: drainStrategy,
    MarkEligible: body["MarkEligible"] === true,
    ...(typeof meta === "object" && meta !== null && !Array.isArray(meta) ? { Meta: meta } : {}),
  });
  return { body: reply, meta: metaOf(reply) };
}

async function nodeEligibility(ctx: RouteContext): Promise<Reply> {
  const body = await jsonObjectBody(ctx);
  const eligibility = body["Eligibility"];
  if (eligibility !== "eligible" && eligibility !== "ineligible") {
    throw new HttpError(400, `invalid scheduling eligibility ${JSON.stringify(eligibility ?? "")}`);
  }
  const reply = await rpcCall(ctx, "Node.UpdateEligibility", { ...writeArgs(ctx), Eligibility: eligibility });
  return { body: reply, meta: metaOf(reply) };
}

async function evaluateNode(ctx: RouteContext): Promise<Reply> {
  const reply = await rpcCall(ctx, "Node.Evaluate", writeArgs(ctx));
  return { body: reply, meta: metaOf(reply) };
}
