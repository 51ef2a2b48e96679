// The leader's duties besides replication: taking office (a noop of its term, 5.4.2), its clock
// (heartbeats, commit notices, check quorum, unreachable peers, transfer timeout), proposals,
// membership changes one server at a time (thesis 4.1), and leadership transfer (thesis 3.10).
import type { MembershipChange, ProposeResult } from "./api.js";
import { applyChange, encodeConfiguration } from "./configuration.js";
import type { CoreState } from "./core-state.js";
import type { LogEntry, NodeId } from "./types.js";
import { broadcastHeartbeat, fillPipeline, sendHeartbeat } from "./replication.js";
import { sendChunk } from "./snapshot-transfer.js";
import { serveWaitingReads } from "./read-index-flow.js";

const EMPTY_DATA = new Uint8Array(0);

export function becomeLeader(s: CoreState): void {
  s.setRole("leader");
  s.leader = s.id;
  s.votes.clear();
  s.heartbeatElapsed = 0;
  s.commitElapsed = 0;
  s.electionElapsed = 0;
  s.ticksSinceLeader = 0;
  s.leaseForfeited = false;
  s.progress.clear();
  s.syncProgress();
  s.notifyLeader();
  // Entries of earlier terms commit only through an entry of this term (5.4.2); the noop is it.
  s.appendLocal("noop", EMPTY_DATA);
  // The noop's appends carry a fresh round, so their acknowledgements also start the lease.
  s.reads.openRound(s.now);
  s.broadcastPending = true;
}

export function tickLeader(s: CoreState): void {
  s.heartbeatElapsed++;
  if (s.heartbeatElapsed >= s.config.heartbeatTicks) {
    s.heartbeatElapsed = 0;
    s.commitElapsed = 0;
    broadcastHeartbeat(s);
    for (const [to, pr] of s.progress) {
      if (pr.state === "snapshot" && pr.snapshot !== undefined && !pr.snapshot.acked) sendChunk(s, to, pr);
    }
  }
  s.commitElapsed++;
  if (s.commitElapsed >= s.config.commitTicks) {
    s.commitElapsed = 0;
    // Idle followers learn the commit index within commitTicks even when no entry is flowing.
    for (const [to, pr] of s.progress) {
      if (pr.state !== "snapshot" && pr.sentCommit < Math.min(s.log.committed, pr.match))
        sendHeartbeat(s, to, pr);
    }
  }
  for (const [peer, pr] of s.progress) {
    if (!pr.unreachableReported && s.now - pr.lastHeardTick >= s.config.electionTicks) {
      pr.unreachableReported = true;
      pr.recentActive = false;
      s.emit({ type: "peerUnreachable", peer });
    }
  }
  if (s.config.checkQuorum && !quorumActive(s, s.config.leaderLeaseTicks)) {
    s.becomeFollower(s.term, undefined);
    return;
  }
  if (s.transferTarget !== undefined) {
    s.electionElapsed++;
    if (s.electionElapsed >= s.config.electionTicks) {
      s.emit({ type: "transferFailed", target: s.transferTarget });
      s.transferTarget = undefined;
    }
  }
}

/** True when a quorum of voters (this leader included) was heard from within `withinTicks`. */
export function quorumActive(s: CoreState, withinTicks: number): boolean {
  let active = 0;
  for (const id of s.membership.voters) {
    if (id === s.id) active++;
    else {
      const pr = s.progress.get(id);
      if (pr !== undefined && s.now - pr.lastHeardTick < withinTicks) active++;
    }
  }
  return active >= Math.floor(s.membership.voters.length / 2) + 1;
}

/** Called whenever the leader's commit index advanced. */
export function onLeaderCommitted(s: CoreState): void {
  s.membership.committedTo(s.log.committed);
  if (s.reads.waitingForCommit.length > 0 && s.log.term(s.log.committed) === s.term) serveWaitingReads(s);
  if (
    !s.membership.latest.servers.some((x) => x.id === s.id) &&
    s.membership.committedIndex === s.membership.latestIndex
  ) {
    // Removed itself: it led until the change committed (thesis 4.2.2), now it steps aside.
    s.becomeFollower(s.term, undefined);
  }
}

export function notLeader(s: CoreState): ProposeResult {
  if (s.leader !== undefined && s.leader !== s.id) return { ok: false, code: "NOT_LEADER", leader: s.leader };
  return { ok: false, code: "NO_LEADER" };
}

export function proposeEntry(s: CoreState, type: LogEntry["type"], data: Uint8Array): ProposeResult {
  if (s.role !== "leader") return notLeader(s);
  if (s.transferTarget !== undefined) return { ok: false, code: "BUSY" };
  const entry = s.appendLocal(type, data);
  s.broadcastPending = true;
  return { ok: true, index: entry.index, term: entry.term };
}

export function proposeMembership(s: CoreState, change: MembershipChange): ProposeResult {
  if (s.role !== "leader") return notLeader(s);
  // One change at a time, and only once this leader committed an entry of its own term: a change
  // decided on a stale configuration could overlap with a concurrent one of an earlier leader.
  if (
    s.transferTarget !== undefined ||
    s.membership.changePending(s.log.committed) ||
    s.log.term(s.log.committed) !== s.term
  ) {
    return { ok: false, code: "BUSY" };
  }
  const next = applyChange(s.membership.latest, change);
  if (next === undefined) return { ok: false, code: "BUSY" };
  return proposeEntry(s, "configuration", encodeConfiguration(next));
}

/**
 * Hands leadership to `target`: proposals are refused (BUSY) while it catches up; once its log
 * matches ours it gets timeoutNow and campaigns at once. Gives up after an election timeout.
 * A target that is not a voter yields ok plus a transferFailed event.
 */
export function transferLeadership(s: CoreState, target: NodeId): ProposeResult {
  if (s.role !== "leader") return notLeader(s);
  const ok: ProposeResult = { ok: true, index: s.log.lastIndex(), term: s.term };
  if (s.transferTarget !== undefined) return s.transferTarget === target ? ok : { ok: false, code: "BUSY" };
  if (target === s.id) return ok;
  const pr = s.progress.get(target);
  if (pr === undefined || !s.membership.isVoter(target)) {
    s.emit({ type: "transferFailed", target });
    return ok;
  }
  s.transferTarget = target;
  s.electionElapsed = 0;
  if (!maybeSendTimeoutNow(s)) fillPipeline(s, target, pr);
  return ok;
}

export function maybeSendTimeoutNow(s: CoreState): boolean {
  const target = s.transferTarget;
  if (target === undefined) return false;
  const pr = s.progress.get(target);
  if (pr === undefined || pr.match !== s.log.lastIndex()) return false;
  s.send({ type: "timeoutNow", from: s.id, to: target, term: s.term });
  s.leaseForfeited = true;
  return true;
}
