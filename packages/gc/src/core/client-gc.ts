import type { ClientGcConfig } from "../config.js";

/** A terminal allocation whose directory the client still keeps. */
export interface ClientTerminalAlloc {
  readonly allocID: string;
  /** When the client marked it for collection (Unix ns); oldest goes first. */
  readonly terminalAtUnixNs: number;
  /** Optional estimate of the alloc dir's share of the disk, in percent points. */
  readonly diskPercent?: number;
  /** Optional estimate of its share of the inodes, in percent points. */
  readonly inodePercent?: number;
}

export interface ClientGcInput {
  readonly config: ClientGcConfig;
  /** Usage of the filesystem holding `alloc_dir`, 0..100. */
  readonly diskUsedPercent: number;
  readonly inodesUsedPercent: number;
  /** Allocations whose directories are not destroyed yet (running and terminal). */
  readonly liveAllocs: number;
  readonly terminal: readonly ClientTerminalAlloc[];
}

export interface ClientGcDestroy {
  readonly allocID: string;
  readonly reason: string;
}

export interface ClientGcDecision {
  /** In the order to destroy them, oldest terminal first. */
  readonly destroy: readonly ClientGcDestroy[];
  /** Why the node is still over a limit once nothing terminal is left, or null. */
  readonly stillOver: string | null;
}

function byAge(a: ClientTerminalAlloc, b: ClientTerminalAlloc): number {
  return (
    a.terminalAtUnixNs - b.terminalAtUnixNs || (a.allocID < b.allocID ? -1 : a.allocID > b.allocID ? 1 : 0)
  );
}

/** Nomad's checks, in its order: disk, then inodes, then the allocation count. Strictly over. */
export function clientGcReason(
  cfg: ClientGcConfig,
  diskUsedPercent: number,
  inodesUsedPercent: number,
  liveAllocs: number,
): string | null {
  if (diskUsedPercent > cfg.gc_disk_usage_threshold) {
    return `disk usage of ${diskUsedPercent.toFixed(0)} is over gc threshold of ${cfg.gc_disk_usage_threshold.toFixed(0)}`;
  }
  if (inodesUsedPercent > cfg.gc_inode_usage_threshold) {
    return `inode usage of ${inodesUsedPercent.toFixed(0)} is over gc threshold of ${cfg.gc_inode_usage_threshold.toFixed(0)}`;
  }
  if (liveAllocs > cfg.gc_max_allocs) {
    return `number of allocations (${liveAllocs}) is over the limit (${cfg.gc_max_allocs})`;
  }
  return null;
}

/**
 * One periodic client GC round (every `gc_interval`): while the alloc disk or its inodes
 * are over their threshold, or more than `gc_max_allocs` allocations exist, destroy the
 * oldest terminal allocation. Each destroy lowers usage by the alloc's estimate (0 when
 * unknown, in which case pressure on disk or inodes takes every terminal allocation, as
 * Nomad's loop does when the stats do not drop fast enough). Running allocations are
 * never listed here: the caller passes terminal ones only.
 */
export function decideClientGc(input: ClientGcInput): ClientGcDecision {
  const queue = [...input.terminal].sort(byAge);
  let disk = input.diskUsedPercent;
  let inodes = input.inodesUsedPercent;
  let live = input.liveAllocs;
  const destroy: ClientGcDestroy[] = [];
  for (;;) {
    const reason = clientGcReason(input.config, disk, inodes, live);
    if (reason === null) return { destroy, stillOver: null };
    const next = queue[destroy.length];
    if (next === undefined) return { destroy, stillOver: reason };
    destroy.push({ allocID: next.allocID, reason });
    disk -= next.diskPercent ?? 0;
    inodes -= next.inodePercent ?? 0;
    live -= 1;
  }
}

/** `PUT /v1/client/gc` (forced full node collection): every terminal allocation, oldest first. */
export function decideClientGcAll(terminal: readonly ClientTerminalAlloc[]): ClientGcDestroy[] {
  return [...terminal]
    .sort(byAge)
    .map((a) => ({ allocID: a.allocID, reason: "forced full node collection" }));
}
