import {
  computeNodeClass,
  constraintString,
  targetEscapesClass,
  type Constraint,
  type Job,
  type Node,
  type TaskGroup,
} from "@nomad/structs";
import { checkConstraint } from "./constraint-check.js";

/** Nomad's filter reason when a node lacks a healthy driver the group needs. */
export const MISSING_DRIVERS = "missing drivers";

const classCache = new WeakMap<Node, string>();

/** The node's computed class: its own field when set, else computed once per node object. */
export function nodeClassOf(node: Node): string {
  if (node.ComputedClass !== "") return node.ComputedClass;
  let c = classCache.get(node);
  if (c === undefined) {
    c = computeNodeClass(node);
    classCache.set(node, c);
  }
  return c;
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

/** Datacenter and node-pool match; Nomad allows globs in a job's datacenters (`"*"`, `"us-*"`). */
export function datacenterMatcher(job: Job): (node: Node) => boolean {
  const exact = new Set(job.Datacenters.filter((d) => !/[*?]/.test(d)));
  const globs = job.Datacenters.filter((d) => /[*?]/.test(d)).map(globToRegExp);
  const pool = job.NodePool;
  return (node) => {
    if (pool !== "all" && node.NodePool !== pool) return false;
    if (exact.has(node.Datacenter)) return true;
    for (const g of globs) if (g.test(node.Datacenter)) return true;
    return false;
  };
}

export function driverHealthy(node: Node, driver: string): boolean {
  const info = node.Drivers[driver];
  if (info !== undefined) return info.Detected && info.Healthy;
  // Nodes from before driver health reporting advertise `driver.<name> = 1`.
  const attr = node.Attributes[`driver.${driver}`];
  return attr === "1" || attr === "true";
}

interface GroupRules {
  readonly drivers: readonly string[];
  readonly classed: readonly Constraint[];
  readonly escaped: readonly Constraint[];
}

const isHardConstraint = (c: Constraint): boolean =>
  c.Operand !== "distinct_hosts" && c.Operand !== "distinct_property";
const escapes = (c: Constraint): boolean => targetEscapesClass(c.LTarget) || targetEscapesClass(c.RTarget);

/**
 * Static feasibility (everything except the distinct_* rules, which depend on other
 * placements). Results for constraints that do not read unique properties are cached per
 * computed node class, so a 5,000-node cluster of a few classes is checked a few times.
 */
export class FeasibilityChecker {
  private readonly jobClassed: readonly Constraint[];
  private readonly jobEscaped: readonly Constraint[];
  private readonly jobCache = new Map<string, string | null>();
  private readonly groups = new Map<string, GroupRules>();
  private readonly groupCache = new Map<string, Map<string, string | null>>();
  /** Computed class -> whether the job's non-escaped rules admit it (for blocked evals). */
  readonly classEligibility = new Map<string, boolean>();
  readonly escapedClass: boolean;

  constructor(job: Job) {
    const hard = job.Constraints.filter(isHardConstraint);
    this.jobClassed = hard.filter((c) => !escapes(c));
    this.jobEscaped = hard.filter(escapes);
    let escaped = this.jobEscaped.length > 0;
    for (const g of job.TaskGroups) {
      const all = g.Constraints.concat(...g.Tasks.map((t) => t.Constraints)).filter(isHardConstraint);
      const rules: GroupRules = {
        drivers: [...new Set(g.Tasks.map((t) => t.Driver))],
        classed: all.filter((c) => !escapes(c)),
        escaped: all.filter(escapes),
      };
      if (rules.escaped.length > 0) escaped = true;
      this.groups.set(g.Name, rules);
      this.groupCache.set(g.Name, new Map());
    }
    this.escapedClass = escaped;
  }

  /** null when feasible, else the reason (constraint string or "missing drivers"). */
  check(node: Node, group: TaskGroup): string | null {
    const cls = nodeClassOf(node);
    let jobReason = this.jobCache.get(cls);
    if (jobReason === undefined) {
      jobReason = firstFailing(this.jobClassed, node);
      this.jobCache.set(cls, jobReason);
    }
    if (jobReason !== null) {
      this.classEligibility.set(cls, false);
      return jobReason;
    }
    const rules = this.groups.get(group.Name);
    const cache = this.groupCache.get(group.Name);
    if (rules === undefined || cache === undefined) return null;
    let groupReason = cache.get(cls);
    if (groupReason === undefined) {
      groupReason = rules.drivers.every((d) => driverHealthy(node, d))
        ? firstFailing(rules.classed, node)
        : MISSING_DRIVERS;
      cache.set(cls, groupReason);
    }
    if (groupReason !== null) {
      if (!this.classEligibility.has(cls)) this.classEligibility.set(cls, false);
      return groupReason;
    }
    this.classEligibility.set(cls, true);
    const escapedReason = firstFailing(this.jobEscaped, node);
    if (escapedReason !== null) return escapedReason;
    return firstFailing(rules.escaped, node);
  }
}

function firstFailing(constraints: readonly Constraint[], node: Node): string | null {
  for (const c of constraints) if (!checkConstraint(c, node)) return constraintString(c);
  return null;
}
