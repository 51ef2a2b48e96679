// memory.totalbytes and MemoryMB. Inside a cgroup with a memory limit below physical
// memory the limit is the node's memory: tasks placed against the host total would be
// OOM-killed by the kernel long before they used it. Refreshed with the cgroup period
// because the limit can change at run time.

import type { Fingerprinter } from "../types.js";
import { hostCgroupLimits } from "../cgroup/host-limits.js";

export const MEMORY_REFRESH_MS = 15_000;
const MIB = 1024 * 1024;

export function createMemoryFingerprinter(): Fingerprinter {
  // Physical memory is read once: it does not change while the agent runs (hotplug aside),
  // and re-reading it on every refresh was most of this refresh's cost (README, Performance).
  let physical: number | undefined;
  return {
    name: "memory",
    periodicIntervalMs: MEMORY_REFRESH_MS,
    async fingerprint({ probe, config }) {
      let totalBytes: number;
      if (config.memory_total_mb > 0) {
        totalBytes = config.memory_total_mb * MIB;
      } else {
        physical ??= (await probe.memInfo()).totalBytes;
        const limits = await hostCgroupLimits(probe);
        totalBytes = limits.memoryBytes === null ? physical : Math.min(physical, limits.memoryBytes);
      }
      if (!(totalBytes > 0)) throw new Error(`memory total not positive: ${totalBytes}`);
      return {
        detected: true,
        attributes: { "memory.totalbytes": String(totalBytes) },
        resources: { memoryMB: Math.floor(totalBytes / MIB) },
      };
    },
  };
}
