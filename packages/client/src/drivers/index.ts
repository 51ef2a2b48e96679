export * from "./types.js";
export { systemClock, type RunnerClock } from "./clock.js";
export { RawExecDriver, type RawExecDriverOptions } from "./raw-exec.js";
export {
  ExecDriver,
  cgroupName,
  EXEC_UNSUPPORTED_OS,
  DRIVER_REQUIRES_ROOT,
  NO_CGROUP_MOUNT,
  NO_UNSHARE,
  NO_SETPRIV,
  type ExecDriverOptions,
} from "./exec.js";
export { MockDriver, parseMockConfig, type MockDriverOptions, type MockTaskConfig } from "./mock-driver.js";
export {
  ProcessDriver,
  commandFromConfig,
  type LaunchPlan,
  type ProcessDriverOptions,
} from "./process-driver.js";
export {
  DriverRegistry,
  driverDetector,
  DRIVER_FINGERPRINT_INTERVAL_MS,
  MOCK_DRIVER_FINGERPRINT_INTERVAL_MS,
} from "./registry.js";
export {
  detectCgroupLayout,
  sharesToWeight,
  type CgroupLayout,
  type CgroupVersion,
  type TaskCgroup,
} from "./cgroups.js";
export { normalizeSignal, readStartTicks, sameProcessAlive } from "./proc.js";
