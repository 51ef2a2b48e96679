// @nomad/fingerprint: host fingerprinting with Nomad's attribute names, resources and
// driver detection, refreshed periodically on an injected scheduler.

export type {
  Allocatable,
  DriverFingerprint,
  DriverHealth,
  DriverInfo,
  FingerprintContext,
  Fingerprinter,
  FingerprinterState,
  FingerprinterStatus,
  FingerprintResult,
  HostFingerprint,
  NetworkResource,
  NodeCpuResources,
  NodeFingerprint,
  NodeNetworkAddress,
  NodeNetworkResource,
  NodeReservedResources,
  NodeResources,
  PartialResources,
} from "./types.js";
export {
  fingerprintConfigSchema,
  parseFingerprintConfig,
  FingerprintConfigError,
  allocDirOf,
  stateDirOf,
  type FingerprintConfig,
  type FingerprintConfigInput,
} from "./config.js";
export type {
  HostProbe,
  ProbeMemInfo,
  ProbeNetworkAddress,
  ProbeStatfs,
  ProbeUname,
} from "./probe/host-probe.js";
export { LiveHostProbe, type LiveHostProbeOptions } from "./probe/live-probe.js";
export {
  FingerprinterRegistry,
  DuplicateFingerprinterError,
  createDefaultRegistry,
  builtinDriverDetectors,
} from "./registry.js";
export { archFingerprinter, goArch } from "./fingerprinters/arch.js";
export { cgroupFingerprinter } from "./fingerprinters/cgroup.js";
export { createCpuFingerprinter } from "./fingerprinters/cpu.js";
export { hostFingerprinter } from "./fingerprinters/host.js";
export { createMemoryFingerprinter } from "./fingerprinters/memory.js";
export { networkFingerprinter } from "./fingerprinters/network.js";
export { nodeIdFingerprinter } from "./fingerprinters/node-id.js";
export { nomadFingerprinter } from "./fingerprinters/nomad.js";
export { storageFingerprinter } from "./fingerprinters/storage.js";
export { driverFingerprinter, DRIVER_HEALTHY, type DriverDetector } from "./drivers/detector.js";
export { rawExecDetector } from "./drivers/raw-exec.js";
export { execDetector } from "./drivers/exec.js";
export { createMockDriverDetector, type MockDriverDetector } from "./drivers/mock.js";
export {
  FingerprintManager,
  FingerprintTimeoutError,
  ManagerNotStartedError,
  type FingerprintChange,
  type FingerprintListener,
  type FingerprintManagerOptions,
} from "./manager/fingerprint-manager.js";
export { TimerScheduler, type Scheduler } from "./manager/scheduler.js";
export { diffFingerprints, type FingerprintDiff } from "./manager/diff.js";
export { fingerprintHost } from "./fingerprint-host.js";
