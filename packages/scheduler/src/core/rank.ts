import type { Affinity, Job, Node, Spread, TaskGroup } from "@nomad/structs";
import { checkOperand, resolveTarget } from "./constraint-check.js";
import type { NodeCapacity } from "./fit.js";
import type { ProposedState } from "./proposed.js";
import type { SchedulerAlgorithm } from "./types.js";

/** Nomad's fit score ranges over [0, 18]; it is divided by 18 to join the other scores in [-1, 1]. */
export const MAX_FIT_SCORE = 18;

/**
 * Nomad's fit score. With free fractions fc (CPU) and fm (memory) after placement,
 * total = 10^fc + 10^fm lies in [2, 20]; binpack prefers fuller nodes (20 - total),
 * spread prefers emptier ones (total - 2). Normalised to [0, 1].
 */
export function fitScore(
  cap: NodeCapacity,
  cpuAfter: number,
  memAfter: number,
  algorithm: SchedulerAlgorithm,
): number {
  const fc = cap.cpuMHz > 0 ? 1 - cpuAfter / cap.cpuMHz : 0;
  const fm = cap.memoryMB > 0 ? 1 - memAfter / cap.memoryMB : 0;
  const total = Math.pow(10, fc) + Math.pow(10, fm);
  let score = algorithm === "binpack" ? 20 - total : total - 2;
  if (score > MAX_FIT_SCORE) score = MAX_FIT_SCORE;
  else if (score < 0) score = 0;
  return score / MAX_FIT_SCORE;
}

/** Penalises co-locating a group's allocations: -(collisions + 1) / count, only when colliding. */
export function antiAffinityScore(collisions: number, desiredCount: number): number | null {
  if (collisions <= 0) return null;
  return -(collisions + 1) / Math.max(1, desiredCount);
}

/** Sum of matching affinity weights over the sum of their magnitudes, in [-1, 1]; null when nothing matched. */
export function affinityScore(affinities: readonly Affinity[], node: Node): number | null {
  if (affinities.length === 0) return null;
  let sumWeight = 0;
  let total = 0;
  for (const a of affinities) {
    sumWeight += Math.abs(a.Weight);
    if (checkOperand(a.Operand, resolveTarget(a.LTarget, node), resolveTarget(a.RTarget, node)))
      total += a.Weight;
  }
  if (total === 0 || sumWeight === 0) return null;
  return total / sumWeight;
}

export function groupAffinities(job: Job, group: TaskGroup): Affinity[] {
  return job.Affinities.concat(group.Affinities, ...group.Tasks.map((t) => t.Affinities));
}

export function groupSpreads(job: Job, group: TaskGroup): Spread[] {
  return job.Spreads.concat(group.Spreads);
}

/**
 * Spread score in [-1, 1]. With targets: how far the node's value is below its desired
 * share (percent x count); values without a target share what the targets leave. Without
 * targets: values with the fewest allocations score highest (even spread).
 */
export function spreadScore(
  spreads: readonly Spread[],
  group: TaskGroup,
  node: Node,
  proposed: ProposedState,
): number | null {
  if (spreads.length === 0) return null;
  let sumWeight = 0;
  let total = 0;
  for (const s of spreads) {
    sumWeight += s.Weight;
    const r = resolveTarget(s.Attribute, node);
    if (!r.found) {
      total -= s.Weight; // Nomad treats a node missing the attribute as the worst choice
      continue;
    }
    const counts = proposed.propertyValueCounts(group.Name, s.Attribute);
    const used = counts.get(r.value) ?? 0;
    let score: number;
    if (s.SpreadTarget.length > 0) {
      let percent = -1;
      let listed = 0;
      for (const t of s.SpreadTarget) {
        listed += t.Percent;
        if (t.Value === r.value) percent = t.Percent;
      }
      if (percent < 0) percent = 100 - listed;
      const desired = (percent / 100) * group.Count;
      // Count the placement being scored, so a value that reached its share scores below zero.
      score = desired <= 0 ? -1 : (desired - (used + 1)) / desired;
    } else {
      let min = Infinity;
      let max = 0;
      for (const c of counts.values()) {
        if (c < min) min = c;
        if (c > max) max = c;
      }
      if (!counts.has(r.value)) min = 0;
      if (min === Infinity) min = 0;
      score = max === min ? 0 : ((max - used) / (max - min)) * 2 - 1;
    }
    if (score > 1) score = 1;
    else if (score < -1) score = -1;
    total += score * s.Weight;
  }
  return sumWeight === 0 ? null : total / sumWeight;
}
