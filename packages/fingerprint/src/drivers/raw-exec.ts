// raw_exec: runs tasks as plain host processes, no isolation. Healthy whenever enabled;
// disabled by default (Nomad: `plugin "raw_exec" { config { enabled = true } }` or -dev),
// and then undetected with description "disabled".

import { DRIVER_HEALTHY, type DriverDetector } from "./detector.js";

export const rawExecDetector: DriverDetector = {
  name: "raw_exec",
  intervalMs: 30_000,
  async detect({ config }) {
    if (!config.drivers.raw_exec.enabled)
      return { health: "undetected", healthDescription: "disabled", attributes: {} };
    return {
      health: "healthy",
      healthDescription: DRIVER_HEALTHY,
      attributes: { "driver.raw_exec": "true" },
    };
  },
};
