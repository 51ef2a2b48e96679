// exec: isolated tasks (chroot, cgroups, namespaces). Nomad's rules, in order: Linux only;
// must run as root; needs a cgroup mount (else unhealthy, not undetected, because the
// operator can fix it by mounting cgroups).

import { DRIVER_HEALTHY, type DriverDetector } from "./detector.js";
import { detectCgroups } from "../cgroup/detect.js";

export const EXEC_UNSUPPORTED_OS = "exec driver unsupported on client OS";
export const DRIVER_REQUIRES_ROOT = "Driver must run as root";
export const NO_CGROUP_MOUNT = "Failed to discover cgroup mount point";

export const execDetector: DriverDetector = {
  name: "exec",
  intervalMs: 30_000,
  async detect({ probe, config }) {
    if (!config.drivers.exec.enabled)
      return { health: "undetected", healthDescription: "disabled", attributes: {} };
    if (probe.uname().platform !== "linux") {
      return { health: "undetected", healthDescription: EXEC_UNSUPPORTED_OS, attributes: {} };
    }
    if (probe.uid() !== 0)
      return { health: "undetected", healthDescription: DRIVER_REQUIRES_ROOT, attributes: {} };
    let mounted = false;
    try {
      mounted = (await detectCgroups(probe)) !== undefined;
    } catch {
      mounted = false;
    }
    if (!mounted) return { health: "unhealthy", healthDescription: NO_CGROUP_MOUNT, attributes: {} };
    return { health: "healthy", healthDescription: DRIVER_HEALTHY, attributes: { "driver.exec": "true" } };
  },
};
