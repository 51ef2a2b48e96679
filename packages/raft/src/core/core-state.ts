// The state every part of the core shares, and the transitions between roles. The algorithms
// (election.ts, replication.ts, leader.ts, read-index-flow.ts, snapshot-transfer.ts) are functions
// over this state, so that each stays a small file about one rule of the protocol.
import type { CoreConfig, RaftEvent, ReadState, Ready } from "./api.js";
import { Membership } from "./membership.js";
import type { Message } from "./messages.js";
import { Progress } from "./progress.js";
import { RaftLog } from "./raft-log.js";
import { ReadIndexQueue } from "./read-index.js";
import { SnapshotReceiver } from "./snapshot-receiver.js";
import type { HardState, LogEntry, NodeId, Role, SnapshotMeta } from "./types.js";

export class CoreState {
  readonly id: NodeId;
  readonly log: RaftLog;
  readonly membership: Membership;
  term = 0;
  vote: NodeId = "";
  role: Role = "follower";
  leader: NodeId | undefined = undefined;
  /** Leader only: one Progress per other server of the latest configuration. */
  readonly progress = new Map<NodeId, Progress>();

  /** Ticks since start; peers' last-heard times are measured on it. */
  now = 0;
  /** Follower/candidate: ticks since the election timer was reset. Leader: ticks in the current transfer. */
  electionElapsed = 0;
  randomizedElectionTimeout: number;
  /** Ticks since a message from the current leader (the vote lease: reject votes while < electionTicks). */
  ticksSinceLeader: number;
  /** Set at a restart with state: the lease holds for electionTicks though the leader is unknown. */
  restartLease: boolean;
  heartbeatElapsed = 0;
  commitElapsed = 0;
  /** Candidate/precandidate: answers received in this election. */
  readonly votes = new Map<NodeId, boolean>();
  transferTarget: NodeId | undefined = undefined;
  /**
   * Set once this leader sent timeoutNow in its term: the target's election bypasses the vote
   * lease, so from then on this leader's lease proves nothing and reads take a ReadIndex round.
   */
  leaseForfeited = false;
  readonly reads = new ReadIndexQueue();
  readonly receiver = new SnapshotReceiver();
  /** Set by propose: appends are sent in bulk by the next ready(), so proposals batch. */
  broadcastPending = false;

  messages: Message[] = [];
  events: RaftEvent[] = [];
  readStates: ReadState[] = [];
  installed: { meta: SnapshotMeta; data: Uint8Array } | undefined = undefined;
  handedHardState: HardState;
  private lastLeaderEvent: { leader: NodeId | undefined; term: number };
  /** Reused for quorum computations so acknowledgements allocate nothing. */
  readonly scratch: number[] = [];

  constructor(
    readonly config: CoreConfig,
    hardState: HardState,
    snapshot: SnapshotMeta | undefined,
    entries: readonly LogEntry[],
  ) {
    validateCoreConfig(config);
    this.id = config.id;
    this.term = hardState.term;
    this.vote = hardState.vote;
    this.handedHardState = hardState;
    this.log = new RaftLog(snapshot, entries);
    this.membership = new Membership((configuration, index) =>
      this.events.push({ type: "configurationChange", configuration, index }),
    );
    this.membership.restore(snapshot, entries);
    this.randomizedElectionTimeout = this.randomTimeout();
    // A restarted node may have followed a leader just before crashing: it honours the vote lease
    // for one election timeout, so a restart cannot help depose a leader that serves lease reads.
    // A brand-new node (term 0) heard from no one and grants votes at once.
    this.ticksSinceLeader = hardState.term > 0 ? 0 : config.electionTicks;
    this.restartLease = hardState.term > 0;
    this.lastLeaderEvent = { leader: undefined, term: this.term };
  }

  randomTimeout(): number {
    const { electionTicks, electionJitterTicks } = this.config;
    return electionTicks + Math.floor(this.config.random() * electionJitterTicks);
  }

  send(message: Message): void {
    this.messages.push(message);
  }

  emit(event: RaftEvent): void {
    this.events.push(event);
  }

  isLeader(): boolean {
    return this.role === "leader";
  }

  /** The vote lease (thesis 4.2.3): a node that hears from a live leader does not help depose it. */
  inLease(): boolean {
    if (this.role === "leader") return true;
    return (
      (this.leader !== undefined || this.restartLease) && this.ticksSinceLeader < this.config.electionTicks
    );
  }

  hardStateChanged(): boolean {
    return this.term !== this.handedHardState.term || this.vote !== this.handedHardState.vote;
  }

  notifyLeader(): void {
    const last = this.lastLeaderEvent;
    if (last.leader === this.leader && (this.leader === undefined || last.term === this.term)) return;
    this.lastLeaderEvent = { leader: this.leader, term: this.term };
    this.events.push({ type: "leaderChange", leader: this.leader, term: this.term });
  }

  setRole(role: Role): void {
    if (role === this.role) return;
    this.role = role;
    this.events.push({ type: "roleChange", role, term: this.term });
  }

  /** Becomes a follower of `term` (5.1), optionally knowing its leader. */
  becomeFollower(term: number, leader: NodeId | undefined): void {
    const wasLeader = this.role === "leader";
    if (term > this.term) {
      this.term = term;
      this.vote = "";
    }
    this.setRole("follower");
    this.leader = leader;
    this.electionElapsed = 0;
    this.randomizedElectionTimeout = this.randomTimeout();
    if (leader !== undefined) this.ticksSinceLeader = 0;
    this.votes.clear();
    if (wasLeader) this.leaveLeadership();
    this.notifyLeader();
  }

  /** Leadership ended: reads fail, transfers end, progress is forgotten. */
  private leaveLeadership(): void {
    this.progress.clear();
    this.transferTarget = undefined;
    this.broadcastPending = false;
    for (const requestId of this.reads.drain()) this.failRead(requestId);
  }

  failRead(requestId: number): void {
    const code = this.leader !== undefined && this.leader !== this.id ? "NOT_LEADER" : "NO_LEADER";
    this.events.push({ type: "readFailed", requestId, code });
  }

  /**
   * Creates or drops Progress entries so they match the latest configuration (leader only). New
   * peers are probed from `next` (the entry that added them, so the first probe carries it).
   */
  syncProgress(next = this.log.lastIndex() + 1): void {
    if (this.role !== "leader") return;
    const servers = this.membership.latest.servers;
    for (const s of servers) {
      if (s.id === this.id || this.progress.has(s.id)) continue;
      const pr = new Progress(next, this.now, this.config.maxInflightAppends, this.config.maxInflightBytes);
      this.progress.set(s.id, pr);
    }
    for (const id of this.progress.keys()) {
      if (!servers.some((s) => s.id === id)) this.progress.delete(id);
    }
    if (this.transferTarget !== undefined && !this.progress.has(this.transferTarget)) {
      this.emit({ type: "transferFailed", target: this.transferTarget });
      this.transferTarget = undefined;
    }
  }

  /** Appends an entry this node created (leader or bootstrap). */
  appendLocal(type: LogEntry["type"], data: Uint8Array): LogEntry {
    const entry: LogEntry = { index: this.log.lastIndex() + 1, term: this.term, type, data };
    this.log.append(entry);
    if (type === "configuration") {
      this.membership.appended(entry);
      this.syncProgress(entry.index);
    }
    return entry;
  }

  hasReady(): boolean {
    return (
      this.messages.length > 0 ||
      this.events.length > 0 ||
      this.readStates.length > 0 ||
      this.installed !== undefined ||
      this.broadcastPending ||
      this.reads.roundUnsent ||
      this.log.handedOut < this.log.lastIndex() ||
      this.log.applyHandedOut < Math.min(this.log.committed, this.log.lastIndex()) ||
      this.hardStateChanged()
    );
  }

  /** Collects the Ready (the caller flushed pending broadcasts first). */
  takeReady(maxCommitted: number): Ready {
    const log = this.log;
    let hardState: HardState | undefined;
    if (this.hardStateChanged()) {
      hardState = { term: this.term, vote: this.vote };
      this.handedHardState = hardState;
    }
    const last = log.lastIndex();
    const entries = log.handedOut < last ? log.slice(log.handedOut + 1, last) : EMPTY;
    log.handedOut = last;
    const commitTo = Math.min(log.committed, last, log.applyHandedOut + maxCommitted);
    const committed = log.applyHandedOut < commitTo ? log.slice(log.applyHandedOut + 1, commitTo) : EMPTY;
    log.applyHandedOut = Math.max(log.applyHandedOut, commitTo);
    const ready: Ready = {
      hardState,
      entries,
      snapshot: this.installed,
      committed,
      messages: this.messages.length > 0 ? this.messages : EMPTY,
      readStates: this.readStates.length > 0 ? this.readStates : EMPTY,
      events: this.events.length > 0 ? this.events : EMPTY,
    };
    this.installed = undefined;
    if (this.messages.length > 0) this.messages = [];
    if (this.readStates.length > 0) this.readStates = [];
    if (this.events.length > 0) this.events = [];
    return ready;
  }
}

const EMPTY: readonly never[] = Object.freeze([]);

function validateCoreConfig(c: CoreConfig): void {
  const positive: (keyof CoreConfig)[] = [
    "heartbeatTicks",
    "electionTicks",
    "leaderLeaseTicks",
    "commitTicks",
    "maxAppendEntries",
    "maxInflightAppends",
    "maxInflightBytes",
    "snapshotChunkBytes",
    "maxSnapshotBytes",
  ];
  for (const key of positive) {
    const v = c[key];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
      throw new Error(`raft: CoreConfig.${key} must be a positive integer, got ${String(v)}`);
    }
  }
  if (!Number.isInteger(c.electionJitterTicks) || c.electionJitterTicks < 0) {
    throw new Error("raft: CoreConfig.electionJitterTicks must be a non-negative integer");
  }
  if (c.heartbeatTicks >= c.electionTicks)
    throw new Error("raft: CoreConfig.heartbeatTicks must be < electionTicks");
  if (c.leaderLeaseTicks > c.electionTicks) {
    throw new Error("raft: CoreConfig.leaderLeaseTicks must be <= electionTicks");
  }
  if (c.id === "") throw new Error("raft: CoreConfig.id must not be empty");
}
