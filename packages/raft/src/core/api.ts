// The contract between the pure core and whoever drives it (the runtime RaftNode, the simulator,
// tests). The driver's duties, in order, for each Ready (etcd/raft's loop):
//   1. persist `hardState` (if set) and `entries` (append, truncating a conflicting suffix);
//      persist and restore `snapshot` (if set) before applying anything after it;
//   2. only then send `messages` (exception, thesis 10.2.1: a leader's `append` messages may be sent
//      while its own entries are still being persisted, because the leader counts its own entries
//      towards commit only once `advance` reports them durable);
//   3. apply `committed` to the FSM in order; answer `readStates` once applied >= their index;
//   4. call `advance(ready)`.
// Further duties (RaftCore):
//   - `step` may be called between `ready()` and `advance()`; Readies must be persisted in order.
//   - when `snapshot` is set, compact the LogStore up to `snapshot.meta.index` (the core keeps only
//     the entries after it that agree with it; on restart it drops a stored suffix that does not
//     chain onto the snapshot, so stale entries cannot resurface);
//   - call `tick()` once per elapsed tick period, catching up missed ticks after a stall (event-loop
//     lag, SIGSTOP): lease reads and the vote lease are measured in ticks.
// The core never reads a clock, random source, timer, socket or disk: time is `tick()`,
// randomness is `CoreConfig.random`, snapshots are read through `CoreConfig.snapshots`.
import type { Message } from "./messages.js";
import type { Configuration, HardState, LogEntry, NodeId, Role, SnapshotMeta } from "./types.js";

export interface CoreConfig {
  readonly id: NodeId;
  /** Ticks between heartbeats a leader sends. */
  readonly heartbeatTicks: number;
  /**
   * A follower that has heard from no leader for a random timeout in
   * [electionTicks, electionTicks + electionJitterTicks) campaigns. A node that heard from a leader
   * less than electionTicks ago rejects (pre-)votes, so a live leader is not deposed.
   */
  readonly electionTicks: number;
  readonly electionJitterTicks: number;
  /**
   * A leader that has not heard from a quorum within leaderLeaseTicks steps down (check quorum);
   * with leaseReads it serves reads without a round while its lease holds. Must be < electionTicks.
   */
  readonly leaderLeaseTicks: number;
  /** A leader tells followers of a new commit index within this many ticks even with nothing to send. */
  readonly commitTicks: number;
  /** Run a pre-vote round before incrementing the term (thesis 9.6). */
  readonly preVote: boolean;
  /** Enables the leaderLeaseTicks step-down rule below. */
  readonly checkQuorum: boolean;
  /** Serve reads from the leader lease instead of a ReadIndex round (needs checkQuorum). */
  readonly leaseReads: boolean;
  readonly maxAppendEntries: number;
  readonly maxInflightAppends: number;
  readonly maxInflightBytes: number;
  readonly snapshotChunkBytes: number;
  /** Largest snapshot a follower buffers while receiving it. */
  readonly maxSnapshotBytes: number;
  /** Uniform random in [0, 1) from a seeded PRNG. */
  readonly random: () => number;
  /** Synchronous access to the newest local snapshot, used by a leader to stream it. */
  readonly snapshots: SnapshotSource;
}

export interface SnapshotSource {
  latest(): SnapshotMeta | undefined;
  /**
   * Bytes [offset, offset + maxBytes) of the snapshot `meta` describes. A transfer may outlive a
   * newer snapshot: this must still serve the one asked for (keep it until its transfer ends).
   */
  read(meta: SnapshotMeta, offset: number, maxBytes: number): { data: Uint8Array; totalBytes: number };
}

export interface CoreRestore {
  readonly hardState: HardState;
  readonly snapshot: SnapshotMeta | undefined;
  /** The log after the snapshot (or from index 1), as recovered from the LogStore. */
  readonly entries: readonly LogEntry[];
}

/** A linearizable read confirmed by the leader: serve it once applied >= index. */
export interface ReadState {
  readonly requestId: number;
  readonly index: number;
}

export type RaftEvent =
  | { readonly type: "leaderChange"; readonly leader: NodeId | undefined; readonly term: number }
  | { readonly type: "roleChange"; readonly role: Role; readonly term: number }
  | { readonly type: "peerUnreachable"; readonly peer: NodeId }
  | { readonly type: "configurationChange"; readonly configuration: Configuration; readonly index: number }
  | { readonly type: "readFailed"; readonly requestId: number; readonly code: "NOT_LEADER" | "NO_LEADER" }
  | { readonly type: "transferFailed"; readonly target: NodeId };

export interface Ready {
  readonly hardState: HardState | undefined;
  readonly entries: readonly LogEntry[];
  /** A snapshot received from the leader: persist it and restore the FSM from it. */
  readonly snapshot: { readonly meta: SnapshotMeta; readonly data: Uint8Array } | undefined;
  readonly committed: readonly LogEntry[];
  readonly messages: readonly Message[];
  readonly readStates: readonly ReadState[];
  readonly events: readonly RaftEvent[];
}

export type ProposeResult =
  | { readonly ok: true; readonly index: number; readonly term: number }
  | { readonly ok: false; readonly code: "NOT_LEADER" | "NO_LEADER" | "BUSY"; readonly leader?: NodeId };

export type MembershipChange =
  | { readonly type: "addVoter"; readonly id: NodeId; readonly address: string }
  | { readonly type: "addNonvoter"; readonly id: NodeId; readonly address: string }
  | { readonly type: "removeServer"; readonly id: NodeId };

export interface PeerProgress {
  readonly matchIndex: number;
  readonly nextIndex: number;
  readonly inflight: number;
  readonly recentActive: boolean;
}

export interface CoreStatus {
  readonly id: NodeId;
  readonly role: Role;
  readonly term: number;
  readonly vote: NodeId;
  readonly leader: NodeId | undefined;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
  readonly snapshotIndex: number;
  readonly configuration: Configuration;
  readonly progress: ReadonlyMap<NodeId, PeerProgress> | undefined;
}

/** The pure, synchronous Raft state machine (etcd/raft's RawNode). */
export interface RaftCoreApi {
  /** Bootstrap an empty node with its first configuration (hashicorp/raft's BootstrapCluster). */
  bootstrap(configuration: Configuration): void;
  tick(): void;
  step(message: Message): void;
  propose(data: Uint8Array): ProposeResult;
  /** Appends a noop; committed once every earlier entry is (hashicorp/raft's Barrier). */
  proposeBarrier(): ProposeResult;
  proposeMembership(change: MembershipChange): ProposeResult;
  /** Start a ReadIndex round (or answer from the lease); the answer comes as a ReadState or a readFailed event. */
  readIndex(requestId: number): void;
  /**
   * Hand leadership to `target` (proposals get BUSY until it ends). A target that is not a voter
   * returns ok and a `transferFailed` event follows; so does a transfer not done within electionTicks.
   */
  transferLeadership(target: NodeId): ProposeResult;
  /**
   * Start a real election now, skipping pre-vote and marked `transfer` so peers' vote leases do not
   * block it (tests, operators, a bootstrapped single server). Nonvoters ignore it.
   */
  campaign(): void;
  hasReady(): boolean;
  ready(): Ready;
  advance(ready: Ready): void;
  /**
   * The driver wrote a local snapshot at `meta.index` (<= applied); entries before
   * `meta.index - trailingLogs` leave memory. A follower that needs them later gets the snapshot.
   */
  compact(meta: SnapshotMeta, trailingLogs: number): void;
  status(): CoreStatus;
}
