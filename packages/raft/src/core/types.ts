// Shared vocabulary of the Raft library: the types every layer (core, storage,
// transport, runtime, simulator) agrees on. Kept free of behaviour on purpose.

/** A server's stable identity (hashicorp/raft's ServerID). */
export type NodeId = string;

/** Where a server's transport listens, e.g. "127.0.0.1:7001" (hashicorp/raft's ServerAddress). */
export type ServerAddress = string;

/** Voters count towards quorum; nonvoters only receive the log (hashicorp/raft's Suffrage). */
export type Suffrage = "voter" | "nonvoter";

export interface Server {
  readonly id: NodeId;
  readonly address: ServerAddress;
  readonly suffrage: Suffrage;
}

/** A cluster membership: the servers and their suffrage. Changed one server at a time. */
export interface Configuration {
  readonly servers: readonly Server[];
}

/**
 * What a log entry carries:
 * - `command`: an opaque command for the FSM (the caller's `apply`);
 * - `noop`: appended by a new leader to commit entries of earlier terms (5.4.2), and by `barrier()`;
 * - `configuration`: a new membership, msgpack-encoded `Configuration` in `data`, effective once appended.
 */
export type EntryType = "command" | "noop" | "configuration";

export interface LogEntry {
  readonly index: number;
  readonly term: number;
  readonly type: EntryType;
  readonly data: Uint8Array;
}

/** The state that must be durable before any message depending on it leaves the node. */
export interface HardState {
  readonly term: number;
  /** Whom this node voted for in `term`, or "" for nobody. */
  readonly vote: NodeId;
}

/** Describes a snapshot: the last log entry it covers and the membership at that point. */
export interface SnapshotMeta {
  readonly index: number;
  readonly term: number;
  readonly configuration: Configuration;
  /** The index at which `configuration` was appended (0 for the bootstrap configuration). */
  readonly configurationIndex: number;
}

export type Role = "follower" | "precandidate" | "candidate" | "leader";
