import { allocIsTerminal, type Allocation, type Node } from "@nomad/structs";
import { resolveTarget } from "./constraint-check.js";
import type { NodeUsage, SchedulerState } from "./types.js";
import { applyAlloc, cloneUsage, type MutableUsage } from "./usage.js";

/**
 * The cluster as it will be if the plan under construction commits: the snapshot plus the
 * plan's placements minus its stops. Tracks per-node usage (copy-on-write overlay) and the
 * job's allocation counts per node and per property value, which distinct_hosts,
 * distinct_property, job anti-affinity and spread all read.
 */
export class ProposedState {
  private readonly overlay = new Map<string, MutableUsage>();
  private readonly live = new Map<string, Allocation>();
  private readonly jobByNode = new Map<string, number>();
  private readonly groupByNode = new Map<string, Map<string, number>>();
  /** key = (group or "") + "\u0000" + target -> value -> count */
  private readonly propertyCounts = new Map<string, Map<string, number>>();

  constructor(
    private readonly state: SchedulerState,
    jobAllocs: readonly Allocation[],
  ) {
    for (const a of jobAllocs) if (!allocIsTerminal(a)) this.track(a, 1);
  }

  usage(nodeID: string): NodeUsage {
    return this.overlay.get(nodeID) ?? this.state.nodeUsage(nodeID);
  }

  jobAllocsOn(nodeID: string): number {
    return this.jobByNode.get(nodeID) ?? 0;
  }

  groupAllocsOn(group: string, nodeID: string): number {
    return this.groupByNode.get(group)?.get(nodeID) ?? 0;
  }

  /** Counts of the job's live allocations per value of `target` (group-scoped unless group is null). */
  propertyValueCounts(group: string | null, target: string): ReadonlyMap<string, number> {
    const key = `${group ?? ""}\u0000${target}`;
    let counts = this.propertyCounts.get(key);
    if (counts === undefined) {
      counts = new Map();
      for (const a of this.live.values()) {
        if (group !== null && a.TaskGroup !== group) continue;
        const node = this.state.nodeByID(a.NodeID);
        if (node === undefined) continue;
        const r = resolveTarget(target, node);
        if (r.found) counts.set(r.value, (counts.get(r.value) ?? 0) + 1);
      }
      this.propertyCounts.set(key, counts);
    }
    return counts;
  }

  /** A placement the plan makes. */
  place(a: Allocation, node: Node): void {
    applyAlloc(this.mutableUsage(a.NodeID), a, 1);
    this.track(a, 1, node);
  }

  /** A stop the plan makes (frees the node's resources for later placements in this plan). */
  stop(a: Allocation): void {
    if (allocIsTerminal(a) || !this.live.has(a.ID)) return;
    applyAlloc(this.mutableUsage(a.NodeID), a, -1);
    this.track(a, -1);
  }

  /** Undoes stop(): the placement that needed the room failed, so the allocation stays. */
  restore(a: Allocation): void {
    if (this.live.has(a.ID)) return;
    applyAlloc(this.mutableUsage(a.NodeID), a, 1);
    this.track(a, 1);
  }

  private mutableUsage(nodeID: string): MutableUsage {
    let u = this.overlay.get(nodeID);
    if (u === undefined) {
      u = cloneUsage(this.state.nodeUsage(nodeID));
      this.overlay.set(nodeID, u);
    }
    return u;
  }

  private track(a: Allocation, sign: 1 | -1, knownNode?: Node): void {
    if (sign > 0) this.live.set(a.ID, a);
    else this.live.delete(a.ID);
    this.jobByNode.set(a.NodeID, (this.jobByNode.get(a.NodeID) ?? 0) + sign);
    let g = this.groupByNode.get(a.TaskGroup);
    if (g === undefined) {
      g = new Map();
      this.groupByNode.set(a.TaskGroup, g);
    }
    g.set(a.NodeID, (g.get(a.NodeID) ?? 0) + sign);
    if (this.propertyCounts.size === 0) return;
    const node = knownNode ?? this.state.nodeByID(a.NodeID);
    if (node === undefined) return;
    for (const [key, counts] of this.propertyCounts) {
      const sep = key.indexOf("\u0000");
      const group = key.slice(0, sep);
      if (group !== "" && group !== a.TaskGroup) continue;
      const r = resolveTarget(key.slice(sep + 1), node);
      if (r.found) counts.set(r.value, (counts.get(r.value) ?? 0) + sign);
    }
  }
}
