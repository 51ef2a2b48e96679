// The cgroup limits that apply to this process, for the cpu and memory fingerprinters.
// A read error propagates: those fingerprinters then report degraded and keep their last
// good values, rather than silently jumping to the host's totals on a transient error.
// A host with no cgroups at all (or no /proc, e.g. macOS) simply has no limits.

import type { HostProbe } from "../probe/host-probe.js";
import { detectCgroups } from "./detect.js";
import { readCgroupLimits, type CgroupLimits } from "./limits.js";

export async function hostCgroupLimits(probe: HostProbe): Promise<CgroupLimits> {
  return readCgroupLimits(probe, await detectCgroups(probe));
}
