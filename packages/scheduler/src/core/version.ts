// Version comparisons for the `version` (go-version style, lenient) and `semver` (strict
// MAJOR.MINOR.PATCH) constraint operands. Constraints are comma-separated clauses, all of
// which must hold: ">= 1.2, < 2.0", "~> 1.4" (pessimistic: >= 1.4, < 2.0).

export interface Version {
  readonly segments: readonly number[];
  /** Pre-release identifiers ("beta.1" -> ["beta", "1"]); empty for a release. */
  readonly pre: readonly string[];
  /** How many segments were written (matters for the pessimistic operator). */
  readonly written: number;
}

const LENIENT = /^v?(\d+(?:\.\d+)*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;
const STRICT = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

export function parseVersion(text: string, strict: boolean): Version | null {
  const s = text.trim();
  if (strict) {
    const m = STRICT.exec(s);
    if (m === null) return null;
    return {
      segments: [Number(m[1]), Number(m[2]), Number(m[3])],
      pre: m[4] === undefined ? [] : m[4].split("."),
      written: 3,
    };
  }
  const m = LENIENT.exec(s);
  if (m === null || m[1] === undefined) return null;
  const segs = m[1].split(".").map(Number);
  const written = segs.length;
  while (segs.length < 3) segs.push(0);
  return { segments: segs, pre: m[2] === undefined ? [] : m[2].split("."), written };
}

function comparePre(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 && b.length === 0) return 0;
  if (a.length === 0) return 1; // a release sorts after its pre-releases
  if (b.length === 0) return -1;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn) {
      const d = Number(x) - Number(y);
      if (d !== 0) return Math.sign(d);
    } else if (xn !== yn) {
      return xn ? -1 : 1; // numeric identifiers sort before alphanumeric ones
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

export function compareVersions(a: Version, b: Version): number {
  const n = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const d = (a.segments[i] ?? 0) - (b.segments[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return comparePre(a.pre, b.pre);
}

type Clause = (v: Version) => boolean;

function parseClause(text: string, strict: boolean): Clause | null {
  const m = /^\s*(~>|>=|<=|!=|=|>|<)?\s*(\S+)\s*$/.exec(text);
  if (m === null || m[2] === undefined) return null;
  const op = m[1] ?? "=";
  const target = parseVersion(m[2], strict);
  if (target === null) return null;
  switch (op) {
    case "=":
      return (v) => compareVersions(v, target) === 0;
    case "!=":
      return (v) => compareVersions(v, target) !== 0;
    case ">":
      return (v) => compareVersions(v, target) > 0;
    case ">=":
      return (v) => compareVersions(v, target) >= 0;
    case "<":
      return (v) => compareVersions(v, target) < 0;
    case "<=":
      return (v) => compareVersions(v, target) <= 0;
    default: {
      // "~> 1.2" allows 1.x from 1.2 up; "~> 1.2.3" allows 1.2.x from 1.2.3 up.
      const fixed = Math.max(1, target.written - 1);
      const upper = target.segments.slice(0, fixed).map((s, i) => (i === fixed - 1 ? s + 1 : s));
      const ceiling: Version = { segments: upper, pre: [], written: fixed };
      return (v) =>
        compareVersions(v, target) >= 0 &&
        compareVersions({ segments: v.segments.slice(0, fixed), pre: [], written: fixed }, ceiling) < 0;
    }
  }
}

const cache = new Map<string, Clause[] | null>();

/** True when `version` satisfies every clause of `constraint`; unparsable input never matches. */
export function versionMatches(version: string, constraint: string, strict: boolean): boolean {
  const v = parseVersion(version, strict);
  if (v === null) return false;
  const key = `${strict ? "s" : "l"}${constraint}`;
  let clauses = cache.get(key);
  if (clauses === undefined) {
    const parsed = constraint.split(",").map((c) => parseClause(c, strict));
    clauses = parsed.every((c) => c !== null) ? (parsed as Clause[]) : null;
    if (cache.size < 1024) cache.set(key, clauses);
  }
  if (clauses === null) return false;
  return clauses.every((c) => c(v));
}
