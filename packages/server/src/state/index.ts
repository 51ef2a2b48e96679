// Public surface of the server's state store (the FSM is its only writer).
export { StateStore, type StateStoreOptions } from "./state-store.js";
export { StateTxn, type TxnChanges } from "./txn.js";
export { StateError, type StateErrorCode } from "./errors.js";
export { gcView } from "./gc-view.js";
export {
  TABLE_NAMES,
  JOB_TRACKED_VERSIONS,
  MAX_RETAINED_NODE_EVENTS,
  type StateSnapshot,
  type TableName,
} from "./types.js";
export { upsertJob, stopJob, purgeJob, jobSpecChanged } from "./job-writes.js";
export { upsertEvals, deleteEvals } from "./eval-writes.js";
export {
  upsertAllocs,
  updateAllocsFromClient,
  updateDesiredTransitions,
  upsertPlanResults,
  type PlanResults,
} from "./alloc-writes.js";
export {
  upsertNode,
  updateNodeStatus,
  updateNodeDrain,
  updateNodeEligibility,
  deleteNodes,
  nodeEvents,
  NODE_EVENT_REGISTERED,
  NODE_EVENT_REREGISTERED,
} from "./node-writes.js";
export { computeJobStatus, type JobStatus } from "./job-status.js";
export { emptyGroupSummary } from "./job-summary.js";
