// The server's RPC endpoints: one handler for every method of RPC_METHODS, with Nomad's
// semantics. Reads answer from a state snapshot (blocking queries, stale reads allowed when
// asked, otherwise forwarded to the leader by a follower); writes are validated, forwarded to
// the leader when this server is not it, and proposed through Raft with every timestamp and ID
// decided here.
import { RpcError, type RpcCallContext, type RpcHandler } from "@nomad/rpc";
import { RPC_METHODS, type RpcMethod } from "@nomad/structs";
import {
  allocRead,
  allocStop,
  AllocUpdateBatcher,
  DEFAULT_ALLOC_UPDATE_BATCH_MS,
  nodeUpdateAlloc,
} from "./alloc-endpoints.js";
import { endpointContext, type EndpointContext } from "./context.js";
import type { EndpointDeps } from "./deps.js";
import { evalRead } from "./eval-endpoints.js";
import { jobDeregister, jobEvaluate, jobPlan, jobRead, jobRegister } from "./job-endpoints.js";
import {
  nodeEvaluate,
  nodeRead,
  nodeRegister,
  nodeUpdateDrain,
  nodeUpdateEligibility,
  nodeUpdateStatus,
} from "./node-endpoints.js";
import { statusCall } from "./status-endpoints.js";

export type { EndpointDeps, EndpointLeader, EndpointStateStore } from "./deps.js";
export { jobListStub, allocListStub, nodeListStub, sanitizeNode } from "./stubs.js";
export { blockingWaitMs, MAX_BLOCKING_MS } from "./query.js";
export { DEFAULT_ALLOC_UPDATE_BATCH_MS } from "./alloc-endpoints.js";

type Endpoint = (
  ctx: EndpointContext,
  method: string,
  args: unknown,
  call: RpcCallContext,
) => Promise<unknown>;

const KNOWN: ReadonlySet<string> = new Set(RPC_METHODS);

export function createEndpoints(deps: EndpointDeps): RpcHandler {
  const ctx = endpointContext(deps);
  const batcher = new AllocUpdateBatcher(ctx, deps.allocUpdateBatchMs ?? DEFAULT_ALLOC_UPDATE_BATCH_MS);
  const table: Record<RpcMethod, Endpoint> = {
    "Status.Leader": statusCall,
    "Status.Peers": statusCall,
    "Status.Members": statusCall,
    "Status.Regions": statusCall,
    "Job.Register": jobRegister,
    "Job.Deregister": jobDeregister,
    "Job.GetJob": jobRead,
    "Job.List": jobRead,
    "Job.GetJobVersions": jobRead,
    "Job.Allocations": jobRead,
    "Job.Evaluations": jobRead,
    "Job.Summary": jobRead,
    "Job.Plan": jobPlan,
    "Job.Evaluate": jobEvaluate,
    "Node.Register": nodeRegister,
    "Node.UpdateStatus": nodeUpdateStatus,
    "Node.GetNode": nodeRead,
    "Node.List": nodeRead,
    "Node.GetAllocs": nodeRead,
    "Node.GetClientAllocs": nodeRead,
    "Node.UpdateAlloc": (c, method, args) => nodeUpdateAlloc(c, batcher, method, args),
    "Node.UpdateDrain": nodeUpdateDrain,
    "Node.UpdateEligibility": nodeUpdateEligibility,
    "Node.Evaluate": nodeEvaluate,
    "Alloc.List": allocRead,
    "Alloc.GetAlloc": allocRead,
    "Alloc.GetAllocs": allocRead,
    "Alloc.Stop": allocStop,
    "Eval.GetEval": evalRead,
    "Eval.List": evalRead,
    "Eval.Allocations": evalRead,
    "Operator.RaftGetConfiguration": statusCall,
    "Operator.RaftRemovePeerByID": statusCall,
    "System.GarbageCollect": statusCall,
  };
  return async (method, args, call) => {
    if (!KNOWN.has(method)) throw new RpcError("UNKNOWN_METHOD", `rpc: can't find method ${method}`);
    if (args !== undefined && args !== null && (typeof args !== "object" || Array.isArray(args))) {
      throw new RpcError("INVALID", `invalid ${method} request: expected an object of arguments`);
    }
    const region = (args as { Region?: unknown } | null | undefined)?.Region;
    if (typeof region === "string" && region !== "" && region !== deps.region) {
      // One region per cluster in this first cut: nowhere to forward to.
      throw new RpcError("INVALID", `No path to region "${region}"`, { field: "Region" });
    }
    return table[method as RpcMethod](ctx, method, args ?? {}, call);
  };
}
