// os.cgroups.version (Nomad 1.7+ name, "1" or "2") plus the earlier names
// unique.cgroup.mountpoint and unique.cgroup.version ("v1"/"v2"), which older job files
// still constrain on. Periodic like Nomad's (15 s): cgroups can be mounted or unmounted
// while the agent runs, and the exec driver depends on them.

import type { Fingerprinter } from "../types.js";
import { detectCgroups } from "../cgroup/detect.js";

export const CGROUP_REFRESH_MS = 15_000;

export const cgroupFingerprinter: Fingerprinter = {
  name: "cgroup",
  periodicIntervalMs: CGROUP_REFRESH_MS,
  async fingerprint({ probe }) {
    const layout = await detectCgroups(probe);
    if (layout === undefined)
      return { detected: false, reason: "no cgroup filesystem mounted", attributes: {} };
    return {
      detected: true,
      attributes: {
        "os.cgroups.version": String(layout.version),
        "unique.cgroup.mountpoint": layout.mountPoint,
        "unique.cgroup.version": `v${layout.version}`,
      },
    };
  },
};
