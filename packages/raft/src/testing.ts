// @nomad/raft/testing: in-memory twins of every seam and the seeded simulator.
export * from "./testing/index.js";
export {
  MemoryLogStore,
  type MemoryLogStoreOptions,
  type LogStoreStats,
} from "./storage/memory-log-store.js";
export { MemoryStableStore, type MemoryStableStoreOptions } from "./storage/memory-stable-store.js";
export { MemorySnapshotStore, type MemorySnapshotStoreOptions } from "./storage/memory-snapshot-store.js";
export { KvFsm } from "./storage/kv-fsm.js";
export { encodeKvCommand, decodeKvCommand, type KvCommand, type KvResult } from "./storage/kv-command.js";
export { MemoryNetwork, MemoryTransport, type MemoryNetworkOptions } from "./transport/memory-transport.js";
