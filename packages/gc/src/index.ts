export * from "./config.js";
export * from "./duration.js";
export * from "./snapshot.js";
export * from "./views.js";
export * from "./core/alloc-eligible.js";
export * from "./core/client-gc.js";
export * from "./core/core-jobs.js";
export * from "./core/deployment-gc.js";
export * from "./core/eval-gc.js";
export * from "./core/job-gc.js";
export * from "./core/job-set.js";
export * from "./core/node-gc.js";
export * from "./core/plan.js";
export * from "./core/run.js";
export {
  deploymentIsActive,
  jobIsGcCandidate,
  jobIsParameterized,
  jobIsParent,
  jobIsPeriodic,
  nodeIsTerminal,
} from "./core/terminal.js";
