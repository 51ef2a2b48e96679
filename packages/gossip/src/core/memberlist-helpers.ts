// Pure helpers of the membership core: the node record, its public view, memberlist's
// push/pull scaling and version check, and meta decoding.
import { decodeTags } from "../wire/serf-messages.js";
import type { PushNodeState } from "../wire/types.js";
import type { Address, NodeInfo, NodeStateName } from "./types.js";

export interface NodeRecord {
  name: string;
  addr: Address;
  /** addr.host as wire bytes, kept to compare without formatting. */
  addrBytes: Uint8Array;
  meta: Uint8Array | null;
  incarnation: number;
  state: NodeStateName;
  vsn: number[];
  /** vsn as wire bytes (what push/pull sends), kept to avoid re-building it per exchange. */
  vsnBytes: Uint8Array;
  stateChangeMs: number;
}

export function info(n: NodeRecord): NodeInfo {
  return {
    name: n.name,
    addr: n.addr,
    meta: n.meta,
    incarnation: n.incarnation,
    state: n.state,
    vsn: n.vsn,
    stateChangeMs: n.stateChangeMs,
  };
}

/** Byte equality, null counting as empty (Go's nil and empty slices encode alike). */
export function bytesEqual(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === b) return true;
  const la = a === null ? 0 : a.length;
  const lb = b === null ? 0 : b.length;
  if (la !== lb) return false;
  if (la === 0 || a === null || b === null) return true;
  for (let i = 0; i < la; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** memberlist's pushPullScale: the interval grows with log2(N) above 32 nodes. */
export function pushPullScaleMs(intervalMs: number, n: number): number {
  if (n <= 32) return intervalMs;
  return intervalMs * (Math.ceil(Math.log2(n) - Math.log2(32)) + 1);
}

/** The push/pull version check: every alive node's current versions within everyone's range. */
export function versionsCompatible(remote: readonly PushNodeState[], local: Iterable<NodeRecord>): boolean {
  // One pass for the ranges (max of mins, min of maxes), one for the current versions.
  const vsns: ArrayLike<number>[] = [];
  for (const r of remote) if (r.state === 0 && r.vsn.length >= 6) vsns.push(r.vsn);
  for (const l of local) if (l.state === "alive" && l.vsn.length >= 6) vsns.push(l.vsn);
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
