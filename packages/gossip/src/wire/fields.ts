// Typed reads of Go struct fields from a decoded msgpack map. Go's decoder zero-fills a
// missing field and ignores unknown ones; a present field of the wrong type fails the
// whole message (BAD_FIELD), which the caller drops and counts.
import { WireError } from "./errors.js";
import type { GoMap, GoValue } from "./msgpack.js";

const textDecoder = new TextDecoder("utf-8", { fatal: false });
const EMPTY = new Uint8Array(0);

export function asStruct(v: GoValue, what: string): GoMap {
  if (v instanceof Map) return v;
  throw new WireError("BAD_FIELD", `${what} is not a map`);
}

function bad(m: string, f: string, v: GoValue): never {
  throw new WireError("BAD_FIELD", `${m}.${f}: unexpected ${v === null ? "nil" : typeof v}`);
}

export function uint(m: GoMap, f: string, max: number, what = "struct"): number {
  const v = m.get(f);
  if (v === undefined || v === null) return 0;
  if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= max) return v;
  return bad(what, f, v);
}

export function int(m: GoMap, f: string, what = "struct"): number {
  const v = m.get(f);
  if (v === undefined || v === null) return 0;
  if (typeof v === "number" && Number.isInteger(v)) return v;
  return bad(what, f, v);
}

/** uint64 (Lamport times): always a bigint so callers never lose precision. */
export function u64(m: GoMap, f: string, what = "struct"): bigint {
  const v = m.get(f);
  if (v === undefined || v === null) return 0n;
  if (typeof v === "number" && Number.isInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === "bigint" && v >= 0n) return v;
  return bad(what, f, v);
}

/** int64 nanoseconds (time.Duration), as a bigint. */
export function i64(m: GoMap, f: string, what = "struct"): bigint {
  const v = m.get(f);
  if (v === undefined || v === null) return 0n;
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  if (typeof v === "bigint") return v;
  return bad(what, f, v);
}

export function float(m: GoMap, f: string, what = "struct"): number {
  const v = m.get(f);
  if (v === undefined || v === null) return 0;
  if (typeof v === "number") return v;
  return bad(what, f, v);
}

export function bool(m: GoMap, f: string, what = "struct"): boolean {
  const v = m.get(f);
  if (v === undefined || v === null) return false;
  if (typeof v === "boolean") return v;
  return bad(what, f, v);
}

export function bytes(m: GoMap, f: string, what = "struct"): Uint8Array {
  const v = m.get(f);
  if (v === undefined || v === null) return EMPTY;
  if (v instanceof Uint8Array) return v;
  return bad(what, f, v);
}

/** Bytes or nil, for fields where Go distinguishes a nil slice (re-encoded as nil). */
export function bytesOrNull(m: GoMap, f: string, what = "struct"): Uint8Array | null {
  const v = m.get(f);
  if (v === undefined || v === null) return null;
  if (v instanceof Uint8Array) return v;
  return bad(what, f, v);
}

export function str(m: GoMap, f: string, what = "struct"): string {
  const v = m.get(f);
  if (v === undefined || v === null) return "";
  if (v instanceof Uint8Array) return textDecoder.decode(v);
  return bad(what, f, v);
}

export function list(m: GoMap, f: string, what = "struct"): GoValue[] {
  const v = m.get(f);
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v;
  return bad(what, f, v);
}

export function map(m: GoMap, f: string, what = "struct"): GoMap {
  const v = m.get(f);
  if (v === undefined || v === null) return new Map();
  if (v instanceof Map) return v;
  return bad(what, f, v);
}

export function rawToString(v: GoValue): string {
  if (v instanceof Uint8Array) return textDecoder.decode(v);
  throw new WireError("BAD_FIELD", "expected a string");
}
