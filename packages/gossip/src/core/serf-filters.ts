// Serf query filters: [0][msgpack []string] selects node names, [1][msgpack {Tag, Expr}]
// selects members whose tag matches a regular expression.
import { asStruct, rawToString, str } from "../wire/fields.js";
import { decodeGo, encodeGo } from "../wire/msgpack.js";
import type { QueryOptions } from "./serf-types.js";

const MAX_FILTER_EXPR = 128; // JS regexps backtrack (Go's are RE2): keep hostile patterns short

export function encodeQueryFilters(o: QueryOptions): Uint8Array[] {
  const out: Uint8Array[] = [];
  const frame = (t: number, body: Uint8Array) => {
    const b = new Uint8Array(body.length + 1);
    b[0] = t;
    b.set(body, 1);
    out.push(b);
  };
  if (o.filterNodes !== undefined) frame(0, encodeGo(o.filterNodes));
  for (const [tag, expr] of Object.entries(o.filterTags ?? {})) frame(1, encodeGo({ Tag: tag, Expr: expr }));
  return out;
}

/** True when this member passes every filter (an unknown or malformed filter excludes it). */
export function shouldProcessQuery(
  filters: readonly Uint8Array[],
  name: string,
  tags: Readonly<Record<string, string>>,
): boolean {
  for (const f of filters) {
    try {
      const { value } = decodeGo(f, 1);
      if (f[0] === 0) {
        const names = Array.isArray(value) ? value.map(rawToString) : [];
        if (!names.includes(name)) return false;
      } else if (f[0] === 1) {
        const m = asStruct(value, "filterTag");
        const tag = str(m, "Tag");
        const expr = str(m, "Expr");
        const v = tags[tag];
        if (v === undefined || expr.length > MAX_FILTER_EXPR || !new RegExp(expr).test(v)) return false;
      } else return false;
    } catch {
      return false;
    }
  }
  return true;
}
