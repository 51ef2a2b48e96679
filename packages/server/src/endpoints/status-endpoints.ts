// Status.*, Operator.* and System.*: answered from the server's own view (raft, serf).
import { RpcError } from "@nomad/rpc";
import type { RaftConfigurationResponse, ServerMembersResponse } from "@nomad/structs";
import { z } from "zod";
import type { EndpointContext } from "./context.js";
import { mustForward } from "./query.js";
import { parseRequest, queryFields } from "./request.js";

const QuerySchema = z.object(queryFields).loose();
const RemovePeerSchema = z.object({ ...queryFields, ID: z.string().min(1, "missing peer ID") }).loose();

/** Raft servers with their serf member names (matched by the member's `id` tag, else its RPC address). */
async function raftConfiguration(ctx: EndpointContext): Promise<RaftConfigurationResponse> {
  const { deps } = ctx;
  const config = await deps.raftConfiguration();
  const names = new Map<string, string>();
  for (const m of deps.members()) {
    if (m.Tags["id"] !== undefined) names.set(m.Tags["id"], m.Name);
    const port = m.Tags["port"];
    if (port !== undefined) names.set(`${m.Tags["rpc_addr"] ?? m.Addr}:${port}`, m.Name);
  }
  return {
    Index: config.Index,
    Servers: config.Servers.map((s) => ({
      ...s,
      Node:
        s.Node !== "" && s.Node !== "(unknown)"
          ? s.Node
          : (names.get(s.ID) ?? names.get(s.Address) ?? "(unknown)"),
    })),
  };
}

export async function statusCall(ctx: EndpointContext, method: string, args: unknown): Promise<unknown> {
  const { deps } = ctx;
  switch (method) {
    case "Status.Leader":
      parseRequest(method, QuerySchema, args);
      return deps.isLeader() || deps.leaderRpcAddr() !== "" ? deps.leaderRpcAddr() : "";
    case "Status.Peers": {
      parseRequest(method, QuerySchema, args);
      const config = await deps.raftConfiguration();
      return config.Servers.map((s) => s.Address);
    }
    case "Status.Members": {
      parseRequest(method, QuerySchema, args);
      const reply: ServerMembersResponse = {
        ServerName: deps.serverName,
        ServerRegion: deps.region,
        ServerDC: deps.datacenter,
        Members: deps.members(),
      };
      return reply;
    }
    case "Status.Regions":
      parseRequest(method, QuerySchema, args);
      return [...deps.regions()].sort();
    case "Operator.RaftGetConfiguration": {
      const req = parseRequest(method, QuerySchema, args);
      if (mustForward(deps, req)) return deps.forward(method, args);
      return raftConfiguration(ctx);
    }
    case "Operator.RaftRemovePeerByID": {
      const req = parseRequest(method, RemovePeerSchema, args);
      if (!deps.isLeader()) return deps.forward(method, args);
      const config = await deps.raftConfiguration();
      if (!config.Servers.some((s) => s.ID === req.ID)) {
        throw new RpcError("NOT_FOUND", `id "${req.ID}" was not found in the Raft configuration`);
      }
      await deps.removeRaftPeer(req.ID);
      return {};
    }
    case "System.GarbageCollect": {
      parseRequest(method, QuerySchema, args);
      const leader = deps.leader();
      if (!deps.isLeader() || leader === null) return deps.forward(method, args);
      await leader.forceGC();
      return {};
    }
    default:
      throw new RpcError("UNKNOWN_METHOD", `rpc: can't find method ${method}`);
  }
}
