// The cgroup limits that apply to this process, for the cpu and memory fingerprinters.
// A host whose cgroup files cannot be read is treated as unlimited: the cgroup
// fingerprinter is the one that reports that source as degraded, so CPU and memory keep
// answering with the host's totals.

import type { HostProbe } from "../probe/host-probe.js";
import { detectCgroups } from "./detect.js";
import { readCgroupLimits, type CgroupLimits } from "./limits.js";

export async function hostCgroupLimits(probe: HostProbe): Promise<CgroupLimits> {
  try {
    return await readCgroupLimits(probe, await detectCgroups(probe));
  } catch {
    return { memoryBytes: null, cpuQuotaCores: null, cpusetCpus: null };
  }
}
