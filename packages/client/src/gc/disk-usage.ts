// How full the filesystem holding `alloc_dir` is, in the two measures Nomad's client GC
// watches: bytes and inodes. A seam so tests can play any pressure without filling a disk.

import { statfs } from "node:fs/promises";

export interface DiskUsage {
  /** Used bytes as a percentage of what a process can use, 0..100. */
  diskUsedPercent: number;
  /** Used inodes as a percentage of all inodes, 0..100 (0 where the fs does not count them). */
  inodesUsedPercent: number;
}

export type DiskUsageProbe = (path: string) => Promise<DiskUsage>;

/**
 * `statfs(2)` of `path`. Used = total - free; the percentage is of used + available, as
 * `df` reports it, because blocks reserved for root are not free for tasks either.
 */
export const statfsDiskUsage: DiskUsageProbe = async (path) => {
  const s = await statfs(path);
  const used = s.blocks - s.bfree;
  const usable = used + s.bavail;
  const inodesUsed = s.files - s.ffree;
  return {
    diskUsedPercent: usable > 0 ? (used / usable) * 100 : 0,
    // btrfs and some network filesystems report 0 inodes: nothing to run out of.
    inodesUsedPercent: s.files > 0 ? (inodesUsed / s.files) * 100 : 0,
  };
};
