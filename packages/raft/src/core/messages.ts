// Messages between Raft peers. Every message carries the sender's term (5.1); a message with a
// higher term makes the receiver a follower of that term (except pre-votes, which change nothing).
import type { LogEntry, NodeId, SnapshotMeta } from "./types.js";

interface Envelope {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
}

/** RequestVote (5.2), or a pre-vote when `preVote` (the term is then the one the sender would campaign in). */
export interface VoteRequest extends Envelope {
  readonly type: "vote";
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
  readonly preVote: boolean;
  /** Set during leadership transfer so receivers ignore their leader lease. */
  readonly transfer: boolean;
}

export interface VoteResponse extends Envelope {
  readonly type: "voteResponse";
  readonly granted: boolean;
  readonly preVote: boolean;
}

/** AppendEntries (5.3); a heartbeat is one with no entries. */
export interface AppendRequest extends Envelope {
  readonly type: "append";
  readonly prevLogIndex: number;
  readonly prevLogTerm: number;
  readonly entries: readonly LogEntry[];
  readonly leaderCommit: number;
  /**
   * The leader's newest round (a counter bumped per ReadIndex batch and per heartbeat broadcast);
   * echoed in the response, it confirms leadership for reads and renews the leader lease. 0 = none.
   * A heartbeat is an append with no entries whose prevLogIndex is the peer's known match.
   */
  readonly readRound: number;
}

export interface AppendResponse extends Envelope {
  readonly type: "appendResponse";
  readonly success: boolean;
  /**
   * On success: the index of the last entry now known to match. On rejection: the `prevLogIndex`
   * that was rejected (so the leader can tell a stale rejection from a current one).
   */
  readonly matchIndex: number;
  /** On rejection: where the leader should retry (fast backtracking), and the conflicting term if any. */
  readonly rejectHintIndex: number;
  readonly rejectHintTerm: number;
  readonly readRound: number;
}

/** One chunk of a snapshot (7, chunked as in the paper's Figure 13). */
export interface InstallSnapshotRequest extends Envelope {
  readonly type: "installSnapshot";
  readonly meta: SnapshotMeta;
  readonly offset: number;
  readonly data: Uint8Array;
  readonly done: boolean;
  readonly totalBytes: number;
}

export interface InstallSnapshotResponse extends Envelope {
  readonly type: "installSnapshotResponse";
  readonly snapshotIndex: number;
  /** Bytes received so far (the next offset expected); `success=false` asks to restart from 0. */
  readonly nextOffset: number;
  readonly success: boolean;
  readonly done: boolean;
}

/** Leadership transfer (3.10 of the thesis): the target campaigns at once, ignoring its timer. */
export interface TimeoutNow extends Envelope {
  readonly type: "timeoutNow";
}

export type Message =
  | VoteRequest
  | VoteResponse
  | AppendRequest
  | AppendResponse
  | InstallSnapshotRequest
  | InstallSnapshotResponse
  | TimeoutNow;

export type MessageType = Message["type"];
