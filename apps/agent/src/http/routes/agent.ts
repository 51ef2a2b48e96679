// /v1/agent/*: answered by this agent itself (its server's gossip, its client), not by RPC,
// except the member list of a client-only agent, which it asks a server for.
import { arch, cpus, platform, release } from "node:os";
import type { AgentMember, ServerMembersResponse } from "@nomad/structs";
import { rpcCall, type RouteContext, type Reply } from "../context.js";
import { HttpError } from "../errors.js";
import { parseBool } from "../query.js";
import { WRITE, type Router } from "../router.js";

export function agentRoutes(router: Router): void {
  router
    .add("GET", "/v1/agent/self", agentSelf)
    .add("GET", "/v1/agent/members", agentMembers)
    .add(WRITE, "/v1/agent/join", agentJoin)
    .add(WRITE, "/v1/agent/force-leave", agentForceLeave)
    .add("GET", "/v1/agent/servers", agentServers)
    .add(WRITE, "/v1/agent/servers", setAgentServers)
    .add("GET", "/v1/agent/health", agentHealth);
}

const EMPTY_MEMBER: AgentMember = {
  Name: "",
  Addr: "",
  Port: 0,
  Tags: {},
  Status: "",
  ProtocolMin: 0,
  ProtocolMax: 0,
  ProtocolCur: 0,
  DelegateMin: 0,
  DelegateMax: 0,
  DelegateCur: 0,
};

function serfName(ctx: RouteContext): string {
  return `${ctx.agent.nodeName}.${ctx.agent.region}`;
}

async function agentSelf(ctx: RouteContext): Promise<Reply> {
  const { server, client } = ctx.backend;
  const stats: Record<string, Record<string, string>> = {};
  let member = EMPTY_MEMBER;
  if (server !== undefined) {
    for (const [group, values] of Object.entries(server.stats() as Record<string, unknown>)) {
      // A flat value (not a group) is filed under `nomad` so every group stays a string map.
      if (typeof values === "object" && values !== null)
        stats[group] = { ...stats[group], ...stringValues(values as Record<string, unknown>) };
      else
        stats["nomad"] = { ...stats["nomad"], [group]: typeof values === "string" ? values : String(values) };
    }
    member = server.members().find((m) => m.Name === serfName(ctx)) ?? member;
  }
  if (client !== undefined) stats["client"] = stringValues(client.stats());
  stats["runtime"] = runtimeStats();
  return { body: { config: ctx.agent.selfConfig(), member, stats } };
}

// Nomad's stats are string maps; a component that slips a number in still yields strings.
function stringValues(values: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) out[k] = typeof v === "string" ? v : (JSON.stringify(v) ?? "");
  return out;
}

export function runtimeStats(): Record<string, string> {
  const cpuCount = String(cpus().length);
  const handles =
    (process as unknown as { getActiveResourcesInfo?: () => string[] }).getActiveResourcesInfo?.().length ??
    0;
  return {
    arch: arch() === "x64" ? "amd64" : arch(),
    cpu_count: cpuCount,
    goroutines: String(handles),
    "kernel.name": platform(),
    "kernel.version": release(),
    max_procs: cpuCount,
    version: process.version,
  };
}

async function agentMembers(ctx: RouteContext): Promise<Reply> {
  const server = ctx.backend.server;
  if (server !== undefined) {
    const body: ServerMembersResponse = {
      ServerName: ctx.agent.nodeName,
      ServerRegion: ctx.agent.region,
      ServerDC: ctx.agent.datacenter,
      Members: server.members(),
    };
    return { body };
  }
  const reply = await rpcCall<ServerMembersResponse>(ctx, "Status.Members", { Region: ctx.agent.region });
  return { body: reply };
}

async function agentJoin(ctx: RouteContext): Promise<Reply> {
  const server = ctx.backend.server;
  if (server === undefined) throw new HttpError(501, "Invalid method");
  const addrs = ctx.query.getAll("address").filter((a) => a !== "");
  if (addrs.length === 0) throw new HttpError(400, "missing address to join");
  try {
    const joined = await server.join(addrs);
    return { body: { num_joined: joined, error: "", warning: "" } };
  } catch (e) {
    return { body: { num_joined: 0, error: e instanceof Error ? e.message : String(e), warning: "" } };
  }
}

async function agentForceLeave(ctx: RouteContext): Promise<Reply> {
  const server = ctx.backend.server;
  if (server === undefined) throw new HttpError(501, "Invalid method");
  const node = ctx.query.get("node");
  if (node === null || node === "") throw new HttpError(400, "missing node to force leave");
  await server.forceLeave(node, parseBool(ctx.query, "prune") ?? false);
  return {};
}

async function agentServers(ctx: RouteContext): Promise<Reply> {
  const client = ctx.backend.client;
  if (client === undefined) throw new HttpError(501, "Invalid method");
  return { body: client.servers?.() ?? [] };
}

async function setAgentServers(ctx: RouteContext): Promise<Reply> {
  const client = ctx.backend.client;
  if (client === undefined) throw new HttpError(501, "Invalid method");
  const addrs = ctx.query.getAll("address").filter((a) => a !== "");
  if (addrs.length === 0) throw new HttpError(400, "missing server address");
  if (client.setServers === undefined) throw new HttpError(501, "this client cannot change its servers");
  client.setServers(addrs);
  return {};
}

async function agentHealth(ctx: RouteContext): Promise<Reply> {
  const body: Record<string, { ok: boolean; message: string }> = {};
  if (ctx.backend.client !== undefined) body["client"] = { ok: true, message: "ok" };
  if (ctx.backend.server !== undefined) body["server"] = { ok: true, message: "ok" };
  return { body };
}
