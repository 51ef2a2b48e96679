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

export function bytesEqual(a: Uint8Array | null, b: Uint8Array | null): boolean {
  const x = a ?? new Uint8Array(0);
  const y = b ?? new Uint8Array(0);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** memberlist's pushPullScale: the interval grows with log2(N) above 32 nodes. */
export function pushPullScaleMs(intervalMs: number, n: number): number {
  if (n <= 32) return intervalMs;
  return intervalMs * (Math.ceil(Math.log2(n) - Math.log2(32)) + 1);
}

/** The push/pull version check: every alive node's current versions within everyone's range. */
export function versionsCompatible(remote: readonly PushNodeState[], local: readonly NodeRecord[]): boolean {
  const vsns: number[][] = [];
  for (const r of remote) if (r.state === 0 && r.vsn.length >= 6) vsns.push([...r.vsn]);
  for (const l of local) if (l.state === "alive" && l.vsn.length >= 6) vsns.push(l.vsn);
  if (vsns.length === 0) return true;
  for (const [lo, hi, cur] of [
    [0, 1, 2],
    [3, 4, 5],
  ] as const) {
    const maxMin = Math.max(...vsns.map((v) => v[lo] ?? 0));
    const minMax = Math.min(...vsns.map((v) => v[hi] ?? 0));
    for (const v of vsns) {
      const c = v[cur] ?? 0;
      if (c < maxMin || c > minMax) return false;
    }
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
