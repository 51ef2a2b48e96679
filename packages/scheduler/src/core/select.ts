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

/** Component scores are kept as numbers (NaN = not applicable); the Scores map is built only for recorded candidates. */
interface Candidate {
  node: Node;
  norm: number;
  binpack: number;
  anti: number;
  penalty: number;
  affinity: number;
  spread: number;
}

const EMPTY_RECORD: Record<string, number> = Object.freeze({}) as Record<string, number>;

function scoresOf(c: Candidate): Record<string, number> {
  const s: Record<string, number> = { binpack: c.binpack };
  if (!Number.isNaN(c.anti)) s["job-anti-affinity"] = c.anti;
  if (!Number.isNaN(c.penalty)) s["node-reschedule-penalty"] = c.penalty;
  if (!Number.isNaN(c.affinity)) s["node-affinity"] = c.affinity;
  if (!Number.isNaN(c.spread)) s["allocation-spread"] = c.spread;
  s["normalized-score"] = c.norm;
  return s;
}

/** Metric maps that stayed empty are swapped for one shared frozen object: a million placements keep a million metrics. */
export function compactMetric(m: AllocMetric): void {
  if (isEmpty(m.ClassFiltered)) m.ClassFiltered = EMPTY_RECORD;
  if (isEmpty(m.ConstraintFiltered)) m.ConstraintFiltered = EMPTY_RECORD;
  if (isEmpty(m.ClassExhausted)) m.ClassExhausted = EMPTY_RECORD;
  if (isEmpty(m.DimensionExhausted)) m.DimensionExhausted = EMPTY_RECORD;
  if (isEmpty(m.Scores)) m.Scores = EMPTY_RECORD;
  if (isEmpty(m.ResourcesExhausted)) m.ResourcesExhausted = EMPTY_RECORD;
  if (m.QuotaExhausted.length === 0) m.QuotaExhausted = NO_STRINGS;
}

const NO_STRINGS = Object.freeze([]) as unknown as string[];

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
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
  /** Per group, per node index: 0 unknown, 1 statically feasible, 2 infeasible (reason in the class cache). */
  private readonly staticVerdict = new Map<string, Uint8Array>();
  /** Groups whose feasibility has per-node (escaped) parts and therefore cannot use staticVerdict. */
  private readonly escapedGroups = new Set<string>();

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
      this.staticVerdict.set(g.Name, new Uint8Array(nodes.length));
    }
    if (feasibility.escapedClass) for (const g of job.TaskGroups) this.escapedGroups.add(g.Name);
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
    const aff = affinities.length > 0 ? affinities : null;
    const spr = spreads.length > 0 ? spreads : null;
    while (visited < n && taken < limit) {
      const index = this.offset;
      const node = this.nodes[index]!;
      this.offset = index + 1 === n ? 0 : index + 1;
      visited++;
      const c = this.evaluate(node, index, ask, metric, penaltyNodes, aff, spr);
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
      -1,
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
    index: number,
    ask: GroupAsk,
    metric: AllocMetric,
    penaltyNodes: ReadonlySet<string> | null,
    affinities: ReturnType<typeof groupAffinities> | null,
    spreads: ReturnType<typeof groupSpreads> | null,
  ): Candidate | null {
    metric.NodesEvaluated++;
    const group = ask.group;
    let reason: string | null;
    const verdicts =
      index >= 0 && !this.escapedGroups.has(group.Name) ? this.staticVerdict.get(group.Name) : undefined;
    if (verdicts !== undefined && verdicts[index] === 1) reason = null;
    else {
      reason = this.feasibility.check(node, group);
      if (verdicts !== undefined) verdicts[index] = reason === null ? 1 : 2;
    }
    if (reason === null) reason = this.distinctReason(node, group.Name);
    if (reason !== null) {
      metric.NodesFiltered++;
      const cls = nodeClassOf(node);
      metric.ClassFiltered[cls] = (metric.ClassFiltered[cls] ?? 0) + 1;
      metric.ConstraintFiltered[reason] = (metric.ConstraintFiltered[reason] ?? 0) + 1;
      return null;
    }
    const used = this.proposed.usage(node.ID);
    const cap = nodeCapacity(node);
    const dim = checkFit(node, used, ask, cap);
    if (dim !== null) {
      metric.NodesExhausted++;
      const cls = nodeClassOf(node);
      metric.ClassExhausted[cls] = (metric.ClassExhausted[cls] ?? 0) + 1;
      metric.DimensionExhausted[dim] = (metric.DimensionExhausted[dim] ?? 0) + 1;
      return null;
    }
    const binpack = fitScore(
      cap,
      used.cpuMHz + ask.cpuMHz + ask.cores * cap.mhzPerCore,
      used.memoryMB + ask.memoryMB,
      this.algorithm,
    );
    let sum = binpack;
    let count = 1;
    const a0 = antiAffinityScore(this.proposed.groupAllocsOn(group.Name, node.ID), group.Count);
    const anti = a0 === null ? NaN : a0;
    if (a0 !== null) {
      sum += a0;
      count++;
    }
    let penalty = NaN;
    if (penaltyNodes !== null && penaltyNodes.has(node.ID)) {
      penalty = -1;
      sum -= 1;
      count++;
    }
    let affinity = NaN;
    if (affinities !== null) {
      const a = affinityScore(affinities, node);
      if (a !== null) {
        affinity = a;
        sum += a;
        count++;
      }
    }
    let spread = NaN;
    if (spreads !== null) {
      const sp = spreadScore(spreads, group, node, this.proposed);
      if (sp !== null) {
        spread = sp;
        sum += sp;
        count++;
      }
    }
    return { node, norm: sum / count, binpack, anti, penalty, affinity, spread };
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
    if (this.scoreMetaLimit <= 0 || seen.length === 0) return;
    let top: Candidate[];
    if (this.scoreMetaLimit === 1) {
      let best = seen[0]!;
      for (const c of seen) if (c.norm > best.norm) best = c;
      top = [best];
    } else {
      top = [...seen].sort((a, b) => b.norm - a.norm).slice(0, this.scoreMetaLimit);
    }
    metric.ScoreMetaData = top.map((c): NodeScoreMeta => ({
      NodeID: c.node.ID,
      Scores: scoresOf(c),
      NormScore: c.norm,
    }));
  }
}
