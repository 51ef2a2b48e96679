// /v1/status/*, /v1/regions, /v1/operator/raft/*, /v1/system/gc onto Status.*, Operator.*, System.*.
import { queryOptions, rpcCall, type RouteContext, type Reply } from "../context.js";
import { HttpError } from "../errors.js";
import { metaOf } from "../query.js";
import type { Router } from "../router.js";

export function clusterRoutes(router: Router): void {
  router
    .add("GET", "/v1/status/leader", statusLeader)
    .add("GET", "/v1/status/peers", statusPeers)
    .add("GET", "/v1/regions", regions)
    .add("GET", "/v1/operator/raft/configuration", raftConfiguration)
    .add("DELETE", "/v1/operator/raft/peer", removeRaftPeer)
    // Nomad accepts only PUT here.
    .add("PUT", "/v1/system/gc", systemGc);
}

function regionArgs(ctx: RouteContext): Record<string, unknown> {
  return { Region: ctx.query.get("region") ?? ctx.agent.region, AllowStale: true };
}

/** Some replies are the bare value, some wrap it in a field; accept both. */
function unwrap(reply: unknown, field: string): unknown {
  if (typeof reply === "object" && reply !== null && !Array.isArray(reply) && field in reply) {
    return (reply as Record<string, unknown>)[field];
  }
  return reply;
}

async function statusLeader(ctx: RouteContext): Promise<Reply> {
  const leader = unwrap(await rpcCall(ctx, "Status.Leader", regionArgs(ctx)), "Leader");
  return { body: typeof leader === "string" ? leader : "" };
}

async function statusPeers(ctx: RouteContext): Promise<Reply> {
  const peers = unwrap(await rpcCall(ctx, "Status.Peers", regionArgs(ctx)), "Peers");
  return { body: Array.isArray(peers) ? peers : [] };
}

async function regions(ctx: RouteContext): Promise<Reply> {
  const list = unwrap(await rpcCall(ctx, "Status.Regions", regionArgs(ctx)), "Regions");
  return { body: Array.isArray(list) ? [...(list as string[])].sort() : [] };
}

async function raftConfiguration(ctx: RouteContext): Promise<Reply> {
  const reply = await rpcCall(ctx, "Operator.RaftGetConfiguration", queryOptions(ctx));
  return { body: reply, meta: metaOf(reply) };
}

async function removeRaftPeer(ctx: RouteContext): Promise<Reply> {
  const id = ctx.query.get("id");
  if (id === null || id === "") {
    throw new HttpError(400, "Must specify ?id with the server's ID to remove");
  }
  await rpcCall(ctx, "Operator.RaftRemovePeerByID", {
    ID: id,
    Region: ctx.query.get("region") ?? ctx.agent.region,
  });
  return {};
}

async function systemGc(ctx: RouteContext): Promise<Reply> {
  await rpcCall(ctx, "System.GarbageCollect", { Region: ctx.query.get("region") ?? ctx.agent.region });
  return {};
}
