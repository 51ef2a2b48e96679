// The public shapes around RaftNode: its start options, call options, events and stats.
import type { RaftEvent } from "../core/api.js";
import type { Configuration, NodeId, Role, ServerAddress } from "../core/types.js";
import type { FSM, LogStore, SnapshotStore, StableStore } from "../storage/types.js";
import type { Transport, TransportStats } from "../transport/types.js";
import type { RaftConfig, RaftConfigInput, RaftConfigProfile } from "./config.js";
import type { CoreFactory } from "./core-factory.js";

export interface RaftNodeOptions<R = unknown> {
  readonly id: NodeId;
  /** Raw input (parsed with `profile`) or an already parsed config. */
  readonly config?: RaftConfigInput | RaftConfig;
  readonly profile?: RaftConfigProfile;
  readonly transport: Transport;
  readonly logStore: LogStore;
  readonly stableStore: StableStore;
  readonly snapshotStore: SnapshotStore;
  readonly fsm: FSM<R>;
  /** Applied only when the stores are empty; ignored on a restart (so the same flags can be reused). */
  readonly bootstrap?: Configuration;
  /**
   * Addresses of servers this node may have to answer before its log names them: a server being
   * added starts empty and must reply to the leader's first append. Configurations override them.
   */
  readonly peers?: readonly { readonly id: NodeId; readonly address: ServerAddress }[];
  /** Replaces the core (tests); defaults to the library's RaftCore. */
  readonly createCore?: CoreFactory;
  /** Randomness for election jitter; defaults to Math.random. */
  readonly random?: () => number;
  /**
   * Monotonic milliseconds; defaults to performance.now. The core gets one tick per elapsed
   * `tickMs` of it (missed ticks are caught up after a stall), and call timeouts follow it.
   */
  readonly clock?: () => number;
}

export interface CallOptions {
  readonly timeoutMs?: number;
}

/** What observers see: the core's events plus the runtime's own. */
export type RaftNodeEvent =
  | RaftEvent
  | { readonly type: "snapshot"; readonly index: number; readonly sizeBytes: number }
  | { readonly type: "snapshotRestored"; readonly index: number }
  | { readonly type: "fatal"; readonly error: Error }
  | { readonly type: "shutdown" };

export interface RaftNodeStats {
  readonly id: NodeId;
  readonly role: Role;
  readonly term: number;
  readonly leader: NodeId | undefined;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly lastLogIndex: number;
  readonly lastSnapshotIndex: number;
  readonly snapshotsTaken: number;
  readonly readyBatches: number;
  readonly entriesPersisted: number;
  readonly messagesSent: number;
  readonly messagesUnroutable: number;
  readonly pendingOps: number;
  readonly transport: TransportStats;
}
