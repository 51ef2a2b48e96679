import {
  allocIsTerminal,
  nodeAcceptsPlacements,
  type Allocation,
  type Plan,
  type PlanResult,
} from "@nomad/structs";
import { nodeCapacity } from "../core/fit.js";
import { applyAlloc, cloneUsage } from "../core/usage.js";
import type { InMemoryState } from "./state-store.js";

/**
 * The leader's plan applier in miniature: re-checks every node the plan places on against
 * the latest state (node ready and eligible, resources and ports still fit), rejects the
 * nodes that fail (all of them with AllAtOnce), and commits the rest at one index.
 */
export function applyPlan(
  state: InMemoryState,
  plan: Plan,
  forceReject: ReadonlySet<string> = new Set(),
): PlanResult {
  const rejected: string[] = [];
  for (const nodeID of Object.keys(plan.NodeAllocation)) {
    if (forceReject.has(nodeID) || !nodeFits(state, plan, nodeID)) rejected.push(nodeID);
  }
  const result: PlanResult = {
    NodeUpdate: {},
    NodeAllocation: {},
    NodePreemptions: {},
    Deployment: null,
    DeploymentUpdates: [],
    RejectedNodes: rejected,
    IneligibleNodes: [],
    RefreshIndex: 0,
    AllocIndex: 0,
  };
  if (rejected.length > 0 && plan.AllAtOnce) {
    result.RefreshIndex = state.latestIndex();
    return result;
  }
  const index = state.nextIndex();
  const skip = new Set(rejected);
  for (const [nodeID, stops] of Object.entries(plan.NodeUpdate)) {
    for (const a of stops) state.upsertAlloc(a, index);
    result.NodeUpdate[nodeID] = stops;
  }
  for (const [nodeID, allocs] of Object.entries(plan.NodeAllocation)) {
    if (skip.has(nodeID)) continue;
    for (const a of allocs) {
      state.upsertAlloc(a, index);
      if (a.PreviousAllocation !== "") {
        const prev = state.allocByID(a.PreviousAllocation);
        if (prev !== undefined && prev.NextAllocation === "")
          state.upsertAlloc({ ...prev, NextAllocation: a.ID }, index);
      }
    }
    result.NodeAllocation[nodeID] = allocs;
  }
  result.AllocIndex = index;
  if (rejected.length > 0) result.RefreshIndex = index;
  return result;
}

function nodeFits(state: InMemoryState, plan: Plan, nodeID: string): boolean {
  const node = state.nodeByID(nodeID);
  if (node === undefined) return false;
  const allocs = plan.NodeAllocation[nodeID] ?? [];
  const placesNew = allocs.some((a) => state.allocByID(a.ID) === undefined);
  if (placesNew && !nodeAcceptsPlacements(node)) return false;
  const usage = cloneUsage(state.nodeUsage(nodeID));
  const release = (a: Allocation): void => {
    const cur = state.allocByID(a.ID);
    if (cur !== undefined && !allocIsTerminal(cur)) applyAlloc(usage, cur, -1);
  };
  for (const a of plan.NodeUpdate[nodeID] ?? []) release(a);
  const cap = nodeCapacity(node);
  for (const a of allocs) {
    release(a);
    if (allocIsTerminal(a)) continue;
    const ports = portsOf(a);
    const portsBefore = usage.ports.size;
    const coresBefore = usage.cores.size;
    for (const p of ports) if (cap.reservedPorts.has(p)) return false;
    applyAlloc(usage, a, 1);
    // Set sizes grow by exactly the number granted unless a port or core was already held.
    if (usage.ports.size !== portsBefore + ports.length) return false;
    if (usage.cores.size !== coresBefore + countCores(a)) return false;
  }
  if (usage.cpuMHz > cap.cpuMHz || usage.memoryMB > cap.memoryMB || usage.diskMB > cap.diskMB) return false;
  for (const c of usage.cores) if (!cap.reservableCores.includes(c)) return false;
  return true;
}

function portsOf(a: Allocation): number[] {
  const out: number[] = [];
  const ar = a.AllocatedResources;
  if (ar === null) return out;
  for (const p of ar.Shared.Ports) if (p.Value > 0) out.push(p.Value);
  for (const t of Object.values(ar.Tasks)) {
    for (const n of t.Networks)
      for (const p of n.ReservedPorts.concat(n.DynamicPorts)) if (p.Value > 0) out.push(p.Value);
  }
  return out;
}

function countCores(a: Allocation): number {
  let n = 0;
  for (const t of Object.values(a.AllocatedResources?.Tasks ?? {})) n += t.Cpu.ReservedCores.length;
  return n;
}
