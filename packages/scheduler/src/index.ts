export {
  process,
  UnsupportedEvalTypeError,
  type ProcessOptions,
  type ProcessResult,
} from "./core/process.js";
export type {
  NodeUsage,
  Planner,
  SchedulerAlgorithm,
  SchedulerDeps,
  SchedulerState,
  SubmitResult,
} from "./core/types.js";
export { computeNodeUsage, emptyUsage } from "./core/usage.js";
export { checkConstraint, checkOperand, resolveTarget, type Resolved } from "./core/constraint-check.js";
export { versionMatches } from "./core/version.js";
export { fitScore, affinityScore, antiAffinityScore, MAX_FIT_SCORE } from "./core/rank.js";
export { candidateLimit } from "./core/select.js";
export {
  reconcile,
  type ReconcileInput,
  type ReconcileResult,
  type DesiredUpdates,
} from "./core/reconcile.js";
export { rescheduleDelay, rescheduleEligible } from "./core/reschedule.js";
export {
  nodeCapacity,
  DIM_CPU,
  DIM_MEMORY,
  DIM_DISK,
  DIM_CORES,
  DIM_PORT_COLLISION,
  DIM_DYNAMIC_PORTS,
} from "./core/fit.js";
export { MISSING_DRIVERS, nodeClassOf } from "./core/feasibility.js";
export * from "./core/descriptions.js";
