import { DurationParseError, parseDurationNs } from "@nomad/structs";
import { FieldError } from "./errors.js";

/**
 * Readers for hcl2json's output. Facts about that output (checked on real runs): every
 * block is an array of objects, a labelled block is a map label -> array, attributes keep
 * their JSON type, and any expression hcl2json cannot fold is kept as the string "${...}".
 */
export type Reader = (value: unknown, path: string) => unknown;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const EXPRESSION = /^\$\{.*\}$/s;

function notLiteral(v: unknown, path: string, want: string): never {
  if (typeof v === "string" && EXPRESSION.test(v))
    throw new FieldError(
      path,
      `expected ${want}, got the expression ${v} (only literal values are supported)`,
    );
  throw new FieldError(path, `expected ${want}, got ${JSON.stringify(v)}`);
}

/**
 * hcl2json hands back template text as written, so HCL's escapes `$${` and `%%{` are still
 * doubled; HCL itself (and so Nomad) turns them into a literal `${` / `%{`.
 */
export const unescapeTemplate = (s: string): string => s.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{");

/** Unescapes every string inside a free-form value (driver config). */
export function unescapeDeep(v: unknown): unknown {
  if (typeof v === "string") return unescapeTemplate(v);
  if (Array.isArray(v)) return v.map(unescapeDeep);
  if (isRecord(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unescapeDeep(x)]));
  return v;
}

export const str: Reader = (v, path) =>
  typeof v === "string" ? unescapeTemplate(v) : notLiteral(v, path, "a string");

export const bool: Reader = (v, path) => (typeof v === "boolean" ? v : notLiteral(v, path, "a bool"));

export const int: Reader = (v, path) =>
  typeof v === "number" && Number.isInteger(v) ? v : notLiteral(v, path, "an integer");

/** Go duration string ("30s", "1h30m") -> ns; a bare number is taken as ns already. */
export const duration: Reader = (v, path) => {
  if (typeof v === "number" && Number.isInteger(v) && v >= 0) return v;
  if (typeof v !== "string" || EXPRESSION.test(v)) return notLiteral(v, path, 'a duration such as "30s"');
  try {
    return parseDurationNs(v);
  } catch (e) {
    if (e instanceof DurationParseError) throw new FieldError(path, e.message);
    throw e;
  }
};

export const strList: Reader = (v, path) => {
  if (!Array.isArray(v)) return notLiteral(v, path, "a list of strings");
  return v.map((x, i) => str(x, `${path}[${i}]`));
};

/** `meta { k = "v" }` (a block: array of one object) or `meta = { k = "v" }` (an attribute). */
export const strMap: Reader = (v, path) => {
  const obj = singleBlock(v, path);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(obj)) {
    // Nomad stringifies scalar meta/env values written without quotes.
    out[k] = typeof x === "number" || typeof x === "boolean" ? String(x) : (str(x, `${path}.${k}`) as string);
  }
  return out;
};

/** The body of a block that may appear only once. */
export function singleBlock(v: unknown, path: string): Record<string, unknown> {
  if (isRecord(v)) return v;
  if (Array.isArray(v)) {
    if (v.length !== 1) throw new FieldError(path, `block may appear only once, found ${v.length}`);
    const only: unknown = v[0];
    if (isRecord(only)) return only;
  }
  return notLiteral(v, path, "a block");
}

/** Bodies of a repeatable unlabelled block (`constraint { }` written N times). */
export function blockList(v: unknown, path: string): Record<string, unknown>[] {
  const items: unknown[] = Array.isArray(v) ? v : [v];
  return items.map((x, i) => (isRecord(x) ? x : notLiteral(x, `${path}[${i}]`, "a block")));
}

/** Bodies of a labelled block (`group "web" { }`), in hcl2json's key order, each label once. */
export function labelledBlocks(v: unknown, path: string): { label: string; body: Record<string, unknown> }[] {
  if (!isRecord(v)) return notLiteral(v, path, 'a labelled block such as name "label" { }');
  return Object.entries(v).map(([label, bodies]) => {
    const at = `${path}.${label}`;
    if (Array.isArray(bodies) && bodies.length > 1) throw new FieldError(at, `duplicate block "${label}"`);
    return { label, body: singleBlock(bodies, at) };
  });
}

/** One HCL key of a block: the API field it fills and how its value is read. */
export interface FieldSpec {
  readonly api: string;
  readonly read: Reader;
}

/**
 * Maps a block body key by key; any key missing from `spec` is an error naming its path,
 * so a typo (`kill_timout`) is reported instead of silently dropped.
 */
export function mapBlock(
  body: Record<string, unknown>,
  path: string,
  spec: Readonly<Record<string, FieldSpec>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const field = spec[key];
    const at = path === "" ? key : `${path}.${key}`;
    if (field === undefined) {
      throw new FieldError(
        at,
        `unsupported argument or block "${key}"; expected one of ${Object.keys(spec).join(", ")}`,
      );
    }
    out[field.api] = field.read(value, at);
  }
  return out;
}

export const f = (api: string, read: Reader): FieldSpec => ({ api, read });
