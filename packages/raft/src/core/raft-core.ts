// RaftCore: the public face of the core (etcd/raft's RawNode). It routes messages by term and
// type to the rule that handles them and runs the Ready loop; the rules live beside it.
import type {
  CoreConfig,
  CoreRestore,
  CoreStatus,
  MembershipChange,
  PeerProgress,
  ProposeResult,
  RaftCoreApi,
  Ready,
} from "./api.js";
import { encodeConfiguration, validateConfiguration } from "./configuration.js";
import { CoreState } from "./core-state.js";
import { campaign, handleVoteRequest, handleVoteResponse, tickElection } from "./election.js";
import { proposeEntry, proposeMembership, tickLeader, transferLeadership } from "./leader.js";
import type { Message } from "./messages.js";
import { readIndex } from "./read-index-flow.js";
import {
  broadcastAppend,
  broadcastHeartbeat,
  handleAppend,
  handleAppendResponse,
  maybeCommit,
} from "./replication.js";
import { handleInstallSnapshot, handleInstallSnapshotResponse } from "./snapshot-transfer.js";
import type { Configuration, LogEntry, NodeId, SnapshotMeta } from "./types.js";

/** Committed entries handed out per Ready, so a node catching up applies in bounded batches. */
const MAX_COMMITTED_PER_READY = 8192;

const EMPTY_READY: Ready = Object.freeze({
  hardState: undefined,
  entries: [],
  snapshot: undefined,
  committed: [],
  messages: [],
  readStates: [],
  events: [],
});

const NO_DATA = new Uint8Array(0);

export class RaftCore implements RaftCoreApi {
  private readonly s: CoreState;

  constructor(config: CoreConfig, restore: CoreRestore) {
    this.s = new CoreState(config, restore.hardState, restore.snapshot, restore.entries);
  }

  bootstrap(configuration: Configuration): void {
    const s = this.s;
    if (s.term !== 0 || s.log.lastIndex() !== 0 || s.log.snapshotIndex !== 0) {
      throw new Error("raft: bootstrap needs an empty node (it has a term, entries or a snapshot)");
    }
    validateConfiguration(configuration);
    // Index 1, term 1 and a canonical encoding: every node bootstrapped with the same servers
    // writes the same entry, so their logs agree before any leader exists.
    s.term = 1;
    s.vote = "";
    const entry: LogEntry = {
      index: 1,
      term: 1,
      type: "configuration",
      data: encodeConfiguration(configuration),
    };
    s.log.append(entry);
    s.membership.appended(entry);
    s.log.committed = 1;
    s.membership.committedTo(1);
  }

  tick(): void {
    const s = this.s;
    s.now++;
    if (s.role === "leader") tickLeader(s);
    else tickElection(s);
  }

  step(m: Message): void {
    const s = this.s;
    if (m.to !== s.id || m.from === s.id) return;
    if (m.term > s.term) {
      if (m.type === "vote") {
        // The vote lease: while a leader is heard from, a (pre-)vote cannot depose it, unless the
        // leader itself asked for the election (transfer). The request is ignored, term and all.
        if (s.inLease() && !m.transfer) return;
        if (!m.preVote) s.becomeFollower(m.term, undefined);
      } else if (m.type === "voteResponse" && m.preVote && m.granted) {
        // A granted pre-vote is answered in the prospective term: no step up.
      } else {
        const fromLeader = m.type === "append" || m.type === "installSnapshot";
        s.becomeFollower(m.term, fromLeader ? m.from : undefined);
      }
    } else if (m.term < s.term) {
      this.answerStale(m);
      return;
    }
    switch (m.type) {
      case "vote":
        handleVoteRequest(s, m);
        return;
      case "voteResponse":
        handleVoteResponse(s, m);
        return;
      case "append":
      case "installSnapshot":
        if (s.role === "leader") return; // two leaders in one term cannot happen (5.2); ignore
        this.acceptLeader(m.from);
        if (m.type === "append") handleAppend(s, m);
        else handleInstallSnapshot(s, m);
        return;
      case "appendResponse":
        if (s.role === "leader") handleAppendResponse(s, m);
        return;
      case "installSnapshotResponse":
        if (s.role === "leader") handleInstallSnapshotResponse(s, m);
        return;
      case "timeoutNow":
        if (s.role === "follower") campaign(s, true);
        return;
    }
  }

  /** A message from an older term: tell a stale leader or pre-candidate our term; drop the rest. */
  private answerStale(m: Message): void {
    const s = this.s;
    if (m.type === "append" || m.type === "installSnapshot") {
      s.send({
        type: "appendResponse",
        from: s.id,
        to: m.from,
        term: s.term,
        success: false,
        matchIndex: 0,
        rejectHintIndex: 0,
        rejectHintTerm: 0,
        readRound: 0,
      });
    } else if (m.type === "vote" && m.preVote) {
      s.send({ type: "voteResponse", from: s.id, to: m.from, term: s.term, granted: false, preVote: true });
    }
  }

  private acceptLeader(leader: NodeId): void {
    const s = this.s;
    if (s.role !== "follower") s.becomeFollower(s.term, leader);
    s.leader = leader;
    s.electionElapsed = 0;
    s.ticksSinceLeader = 0;
    s.notifyLeader();
  }

  propose(data: Uint8Array): ProposeResult {
    return proposeEntry(this.s, "command", data);
  }

  proposeBarrier(): ProposeResult {
    return proposeEntry(this.s, "noop", NO_DATA);
  }

  proposeMembership(change: MembershipChange): ProposeResult {
    return proposeMembership(this.s, change);
  }

  readIndex(requestId: number): void {
    readIndex(this.s, requestId);
  }

  transferLeadership(target: NodeId): ProposeResult {
    return transferLeadership(this.s, target);
  }

  /**
   * Starts a real election at once, skipping pre-vote and marked like a transfer so that peers'
   * vote leases do not block it (tests, operators, a freshly bootstrapped single server).
   */
  campaign(): void {
    campaign(this.s, true);
  }

  hasReady(): boolean {
    return this.s.hasReady();
  }

  ready(): Ready {
    const s = this.s;
    if (s.broadcastPending) broadcastAppend(s);
    if (s.reads.roundUnsent) broadcastHeartbeat(s);
    if (!s.hasReady()) return EMPTY_READY;
    return s.takeReady(MAX_COMMITTED_PER_READY);
  }

  advance(ready: Ready): void {
    const s = this.s;
    const lastEntry = ready.entries[ready.entries.length - 1];
    if (lastEntry !== undefined) {
      s.log.stableTo(lastEntry.index, lastEntry.term);
      // The leader's own durable entries count towards commit only now.
      if (s.role === "leader") maybeCommit(s);
    }
    const lastApplied = ready.committed[ready.committed.length - 1];
    if (lastApplied !== undefined && lastApplied.index > s.log.applied) s.log.applied = lastApplied.index;
    if (ready.snapshot !== undefined && ready.snapshot.meta.index > s.log.applied) {
      s.log.applied = ready.snapshot.meta.index;
    }
  }

  compact(meta: SnapshotMeta, trailingLogs: number): void {
    const s = this.s;
    s.log.setSnapshot(meta);
    s.log.compactTo(meta.index - Math.max(0, trailingLogs) - 1);
  }

  status(): CoreStatus {
    const s = this.s;
    let progress: Map<NodeId, PeerProgress> | undefined;
    if (s.role === "leader") {
      progress = new Map();
      for (const [id, pr] of s.progress) {
        progress.set(id, {
          matchIndex: pr.match,
          nextIndex: pr.next,
          inflight: pr.inflights.count,
          recentActive: pr.recentActive,
        });
      }
    }
    return {
      id: s.id,
      role: s.role,
      term: s.term,
      vote: s.vote,
      leader: s.leader,
      commitIndex: s.log.committed,
      appliedIndex: s.log.applied,
      lastLogIndex: s.log.lastIndex(),
      lastLogTerm: s.log.lastTerm(),
      snapshotIndex: s.log.snapshotIndex,
      configuration: s.membership.latest,
      progress,
    };
  }
}
