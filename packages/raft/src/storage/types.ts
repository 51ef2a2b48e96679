// The storage seams (hashicorp/raft style): one interface each, every one with an
// in-memory twin in @nomad/raft/testing and a durable implementation beside it.
import type { Configuration, HardState, LogEntry, SnapshotMeta } from "../core/types.js";

/**
 * The durable Raft log. Contract:
 * - `append` resolves only when the entries are on disk (fsync); one fsync may cover many calls
 *   made while a previous sync was in flight (group commit).
 * - Entries passed to `append` are contiguous. If the first one's index is <= `lastIndex()`, the
 *   store first drops every entry from that index on (a follower overwriting a conflicting suffix).
 *   Entries below `firstIndex()` are ignored (they are compacted, hence committed and equal).
 * - An empty log has `firstIndex() === lastIndex() + 1` (1 and 0 when new).
 * - `compact(index)` drops every entry with an index <= `index` (after a snapshot); it need not be synced.
 *   With `index >= lastIndex()` the log becomes empty and the next append starts at `index + 1`.
 * - Reads are synchronous: they are used at start-up and to serve entries the core no longer holds.
 */
export interface LogStore {
  firstIndex(): number;
  lastIndex(): number;
  /** Entries with `lo <= index <= hi`, in order; missing entries are an error. */
  entries(lo: number, hi: number): LogEntry[];
  append(entries: readonly LogEntry[]): Promise<void>;
  compact(index: number): Promise<void>;
  close(): Promise<void>;
}

/** Term and vote. `save` resolves when durable; a vote is never sent before that. */
export interface StableStore {
  load(): HardState;
  save(state: HardState): Promise<void>;
  close(): Promise<void>;
}

/** Writes one snapshot; nothing is visible to `list`/`open` until `close` resolves (durable). */
export interface SnapshotSink {
  write(chunk: Uint8Array): void;
  close(): Promise<void>;
  cancel(): Promise<void>;
}

export interface StoredSnapshot {
  readonly meta: SnapshotMeta;
  readonly id: string;
  readonly sizeBytes: number;
}

/** Keeps the newest `retain` snapshots; each is checksummed and verified when opened. */
export interface SnapshotStore {
  create(meta: SnapshotMeta): SnapshotSink;
  /** Newest first. */
  list(): StoredSnapshot[];
  /** The whole snapshot's bytes, verified against its checksum (throws on corruption). */
  open(id: string): Promise<{ meta: SnapshotMeta; data: Uint8Array }>;
  close(): Promise<void>;
}

/** A point-in-time copy of the FSM, written out after `snapshot()` returns, off the apply path. */
export interface FSMSnapshot {
  persist(sink: SnapshotSink): Promise<void>;
  release?(): void;
}

/**
 * The replicated state machine. `apply` runs on every node in log order for `command` entries;
 * its return value is handed to the caller of `RaftNode.apply` on the leader.
 */
export interface FSM<Result = unknown> {
  apply(entry: LogEntry): Result;
  /** Must capture the state synchronously; `persist` may then run later. */
  snapshot(): FSMSnapshot;
  restore(data: Uint8Array): void;
}

/** What a node restores from its stores at start-up. */
export interface RecoveredState {
  readonly hardState: HardState;
  readonly snapshot: SnapshotMeta | undefined;
  readonly entries: readonly LogEntry[];
  readonly configuration: Configuration | undefined;
}
