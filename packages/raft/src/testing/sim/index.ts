export { runSimulation, type SimResult, type SimStats } from "./simulator.js";
export {
  simOptions,
  replayCommand,
  nodesForSeed,
  DEFAULT_FEATURES,
  type CoreFactory,
  type SimFeatures,
  type SimOptions,
} from "./options.js";
export { SimViolation, type InvariantName } from "./violation.js";
export { InvariantChecker } from "./invariants.js";
export { DiskState, SimDisk, type DiskWrite } from "./disk.js";
export { SimNetwork, HEALTHY_NETWORK, type NetworkQuality } from "./network.js";
export { raftCoreFactory, STANDARD_FEATURES, standardRun } from "./default-run.js";
export type { ScriptAction, ScriptStep } from "./script.js";
