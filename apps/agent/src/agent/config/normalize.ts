// hcl2json turns every block into an array of objects (`server { ... }` -> `server: [{...}]`,
// `plugin "raw_exec" { ... }` -> `plugin: { raw_exec: [{...}] }`); Nomad's JSON configs use plain
// objects. Both become plain nested objects here before validation and merging.

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Collapses arrays of blocks into one object (repeated blocks merge in file order). */
export function normalizeBlocks(value: unknown): unknown {
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every(isPlainObject)) {
      const merged: Record<string, unknown> = {};
      for (const block of value) {
        for (const [k, v] of Object.entries(normalizeBlocks(block) as Record<string, unknown>)) {
          merged[k] = isPlainObject(merged[k]) && isPlainObject(v) ? { ...merged[k], ...v } : v;
        }
      }
      return merged;
    }
    return value.map(normalizeBlocks);
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = normalizeBlocks(v);
    return out;
  }
  return value;
}
