// @nomad/fingerprint/testing: in-memory twins and test tools.
export { MemoryHostProbe, ProbeFailure, type HostDescription } from "./probe/memory-probe.js";
export { loadFixtureProbe, loadHostDescription, saveHostDescription } from "./probe/fixture-probe.js";
export { RecordingProbe } from "./probe/recording-probe.js";
export { FakeScheduler, settle } from "./testing/fake-scheduler.js";
export { countChildProcesses, type ChildProcessCounter } from "./testing/child-process-counter.js";
