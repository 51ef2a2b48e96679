import {
  constraintString,
  type AllocMetric,
  type Constraint,
  type Job,
  type Node,
  type NodeScoreMeta,
} from "@nomad/structs";
import type { GroupAsk } from "./ask.js";
import { resolveTarget } from "./constraint-check.js";
import { nodeClassOf, type FeasibilityChecker } from "./feasibility.js";
import { checkFit, nodeCapacity } from "./fit.js";
import type { ProposedState } from "./proposed.js";
import {
  affinityScore,
  antiAffinityScore,
  fitScore,
  groupAffinities,
  groupSpreads,
  spreadScore,
} from "./rank.js";
import type { SchedulerAlgorithm } from "./types.js";

/** Nomad's limit iterator: skip up to 3 candidates scoring <= 0 before settling. */
const MAX_SKIP = 3;
/** With affinities or spreads every node's score matters, up to this many candidates. */
const AFFINITY_SPREAD_LIMIT = 100;

export interface Selection {
  readonly node: Node;
  readonly normScore: number;
}

interface DistinctRule {
  readonly constraint: Constraint;
  readonly hosts: boolean;
  /** null = job scope */
  readonly group: string | null;
  readonly limit: number;
}

interface Candidate {
  node: Node;
  norm: number;
  scores: Record<string, number>;
}

/** Candidate limit: 2 for batch (power of two choices), else max(2, ceil(log2(n))). */
export function candidateLimit(jobType: string, nodeCount: number): number {
  if (jobType === "batch" || jobType === "sysbatch") return 2;
  return Math.max(2, nodeCount > 0 ? Math.ceil(Math.log2(nodeCount)) : 0);
}

/**
 * Feasibility -> fit -> ranking -> limit -> max score, over the eval's shuffled node list.
 * The scan position persists between placements (as Nomad's static iterator does), so
 * successive placements look at different nodes and a placement costs O(limit), not O(nodes).
 */
export class PlacementStack {
  private offset = 0;
  private readonly distinct = new Map<string, DistinctRule[]>();

  constructor(
    private readonly job: Job,
    private readonly nodes: readonly Node[],
    private readonly proposed: ProposedState,
    private readonly feasibility: FeasibilityChecker,
    private readonly algorithm: SchedulerAlgorithm,
    private readonly scoreMetaLimit: number,
  ) {
    const rule = (c: Constraint, group: string | null): DistinctRule => ({
      constraint: c,
      hosts: c.Operand === "distinct_hosts",
      group,
      limit: c.RTarget === "" ? 1 : Number(c.RTarget),
    });
    const isDistinct = (c: Constraint): boolean =>
      c.Operand === "distinct_hosts" || c.Operand === "distinct_property";
    const jobRules = job.Constraints.filter(isDistinct).map((c) => rule(c, null));
    for (const g of job.TaskGroups) {
      const own = g.Constraints.concat(...g.Tasks.map((t) => t.Constraints)).filter(isDistinct);
      this.distinct.set(g.Name, jobRules.concat(own.map((c) => rule(c, g.Name))));
    }
  }

  get nodeCount(): number {
    return this.nodes.length;
  }

  /** Picks the best node for one allocation of `ask`, recording why others lost in `metric`. */
  select(ask: GroupAsk, metric: AllocMetric, penaltyNodes: ReadonlySet<string> | null): Selection | null {
    const group = ask.group;
    const n = this.nodes.length;
    if (n === 0) return null;
    const affinities = groupAffinities(this.job, group);
    const spreads = groupSpreads(this.job, group);
    let limit = candidateLimit(this.job.Type, n);
    if (affinities.length > 0 || spreads.length > 0) limit = Math.max(limit, AFFINITY_SPREAD_LIMIT);

    let best: Candidate | null = null;
    const skipped: Candidate[] = [];
    const seen: Candidate[] = [];
    let taken = 0;
    let visited = 0;
    while (visited < n && taken < limit) {
      const node = this.nodes[this.offset]!;
      this.offset = this.offset + 1 === n ? 0 : this.offset + 1;
      visited++;
      const c = this.evaluate(
        node,
        ask,
        metric,
        penaltyNodes,
        affinities.length > 0 ? affinities : null,
        spreads.length > 0 ? spreads : null,
      );
      if (c === null) continue;
      if (c.norm <= 0 && skipped.length < MAX_SKIP) {
        skipped.push(c);
        continue;
      }
      taken++;
      seen.push(c);
      if (best === null || c.norm > best.norm) best = c;
    }
    if (best === null) {
      for (const c of skipped) {
        seen.push(c);
        if (best === null || c.norm > best.norm) best = c;
      }
    }
    if (best === null) return null;
    this.recordScores(metric, seen);
    return { node: best.node, normScore: best.norm };
  }

  /** Checks and scores one specific node (system schedulers place per node). */
  selectOn(node: Node, ask: GroupAsk, metric: AllocMetric): Selection | null {
    const affinities = groupAffinities(this.job, ask.group);
    const spreads = groupSpreads(this.job, ask.group);
    const c = this.evaluate(
      node,
      ask,
      metric,
      null,
      affinities.length > 0 ? affinities : null,
      spreads.length > 0 ? spreads : null,
    );
    if (c === null) return null;
    this.recordScores(metric, [c]);
    return { node, normScore: c.norm };
  }

  private evaluate(
    node: Node,
    ask: GroupAsk,
    metric: AllocMetric,
    penaltyNodes: ReadonlySet<string> | null,
    affinities: ReturnType<typeof groupAffinities> | null,
    spreads: ReturnType<typeof groupSpreads> | null,
  ): Candidate | null {
    metric.NodesEvaluated++;
    const group = ask.group;
    const reason = this.feasibility.check(node, group) ?? this.distinctReason(node, group.Name);
    if (reason !== null) {
      metric.NodesFiltered++;
      const cls = nodeClassOf(node);
      metric.ClassFiltered[cls] = (metric.ClassFiltered[cls] ?? 0) + 1;
      metric.ConstraintFiltered[reason] = (metric.ConstraintFiltered[reason] ?? 0) + 1;
      return null;
    }
    const used = this.proposed.usage(node.ID);
    const dim = checkFit(node, used, ask);
    if (dim !== null) {
      metric.NodesExhausted++;
      const cls = nodeClassOf(node);
      metric.ClassExhausted[cls] = (metric.ClassExhausted[cls] ?? 0) + 1;
      metric.DimensionExhausted[dim] = (metric.DimensionExhausted[dim] ?? 0) + 1;
      return null;
    }
    const cap = nodeCapacity(node);
    const scores: Record<string, number> = {};
    let sum = fitScore(
      cap,
      used.cpuMHz + ask.cpuMHz + ask.cores * cap.mhzPerCore,
      used.memoryMB + ask.memoryMB,
      this.algorithm,
    );
    scores["binpack"] = sum;
    let count = 1;
    const anti = antiAffinityScore(this.proposed.groupAllocsOn(group.Name, node.ID), group.Count);
    if (anti !== null) {
      scores["job-anti-affinity"] = anti;
      sum += anti;
      count++;
    }
    if (penaltyNodes !== null && penaltyNodes.has(node.ID)) {
      scores["node-reschedule-penalty"] = -1;
      sum -= 1;
      count++;
    }
    if (affinities !== null) {
      const a = affinityScore(affinities, node);
      if (a !== null) {
        scores["node-affinity"] = a;
        sum += a;
        count++;
      }
    }
    if (spreads !== null) {
      const s = spreadScore(spreads, group, node, this.proposed);
      if (s !== null) {
        scores["allocation-spread"] = s;
        sum += s;
        count++;
      }
    }
    const norm = sum / count;
    scores["normalized-score"] = norm;
    return { node, norm, scores };
  }

  private distinctReason(node: Node, group: string): string | null {
    const rules = this.distinct.get(group);
    if (rules === undefined || rules.length === 0) return null;
    for (const r of rules) {
      if (r.hosts) {
        const n =
          r.group === null
            ? this.proposed.jobAllocsOn(node.ID)
            : this.proposed.groupAllocsOn(r.group, node.ID);
        if (n > 0) return constraintString(r.constraint);
      } else {
        const v = resolveTarget(r.constraint.LTarget, node);
        if (!v.found) return constraintString(r.constraint);
        const used = this.proposed.propertyValueCounts(r.group, r.constraint.LTarget).get(v.value) ?? 0;
        if (used >= r.limit) return constraintString(r.constraint);
      }
    }
    return null;
  }

  private recordScores(metric: AllocMetric, seen: readonly Candidate[]): void {
    if (this.scoreMetaLimit <= 0) return;
    const top =
      seen.length <= this.scoreMetaLimit
        ? [...seen]
        : [...seen].sort((a, b) => b.norm - a.norm).slice(0, this.scoreMetaLimit);
    top.sort((a, b) => b.norm - a.norm);
    metric.ScoreMetaData = top.map((c): NodeScoreMeta => ({
      NodeID: c.node.ID,
      Scores: c.scores,
      NormScore: c.norm,
    }));
  }
}
