import { computeNodeUsage, nodeCapacity, type SchedulerState } from "@nomad/scheduler";
import {
  allocIsTerminal,
  nodeAcceptsPlacements,
  type Allocation,
  type Plan,
  type PlanResult,
} from "@nomad/structs";
import type { ApplyPlanResultsCommand } from "../fsm/commands.js";
import type { Logger } from "../logger.js";
import { silentLogger } from "../logger.js";
import type { PlanQueue } from "./plan-queue.js";

/** What the applier reads: a scheduler snapshot that can also look allocations up by ID. */
export type PlanState = SchedulerState & { allocByID(id: string): Allocation | undefined };

/** Why a node's part of a plan was refused (for logs and tests). */
export interface NodeRejection {
  nodeID: string;
  reason: string;
}

export interface PlanEvaluation {
  /** What may be committed (NodeUpdate / NodeAllocation of the accepted nodes). */
  result: PlanResult;
  rejections: NodeRejection[];
}

function portsOf(a: Allocation): number[] {
  const out: number[] = [];
  const ar = a.AllocatedResources;
  if (ar === null) return out;
  for (const p of ar.Shared.Ports) if (p.Value > 0) out.push(p.Value);
  for (const t of Object.values(ar.Tasks)) {
    for (const n of t.Networks) {
      for (const p of n.ReservedPorts) if (p.Value > 0) out.push(p.Value);
      for (const p of n.DynamicPorts) if (p.Value > 0) out.push(p.Value);
    }
  }
  return out;
}

function coresOf(a: Allocation): number[] {
  const out: number[] = [];
  for (const t of Object.values(a.AllocatedResources?.Tasks ?? {})) out.push(...t.Cpu.ReservedCores);
  return out;
}

/**
 * Re-checks one node of a plan against the latest state: the node exists, is ready, takes new
 * placements, and everything that would run there after the plan still fits (cpu, memory,
 * disk, reserved cores, no port held twice or reserved by the client). Null when it fits.
 */
export function checkNodePlan(state: PlanState, plan: Plan, nodeID: string): string | null {
  const placing = plan.NodeAllocation[nodeID] ?? [];
  // Stopping allocations always fits, even on a node that is gone or down.
  if (placing.length === 0) return null;
  const node = state.nodeByID(nodeID);
  if (node === undefined) return "node does not exist";
  if (node.Status !== "ready") return "node is not ready for placements";
  const placesNew = placing.some((a) => state.allocByID(a.ID) === undefined);
  if (placesNew && !nodeAcceptsPlacements(node)) return "node is not eligible for placements";

  const leaving = new Set<string>();
  for (const a of plan.NodeUpdate[nodeID] ?? []) leaving.add(a.ID);
  for (const a of plan.NodePreemptions[nodeID] ?? []) leaving.add(a.ID);
  for (const a of placing) leaving.add(a.ID);
  const remaining = state.allocsByNode(nodeID).filter((a) => !leaving.has(a.ID) && !allocIsTerminal(a));
  const after = remaining.concat(placing.filter((a) => !allocIsTerminal(a)));

  const cap = nodeCapacity(node);
  const usage = computeNodeUsage(after);
  if (usage.cpuMHz > cap.cpuMHz) return "resources exhausted: cpu";
  if (usage.memoryMB > cap.memoryMB) return "resources exhausted: memory";
  if (usage.diskMB > cap.diskMB) return "resources exhausted: disk";
  const cores = new Set<number>();
  for (const a of after) {
    for (const c of coresOf(a)) {
      if (cores.has(c)) return "reserved core collision";
      if (!cap.reservableCores.includes(c)) return "reserved core not available";
      cores.add(c);
    }
  }
  const ports = new Set<number>();
  for (const a of after) {
    for (const p of portsOf(a)) {
      if (ports.has(p)) return "network: port collision";
      ports.add(p);
    }
  }
  for (const a of placing) {
    for (const p of portsOf(a)) if (cap.reservedPorts.has(p)) return "network: reserved port collision";
  }
  return null;
}

/** Decides, node by node, what part of a plan the latest state still admits. Pure. */
export function evaluatePlan(state: PlanState, plan: Plan): PlanEvaluation {
  const result: PlanResult = {
    NodeUpdate: {},
    NodeAllocation: {},
    NodePreemptions: {},
    Deployment: null,
    DeploymentUpdates: [],
    RejectedNodes: [],
    IneligibleNodes: [],
    RefreshIndex: 0,
    AllocIndex: 0,
  };
  const rejections: NodeRejection[] = [];
  const nodes = new Set([...Object.keys(plan.NodeUpdate), ...Object.keys(plan.NodeAllocation)]);
  for (const nodeID of [...nodes].sort()) {
    const reason = checkNodePlan(state, plan, nodeID);
    if (reason !== null) {
      rejections.push({ nodeID, reason });
      result.RejectedNodes.push(nodeID);
      continue;
    }
    const stops = plan.NodeUpdate[nodeID] ?? [];
    const places = plan.NodeAllocation[nodeID] ?? [];
    const preempts = plan.NodePreemptions[nodeID] ?? [];
    if (stops.length > 0) result.NodeUpdate[nodeID] = stops;
    if (places.length > 0) result.NodeAllocation[nodeID] = places;
    if (preempts.length > 0) result.NodePreemptions[nodeID] = preempts;
  }
  if (rejections.length > 0 && plan.AllAtOnce) {
    // All or nothing: one node that no longer fits refuses the whole plan.
    result.NodeUpdate = {};
    result.NodeAllocation = {};
    result.NodePreemptions = {};
  }
  return { result, rejections };
}

/** The Raft command committing an evaluated plan; timestamps are the leader's, set here. */
export function planResultsCommand(
  state: Pick<PlanState, "allocByID">,
  plan: Plan,
  result: PlanResult,
  nowNs: number,
): ApplyPlanResultsCommand {
  const stamp = (a: Allocation): Allocation => ({
    ...a,
    CreateTime: a.CreateTime > 0 ? a.CreateTime : nowNs,
    ModifyTime: nowNs,
    // The FSM attaches the command's Job to allocations without one: no copy per allocation.
    Job: a.Job !== null && a.Job === plan.Job ? null : a.Job,
  });
  const placed: Allocation[] = [];
  const updated: Allocation[] = [];
  for (const allocs of Object.values(result.NodeAllocation)) {
    for (const a of allocs) (state.allocByID(a.ID) === undefined ? placed : updated).push(stamp(a));
  }
  // Stops are merged into the stored allocations by the FSM: their job copy is dead weight.
  const stopped: Allocation[] = [];
  for (const allocs of Object.values(result.NodeUpdate))
    for (const a of allocs) stopped.push({ ...stamp(a), Job: null });
  const preempted: Allocation[] = [];
  for (const allocs of Object.values(result.NodePreemptions))
    for (const a of allocs) preempted.push(stamp(a));
  return {
    type: "ApplyPlanResults",
    Job: plan.Job,
    EvalID: plan.EvalID,
    AllocsStopped: stopped,
    AllocsPlaced: placed,
    AllocsUpdated: updated,
    AllocsPreempted: preempted,
  };
}

export interface PlanApplierDeps {
  queue: PlanQueue;
  snapshot(): PlanState;
  apply(cmd: ApplyPlanResultsCommand): Promise<{ index: number }>;
  nowNs(): number;
  logger?: Logger;
}

/**
 * The leader's single plan applier: takes plans in queue order, re-checks each against the
 * latest state, commits what fits through Raft, and answers the worker with the PlanResult
 * (RejectedNodes, and RefreshIndex when its snapshot was stale).
 */
export class PlanApplier {
  private readonly logger: Logger;
  private loop: Promise<void> | null = null;
  private applied = 0;
  private rejectedNodes = 0;

  constructor(private readonly deps: PlanApplierDeps) {
    this.logger = deps.logger ?? silentLogger;
  }

  /** Starts draining the queue (the queue must be enabled); ends when it is disabled. */
  start(): void {
    if (this.loop !== null) return;
    this.loop = this.run().finally(() => {
      this.loop = null;
    });
  }

  /** Resolves once the loop has ended (after the queue was disabled). */
  async stopped(): Promise<void> {
    await this.loop;
  }

  stats(): { plansApplied: number; nodesRejected: number } {
    return { plansApplied: this.applied, nodesRejected: this.rejectedNodes };
  }

  /** Evaluates and commits one plan (exposed for tests that drive the applier by hand). */
  async applyOne(plan: Plan): Promise<PlanResult> {
    const snap = this.deps.snapshot();
    const { result, rejections } = evaluatePlan(snap, plan);
    for (const r of rejections) {
      this.logger.debug("plan for node rejected", {
        node_id: r.nodeID,
        reason: r.reason,
        eval_id: plan.EvalID,
      });
    }
    this.rejectedNodes += rejections.length;
    const latest = snap.latestIndex();
    const empty =
      Object.keys(result.NodeUpdate).length === 0 &&
      Object.keys(result.NodeAllocation).length === 0 &&
      Object.keys(result.NodePreemptions).length === 0;
    if (empty) {
      if (rejections.length > 0) result.RefreshIndex = latest;
      return result;
    }
    const { index } = await this.deps.apply(planResultsCommand(snap, plan, result, this.deps.nowNs()));
    this.applied++;
    result.AllocIndex = index;
    // The worker's snapshot missed something: it must see at least what we checked against.
    if (rejections.length > 0) result.RefreshIndex = Math.max(index, latest);
    return result;
  }

  private async run(): Promise<void> {
    for (;;) {
      const p = await this.deps.queue.dequeue();
      if (p === null) return;
      try {
        p.respond(await this.applyOne(p.plan));
      } catch (e) {
        this.logger.error("failed to apply plan", { eval_id: p.plan.EvalID, error: String(e) });
        p.fail(e instanceof Error ? e : new Error(String(e)));
      }
    }
  }
}
