// Public API of @nomad/raft. Internals (the core's helpers, codecs) are not exported.
export type * from "./core/types.js";
export type * from "./core/messages.js";
export type * from "./core/api.js";
export type * from "./storage/types.js";
export type * from "./transport/types.js";
export { RaftCore } from "./core/raft-core.js";
export { RaftNode } from "./runtime/raft-node.js";
export type { RaftNodeOptions, CallOptions, RaftNodeEvent, RaftNodeStats } from "./runtime/raft-node.js";
export type { CoreFactory } from "./runtime/core-factory.js";
export {
  raftConfigSchema,
  raftConfigProfiles,
  parseRaftConfig,
  coreTiming,
  RaftConfigError,
  type RaftConfig,
  type RaftConfigInput,
  type RaftConfigProfile,
} from "./runtime/config.js";
export { RaftError, isRaftError, raftErrorCodes, type RaftErrorCode } from "./runtime/errors.js";
export {
  WsTransport,
  type WsTransportListenOptions,
  type WsTransportAttachOptions,
} from "./transport/ws-transport.js";
export {
  wsTransportConfigSchema,
  type WsTransportConfig,
  type WsTransportOptions,
} from "./transport/ws-transport-config.js";
export type { WsTransportStats, WsTransportEvent } from "./transport/ws-stats.js";
export { PROTOCOL_VERSION } from "./transport/codec.js";
export { StorageError, isStorageError, type StorageErrorCode } from "./storage/errors.js";
export { FileLogStore, type FileLogStoreOptions, type FileLogStoreStats } from "./storage/file-log-store.js";
export { FileStableStore } from "./storage/file-stable-store.js";
export {
  FileSnapshotStore,
  type FileSnapshotStoreOptions,
  type SkippedSnapshot,
} from "./storage/file-snapshot-store.js";
export { recoverState, type RecoverOptions } from "./storage/recover-state.js";
