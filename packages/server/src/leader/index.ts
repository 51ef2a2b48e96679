export { Leader, NODE_HEARTBEAT_MISSED, type LeaderBrokerStats } from "./leader.js";
export type { LeaderContext, LeaderEventSource, LeaderStateStore } from "./context.js";
export {
  LeaderConfigSchema,
  LeaderConfigError,
  parseLeaderConfig,
  SCHEDULER_TYPES,
  type LeaderConfig,
  type LeaderConfigInput,
} from "./config.js";
export { ManualClock, settle, systemClock, type LeaderClock, type TimerHandle } from "./clock.js";
export {
  BrokerError,
  EvalBroker,
  FAILED_QUEUE,
  type BrokerErrorCode,
  type BrokerStats,
  type Dequeued,
  type EvalBrokerOptions,
} from "./eval-broker.js";
export { BlockedEvals, type BlockedEvalsOptions, type BlockedStats } from "./blocked-evals.js";
export { PlanQueue, PlanQueueError, type PendingPlan } from "./plan-queue.js";
export {
  PlanApplier,
  checkNodePlan,
  evaluatePlan,
  planResultsCommand,
  type NodeRejection,
  type PlanApplierDeps,
  type PlanEvaluation,
  type PlanState,
} from "./plan-apply.js";
export { Worker, gcCommand, snapshotAtLeast, type WorkerDeps } from "./worker.js";
export { HeartbeatTimers, heartbeatTtlMs, type HeartbeatOptions } from "./heartbeat.js";
export { createNodeEvals, type NodeEvalOptions } from "./node-evals.js";
export { planJob, jobSpecChanged, type JobPlanResult, type PlanJobDeps } from "./job-plan.js";
export { Heap } from "./heap.js";
