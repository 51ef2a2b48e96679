// @nomad/client: the node half of a Nomad agent.
export { NomadClient, type NomadClientDeps } from "./client.js";
export {
  clientConfigSchema,
  parseClientConfig,
  normalizeServerAddress,
  ClientConfigError,
  DEFAULT_RPC_PORT,
  type ClientConfig,
  type ClientConfigInput,
} from "./config.js";
export { silentLogger, type Logger, type LogFields } from "./logger.js";
export type { ClientClock } from "./node/clock.js";
export { buildNode, fingerprintConfigOf, type NodeIdentity } from "./node/build-node.js";
export { loadOrCreateSecretID, SECRET_ID_FILE } from "./node/identity.js";
export type {
  AllocStateStore,
  ClientStateStore,
  CorruptEntry,
  PersistedTaskHandle,
  PersistedTaskState,
  RestoredAlloc,
} from "./state/alloc-state-store.js";
export { FileStateStore } from "./state/file-state-store.js";
export { MemoryStateStore } from "./state/memory-state-store.js";
export { CorruptRecordError } from "./state/record.js";
export { StateDirLockedError } from "./state/dir-lock.js";
export {
  streamLogs,
  FILE_DELETED,
  FILE_TRUNCATED,
  type LogFrame,
  type LogDataFrame,
  type LogEventFrame,
  type StreamLogsRequest,
  type StreamLogsOptions,
} from "./fs/stream-logs.js";
export type { AllocRunnerFactory, AllocRunnerFactoryDeps, ClientAllocRunner } from "./servers/runner-seam.js";
export { createAllocRunnerFactory, createClientDrivers } from "./servers/default-runners.js";
export { ServerLink, type ServerListRpc } from "./servers/server-link.js";
export { AllocWatcher, type AllocDiff } from "./servers/alloc-watcher.js";
export { AllocUpdater } from "./servers/alloc-updater.js";

// The task-running half (client-runners): drivers, alloc dir, logs, task and alloc runners.
export * from "./index-runners.js";
// [gc wiring] Client-side alloc GC.
export {
  ClientGc,
  allocGcEligible,
  statfsDiskUsage,
  type ClientGcHost,
  type ClientGcOptions,
  type ClientGcRound,
  type ClientGcSettings,
  type DiskUsage,
  type DiskUsageProbe,
  type GcAllocEntry,
} from "./gc/index.js";
