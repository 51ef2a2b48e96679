// Node.*: what clients call (register, heartbeat via UpdateStatus, alloc sync) and what
// operators call (drain, eligibility, evaluate), plus the node reads.
import { RpcError, type RpcCallContext } from "@nomad/rpc";
import {
  DrainStrategySchema,
  NODE_STATUSES,
  parseEvaluation,
  parseNode,
  SCHEDULING_ELIGIBILITIES,
  type DesiredTransition,
  type DrainStrategy,
  type Evaluation,
  type Node,
  type NodeDrainUpdateResponse,
  type NodeEvent,
  type NodeServerInfo,
  type NodeStatus,
  type NodeUpdateResponse,
} from "@nomad/structs";
import { z } from "zod";
import { createNodeEvals } from "../leader/node-evals.js";
import type { StateSnapshot } from "../state/types.js";
import type { EndpointContext } from "./context.js";
import { applyCommand, blockingQuery, mustForward, queryMeta } from "./query.js";
import { parseRequest, parseStruct, queryFields } from "./request.js";
import { nodeListStub, sanitizeNode } from "./stubs.js";

const NS_PER_MS = 1_000_000;

const NodeEventSchema = z
  .object({
    Message: z.string(),
    Subsystem: z.string(),
    Details: z.record(z.string(), z.string()).nullish(),
    Timestamp: z.string(),
    CreateIndex: z.number().int().nonnegative().optional(),
  })
  .loose();

const RegisterSchema = z
  .object({
    ...queryFields,
    Node: z.unknown().refine((v) => typeof v === "object" && v !== null, "missing node"),
  })
  .loose();
const UpdateStatusSchema = z
  .object({
    ...queryFields,
    NodeID: z.string().min(1, "missing node ID"),
    Status: z.enum(NODE_STATUSES),
    NodeEvent: NodeEventSchema.nullish(),
    UpdatedAt: z.number().nonnegative().optional(),
  })
  .loose();
const NodeSpecificSchema = z.object({ ...queryFields, NodeID: z.string().min(1, "missing node ID") }).loose();
const ListSchema = z.object(queryFields).loose();
const DrainSchema = z
  .object({
    ...queryFields,
    NodeID: z.string().min(1, "missing node ID"),
    DrainStrategy: z.unknown().optional(),
    MarkEligible: z.boolean().optional(),
    Meta: z.record(z.string(), z.string()).nullish(),
  })
  .loose();
const EligibilitySchema = z
  .object({
    ...queryFields,
    NodeID: z.string().min(1, "missing node ID"),
    Eligibility: z.enum(SCHEDULING_ELIGIBILITIES),
  })
  .loose();

/** Nomad re-evaluates a node's jobs when it becomes ready (new, back from down/disconnected) or goes down. */
export function statusChangeNeedsEvals(previous: NodeStatus | undefined, next: NodeStatus): boolean {
  if (next === "down") return previous !== "down";
  if (next === "ready") return previous !== "ready";
  return false;
}

function rfc3339(nowMs: number): string {
  return new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function nodeEvent(ctx: EndpointContext, subsystem: string, message: string): NodeEvent {
  return {
    Message: message,
    Subsystem: subsystem,
    Details: null,
    Timestamp: rfc3339(ctx.nowMs()),
    CreateIndex: 0,
  };
}

function requireNode(snap: StateSnapshot, nodeID: string): Node {
  const node = snap.nodeByID(nodeID);
  if (node === undefined) throw new RpcError("NOT_FOUND", `node not found: ${nodeID}`);
  return node;
}

/** A client proves it is the node by its secret; operators (no SecretID) are not asked. */
function checkSecret(node: Node, secretID: string | undefined): void {
  if (secretID !== undefined && secretID !== "" && node.SecretID !== "" && node.SecretID !== secretID) {
    throw new RpcError("PERMISSION", "node secret ID does not match");
  }
}

/** The servers a client should know, from the serf members' tags unless the deps say otherwise. */
function nodeServers(ctx: EndpointContext): NodeServerInfo[] {
  const { deps } = ctx;
  if (deps.nodeServers !== undefined) return deps.nodeServers();
  const out: NodeServerInfo[] = [];
  for (const m of deps.members()) {
    if (m.Tags["role"] !== "nomad" || m.Status !== "alive") continue;
    if (m.Tags["region"] !== undefined && m.Tags["region"] !== deps.region) continue;
    const host = m.Tags["rpc_addr"] ?? m.Addr;
    const port = m.Tags["port"];
    if (port === undefined) continue;
    out.push({
      RPCAdvertiseAddr: host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`,
      RPCMajorVersion: 1,
      RPCMinorVersion: 1,
      Datacenter: m.Tags["dc"] ?? "",
    });
  }
  return out;
}

function nodeUpdateResponse(
  ctx: EndpointContext,
  index: number,
  heartbeatTtlMs: number,
  evals: readonly Evaluation[],
  evalIndex: number,
  nodeModifyIndex: number,
): NodeUpdateResponse {
  const { deps } = ctx;
  return {
    ...queryMeta(deps, index),
    HeartbeatTTL: Math.round(heartbeatTtlMs * NS_PER_MS),
    EvalIDs: evals.map((e) => e.ID),
    EvalCreateIndex: evals.length === 0 ? 0 : evalIndex,
    NodeModifyIndex: nodeModifyIndex,
    LeaderRPCAddr: deps.leaderRpcAddr(),
    NumNodes: deps.state.snapshot().nodes().length,
    Servers: nodeServers(ctx),
  };
}

function resetHeartbeat(ctx: EndpointContext, nodeID: string, status: NodeStatus): number {
  if (status === "down") return 0;
  const leader = ctx.deps.leader();
  return leader === null ? 0 : leader.resetHeartbeat(nodeID);
}

function nodeEvals(ctx: EndpointContext, snap: StateSnapshot, nodeID: string): Evaluation[] {
  return createNodeEvals(snap, nodeID, { nowNs: ctx.nowNs(), newID: () => ctx.newID() });
}

export async function nodeRegister(ctx: EndpointContext, method: string, args: unknown): Promise<unknown> {
  const { deps } = ctx;
  const req = parseRequest(method, RegisterSchema, args);
  const raw = req.Node as Record<string, unknown>;
  let node = parseStruct("Node", parseNode, raw);
  if (node.SecretID === "")
    throw new RpcError("INVALID", "Node.SecretID: missing node secret ID", { field: "Node.SecretID" });
  if (node.Datacenter === "")
    throw new RpcError("INVALID", "Node.Datacenter: missing datacenter", { field: "Node.Datacenter" });
  if (!deps.isLeader()) return deps.forward(method, args);
  const snap = deps.state.snapshot();
  const existing = snap.nodeByID(node.ID);
  if (existing !== undefined && existing.SecretID !== node.SecretID) {
    throw new RpcError("PERMISSION", "node secret ID does not match. Not registering node.");
  }
  node = { ...node, StatusUpdatedAt: Math.floor(ctx.nowMs() / 1000) };
  const evals = statusChangeNeedsEvals(existing?.Status, node.Status) ? nodeEvals(ctx, snap, node.ID) : [];
  const index = await applyCommand(deps, { type: "NodeRegister", Node: node, Evals: evals });
  const ttlMs = resetHeartbeat(ctx, node.ID, node.Status);
  return nodeUpdateResponse(ctx, index, ttlMs, evals, index, index);
}

export async function nodeUpdateStatus(
  ctx: EndpointContext,
  method: string,
  args: unknown,
): Promise<unknown> {
  const { deps } = ctx;
  const req = parseRequest(method, UpdateStatusSchema, args);
  if (!deps.isLeader()) return deps.forward(method, args);
  const snap = deps.state.snapshot();
  const node = requireNode(snap, req.NodeID);
  checkSecret(node, req.SecretID);
  // A heartbeat (same status) only resets the timer: no Raft write, as Nomad.
  if (node.Status === req.Status) {
    const ttlMs = resetHeartbeat(ctx, node.ID, req.Status);
    return nodeUpdateResponse(ctx, node.ModifyIndex, ttlMs, [], 0, node.ModifyIndex);
  }
  const evals = statusChangeNeedsEvals(node.Status, req.Status) ? nodeEvals(ctx, snap, node.ID) : [];
  const index = await applyCommand(deps, {
    type: "NodeUpdateStatus",
    NodeID: node.ID,
    Status: req.Status,
    ...(req.NodeEvent === undefined || req.NodeEvent === null
      ? {}
      : { NodeEvent: { ...req.NodeEvent, Details: req.NodeEvent.Details ?? null, CreateIndex: 0 } }),
    UpdatedAt: Math.floor(ctx.nowMs() / 1000),
    Evals: evals,
  });
  const ttlMs = resetHeartbeat(ctx, node.ID, req.Status);
  return nodeUpdateResponse(ctx, index, ttlMs, evals, index, index);
}

export async function nodeEvaluate(ctx: EndpointContext, method: string, args: unknown): Promise<unknown> {
  const { deps } = ctx;
  const req = parseRequest(method, NodeSpecificSchema, args);
  if (!deps.isLeader()) return deps.forward(method, args);
  const snap = deps.state.snapshot();
  const node = requireNode(snap, req.NodeID);
  const evals = nodeEvals(ctx, snap, node.ID);
  const index =
    evals.length === 0 ? node.ModifyIndex : await applyCommand(deps, { type: "EvalUpdate", Evals: evals });
  return nodeUpdateResponse(ctx, index, 0, evals, index, node.ModifyIndex);
}

export async function nodeUpdateDrain(ctx: EndpointContext, method: string, args: unknown): Promise<unknown> {
  const { deps } = ctx;
  const req = parseRequest(method, DrainSchema, args);
  const strategy: DrainStrategy | null =
    req.DrainStrategy === undefined || req.DrainStrategy === null
      ? null
      : parseStruct("DrainStrategy", (v) => DrainStrategySchema.parse(v), req.DrainStrategy);
  if (!deps.isLeader()) return deps.forward(method, args);
  const snap = deps.state.snapshot();
  const node = requireNode(snap, req.NodeID);
  const nowMs = ctx.nowMs();
  let drain: DrainStrategy | null = null;
  if (strategy !== null) {
    const deadlineNs = strategy.DrainSpec.Deadline;
    drain = {
      ...strategy,
      StartedAt: rfc3339(nowMs),
      // A positive deadline becomes an absolute time; negative means "no deadline" (force now).
      ForceDeadline: deadlineNs > 0 ? rfc3339(nowMs + deadlineNs / NS_PER_MS) : "",
    };
  }
  const wasDraining = node.DrainStrategy !== null && node.DrainStrategy !== undefined;
  const message =
    drain === null
      ? "Node drain disabled"
      : wasDraining
        ? "Node drain strategy updated"
        : "Node drain strategy set";
  const markEligible = req.MarkEligible === true;
  // Ending a drain that makes the node eligible again lets the scheduler use it: re-evaluate.
  const evals = drain === null && markEligible ? nodeEvals(ctx, snap, node.ID) : [];
  const index = await applyCommand(deps, {
    type: "NodeUpdateDrain",
    NodeID: node.ID,
    DrainStrategy: drain,
    MarkEligible: markEligible,
    NodeEvent: nodeEvent(ctx, "Drain", message),
    Evals: evals,
    UpdatedAt: Math.floor(nowMs / 1000),
  });
  let evalIndex = index;
  let allEvals = evals;
  if (drain !== null) {
    // This first cut has no paced drainer: every allocation is marked for migration at once
    // and its job re-evaluated, which the scheduler turns into replacements elsewhere.
    const migrate = migrationsFor(deps.state.snapshot(), node.ID, drain.DrainSpec.IgnoreSystemJobs);
    if (Object.keys(migrate.transitions).length > 0) {
      const drainEvals = migrate.jobs.map((j) => newNodeDrainEval(ctx, j, node.ID));
      evalIndex = await applyCommand(deps, {
        type: "AllocUpdateDesiredTransition",
        Allocs: migrate.transitions,
        Evals: drainEvals,
      });
      allEvals = drainEvals;
    }
  }
  const reply: NodeDrainUpdateResponse = {
    Index: evalIndex,
    EvalIDs: allEvals.map((e) => e.ID),
    EvalCreateIndex: allEvals.length === 0 ? 0 : evalIndex,
    NodeModifyIndex: index,
  };
  return reply;
}

interface DrainJob {
  readonly namespace: string;
  readonly jobID: string;
  readonly type: string;
  readonly priority: number;
  readonly jobModifyIndex: number;
}

function migrationsFor(
  snap: StateSnapshot,
  nodeID: string,
  ignoreSystemJobs: boolean,
): { transitions: Record<string, DesiredTransition>; jobs: DrainJob[] } {
  const transitions: Record<string, DesiredTransition> = {};
  const jobs = new Map<string, DrainJob>();
  for (const a of snap.allocsByNode(nodeID)) {
    if (
      a.DesiredStatus !== "run" ||
      a.ClientStatus === "complete" ||
      a.ClientStatus === "failed" ||
      a.ClientStatus === "lost"
    )
      continue;
    const job = snap.jobByID(a.Namespace, a.JobID) ?? a.Job ?? undefined;
    const type = job?.Type ?? "service";
    if ((type === "system" || type === "sysbatch") && ignoreSystemJobs) continue;
    transitions[a.ID] = { ...a.DesiredTransition, Migrate: true };
    const key = `${a.Namespace}\u0000${a.JobID}`;
    if (!jobs.has(key)) {
      jobs.set(key, {
        namespace: a.Namespace,
        jobID: a.JobID,
        type,
        priority: job?.Priority ?? 50,
        jobModifyIndex: job?.JobModifyIndex ?? 0,
      });
    }
  }
  return { transitions, jobs: [...jobs.values()] };
}

function newNodeDrainEval(ctx: EndpointContext, job: DrainJob, nodeID: string): Evaluation {
  const nowNs = ctx.nowNs();
  return parseEvaluation({
    ID: ctx.newID(),
    Namespace: job.namespace,
    Priority: job.priority,
    Type: job.type,
    TriggeredBy: "node-drain",
    JobID: job.jobID,
    JobModifyIndex: job.jobModifyIndex,
    NodeID: nodeID,
    Status: "pending",
    CreateTime: nowNs,
    ModifyTime: nowNs,
  });
}

export async function nodeUpdateEligibility(
  ctx: EndpointContext,
  method: string,
  args: unknown,
): Promise<unknown> {
  const { deps } = ctx;
  const req = parseRequest(method, EligibilitySchema, args);
  if (!deps.isLeader()) return deps.forward(method, args);
  const snap = deps.state.snapshot();
  const node = requireNode(snap, req.NodeID);
  const draining = node.DrainStrategy !== null && node.DrainStrategy !== undefined;
  if (draining && req.Eligibility === "eligible") {
    throw new RpcError(
      "INVALID",
      "can not set node's scheduling eligibility to eligible while it is draining",
    );
  }
  if (node.SchedulingEligibility === req.Eligibility) {
    const reply: NodeDrainUpdateResponse = {
      Index: node.ModifyIndex,
      EvalIDs: [],
      EvalCreateIndex: 0,
      NodeModifyIndex: node.ModifyIndex,
    };
    return reply;
  }
  const evals = req.Eligibility === "eligible" ? nodeEvals(ctx, snap, node.ID) : [];
  const message =
    req.Eligibility === "eligible"
      ? "Node marked as eligible for scheduling"
      : "Node marked as ineligible for scheduling";
  const index = await applyCommand(deps, {
    type: "NodeUpdateEligibility",
    NodeID: node.ID,
    Eligibility: req.Eligibility,
    NodeEvent: nodeEvent(ctx, "Cluster", message),
    Evals: evals,
    UpdatedAt: Math.floor(ctx.nowMs() / 1000),
  });
  const reply: NodeDrainUpdateResponse = {
    Index: index,
    EvalIDs: evals.map((e) => e.ID),
    EvalCreateIndex: evals.length === 0 ? 0 : index,
    NodeModifyIndex: index,
  };
  return reply;
}

export async function nodeRead(
  ctx: EndpointContext,
  method: string,
  args: unknown,
  call: RpcCallContext,
): Promise<unknown> {
  const { deps } = ctx;
  if (method === "Node.List") {
    const req = parseRequest(method, ListSchema, args);
    if (mustForward(deps, req)) return deps.forward(method, args);
    return blockingQuery(ctx, req, ["nodes"], call.signal, (snap) => ({
      body: { Nodes: snap.nodesByIDPrefix(req.Prefix ?? "").map(nodeListStub) },
    }));
  }
  const req = parseRequest(method, NodeSpecificSchema, args);
  if (mustForward(deps, req)) return deps.forward(method, args);
  switch (method) {
    case "Node.GetNode":
      return blockingQuery<{ Node: Node | null }>(ctx, req, ["nodes"], call.signal, (snap) => {
        const node = snap.nodeByID(req.NodeID);
        return node === undefined
          ? { body: { Node: null } }
          : { body: { Node: sanitizeNode(node) }, index: node.ModifyIndex };
      });
    case "Node.GetAllocs":
      return blockingQuery(ctx, req, ["allocs"], call.signal, (snap) => {
        const allocs = snap.allocsByNode(req.NodeID);
        return {
          body: { Allocs: [...allocs] },
          ...(allocs.length === 0 ? {} : { index: Math.max(...allocs.map((a) => a.ModifyIndex)) }),
        };
      });
    case "Node.GetClientAllocs": {
      // Checked before blocking: a client with the wrong secret learns it at once.
      const node = requireNode(deps.state.snapshot(), req.NodeID);
      if (node.SecretID !== "" && req.SecretID !== node.SecretID) {
        throw new RpcError("PERMISSION", "node secret ID does not match");
      }
      return blockingQuery(ctx, req, ["allocs"], call.signal, (snap) => {
        const allocs = snap.allocsByNode(req.NodeID);
        const map: Record<string, number> = {};
        for (const a of allocs) map[a.ID] = a.AllocModifyIndex;
        return {
          body: { Allocs: map, MigrateTokens: {} },
          ...(allocs.length === 0 ? {} : { index: Math.max(...allocs.map((a) => a.AllocModifyIndex)) }),
        };
      });
    }
    default:
      throw new RpcError("UNKNOWN_METHOD", `rpc: can't find method ${method}`);
  }
}
