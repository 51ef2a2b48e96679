// raw_exec: the task's command runs as a plain host process (as the agent's user, or the
// task's `user` when the agent is root), without isolation. Disabled unless enabled, as in
// Nomad (`plugin "raw_exec" { config { enabled = true } }` or -dev).

import { DRIVER_HEALTHY } from "@nomad/fingerprint";
import {
  commandFromConfig,
  ProcessDriver,
  type LaunchPlan,
  type ProcessDriverOptions,
} from "./process-driver.js";
import type { DriverFingerprint, TaskConfig } from "./types.js";
import { resolveUser } from "./user.js";

export interface RawExecDriverOptions extends ProcessDriverOptions {
  enabled: boolean;
}

export class RawExecDriver extends ProcessDriver {
  readonly name = "raw_exec";
  private readonly enabled: boolean;

  constructor(options: RawExecDriverOptions) {
    super(options);
    this.enabled = options.enabled;
  }

  fingerprint(): DriverFingerprint {
    if (!this.enabled) return { health: "undetected", healthDescription: "disabled", attributes: {} };
    return {
      health: "healthy",
      healthDescription: DRIVER_HEALTHY,
      attributes: { "driver.raw_exec": "true" },
    };
  }

  protected async plan(task: TaskConfig): Promise<LaunchPlan> {
    const { command, args } = commandFromConfig(task.driverConfig);
    const user = task.user === "" ? undefined : resolveUser(task.user);
    return { command, args, uid: user?.uid, gid: user?.gid, driverState: {} };
  }
}
