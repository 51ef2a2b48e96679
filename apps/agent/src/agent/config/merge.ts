// Nomad's Config.Merge, on partial snake_case configs: a later source wins key by key, blocks
// and maps (meta, options, plugin config) merge recursively, and a few lists are appended
// rather than replaced, as Nomad appends them (client servers, server join lists, schedulers).
import { isPlainObject } from "./normalize.js";
import type { PartialAgentConfig } from "./schema.js";

/** Dotted paths whose lists accumulate across files and flags (Nomad appends these). */
const APPENDED_LISTS: ReadonlySet<string> = new Set([
  "client.servers",
  "server.start_join",
  "server.retry_join",
  "server.enabled_schedulers",
  "start_join",
  "retry_join",
]);

export function mergeConfigs(...sources: readonly PartialAgentConfig[]): PartialAgentConfig {
  let out: Record<string, unknown> = {};
  for (const source of sources) out = mergeInto(out, source, "");
  return out;
}

function mergeInto(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
  prefix: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const path = prefix === "" ? key : `${prefix}.${key}`;
    const prev = out[key];
    if (isPlainObject(prev) && isPlainObject(value)) out[key] = mergeInto(prev, value, path);
    else if (Array.isArray(prev) && Array.isArray(value) && APPENDED_LISTS.has(path))
      out[key] = [...prev, ...value];
    else out[key] = value;
  }
  return out;
}
