// Pure helpers of the membership core: memberlist's push/pull scaling and version check,
// and meta decoding.
import { decodeTags } from "../wire/serf-messages.js";
import type { PushNodeState } from "../wire/types.js";
import type { NodeInfo } from "./types.js";

/** memberlist's pushPullScale: the interval grows with log2(N) above 32 nodes. */
export function pushPullScaleMs(intervalMs: number, n: number): number {
  if (n <= 32) return intervalMs;
  return intervalMs * (Math.ceil(Math.log2(n) - Math.log2(32)) + 1);
}

/**
 * The push/pull version check: every alive node's current versions within everyone's range.
 * `local` holds the version vectors of the nodes we hold alive.
 */
export function versionsCompatible(
  remote: readonly PushNodeState[],
  local: readonly (readonly number[])[],
): boolean {
  // One pass for the ranges (max of mins, min of maxes), one for the current versions.
  const vsns: ArrayLike<number>[] = [];
  for (const r of remote) if (r.state === 0 && r.vsn.length >= 6) vsns.push(r.vsn);
  for (const l of local) if (l.length >= 6) vsns.push(l);
  if (vsns.length === 0) return true;
  let pMaxMin = 0;
  let pMinMax = Infinity;
  let dMaxMin = 0;
  let dMinMax = Infinity;
  for (const v of vsns) {
    pMaxMin = Math.max(pMaxMin, v[0] ?? 0);
    pMinMax = Math.min(pMinMax, v[1] ?? 0);
    dMaxMin = Math.max(dMaxMin, v[3] ?? 0);
    dMinMax = Math.min(dMinMax, v[4] ?? 0);
  }
  for (const v of vsns) {
    const p = v[2] ?? 0;
    const d = v[5] ?? 0;
    if (p < pMaxMin || p > pMinMax || d < dMaxMin || d > dMinMax) return false;
  }
  return true;
}

/** Decodes Serf tags from a node's meta (convenience for callers of the bare membership layer). */
export function nodeTags(n: NodeInfo): Record<string, string> {
  try {
    return decodeTags(n.meta);
  } catch {
    return {};
  }
}
