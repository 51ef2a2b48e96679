import type { Node } from "@nomad/structs";
import { versionMatches } from "./version.js";

export interface Resolved {
  readonly found: boolean;
  readonly value: string;
}

const NOT_FOUND: Resolved = { found: false, value: "" };

/**
 * Resolves a constraint target against a node: `${attr.X}`, `${meta.X}` and the
 * `${node.*}` fields; anything else that is not an interpolation is a literal.
 */
export function resolveTarget(target: string, node: Node): Resolved {
  if (!target.startsWith("${")) return { found: true, value: target };
  if (!target.endsWith("}")) return NOT_FOUND;
  const key = target.slice(2, -1);
  if (key.startsWith("attr.")) return lookup(node.Attributes, key.slice(5));
  if (key.startsWith("meta.")) return lookup(node.Meta, key.slice(5));
  switch (key) {
    case "node.unique.id":
      return { found: true, value: node.ID };
    case "node.unique.name":
      return { found: true, value: node.Name };
    case "node.datacenter":
      return { found: true, value: node.Datacenter };
    case "node.class":
      return { found: true, value: node.NodeClass };
    case "node.pool":
      return { found: true, value: node.NodePool };
    case "node.region":
      return lookup(node.Attributes, "nomad.region");
    default:
      return NOT_FOUND;
  }
}

function lookup(map: Readonly<Record<string, string>>, key: string): Resolved {
  const v = map[key];
  return v === undefined ? NOT_FOUND : { found: true, value: v };
}

const regexCache = new Map<string, RegExp | null>();

function regexFor(pattern: string): RegExp | null {
  let re = regexCache.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(pattern);
    } catch {
      re = null;
    }
    if (regexCache.size < 1024) regexCache.set(pattern, re);
  }
  return re;
}

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Ordering: numeric when both sides are numbers, otherwise lexical (as Nomad does). */
function compareOrder(l: string, r: string): number {
  if (NUMERIC.test(l) && NUMERIC.test(r)) return Number(l) - Number(r);
  return l < r ? -1 : l > r ? 1 : 0;
}

function splitSet(s: string): string[] {
  return s.split(",").map((x) => x.trim());
}

/**
 * Checks one operand. `distinct_hosts` and `distinct_property` depend on other placements
 * and are decided by the placement step, so they pass here.
 */
export function checkOperand(operand: string, l: Resolved, r: Resolved): boolean {
  switch (operand) {
    case "=":
    case "==":
    case "is":
      return l.found && r.found && l.value === r.value;
    case "!=":
    case "not":
      // Nomad compares the resolved values; a missing side is nil, so "missing != x" holds.
      return l.found !== r.found || (l.found && l.value !== r.value);
    case "<":
      return l.found && r.found && compareOrder(l.value, r.value) < 0;
    case "<=":
      return l.found && r.found && compareOrder(l.value, r.value) <= 0;
    case ">":
      return l.found && r.found && compareOrder(l.value, r.value) > 0;
    case ">=":
      return l.found && r.found && compareOrder(l.value, r.value) >= 0;
    case "regexp": {
      if (!l.found || !r.found) return false;
      const re = regexFor(r.value);
      return re !== null && re.test(l.value);
    }
    case "version":
      return l.found && r.found && versionMatches(l.value, r.value, false);
    case "semver":
      return l.found && r.found && versionMatches(l.value, r.value, true);
    case "set_contains":
    case "set_contains_all": {
      if (!l.found || !r.found) return false;
      const have = new Set(splitSet(l.value));
      return splitSet(r.value).every((x) => have.has(x));
    }
    case "set_contains_any": {
      if (!l.found || !r.found) return false;
      const have = new Set(splitSet(l.value));
      return splitSet(r.value).some((x) => have.has(x));
    }
    case "is_set":
      return l.found;
    case "is_not_set":
      return !l.found;
    case "distinct_hosts":
    case "distinct_property":
      return true;
    default:
      return false;
  }
}

export function checkConstraint(
  c: { LTarget: string; RTarget: string; Operand: string },
  node: Node,
): boolean {
  return checkOperand(c.Operand, resolveTarget(c.LTarget, node), resolveTarget(c.RTarget, node));
}
