export { AllocRunner, type AllocRunnerDeps, type AllocRunnerUpdate } from "./alloc-runner.js";
export { MemoryAllocStateStore, type AllocStateStore, type PersistedTaskState } from "./state-store.js";
export { lifecycleRole, type LifecycleRole } from "./lifecycle.js";
export { clientStatusOf, DESC_COMPLETE, DESC_FAILED, DESC_PENDING, DESC_RUNNING } from "./client-status.js";
