// How a read request is answered: by a ReadIndex round confirmed by a quorum, from the leader
// lease (option), at once on a single-voter cluster, or with a readFailed event off the leader.
// A new leader holds reads until its noop commits: before that its commit index may lag entries
// that earlier leaders committed.
import type { CoreState } from "./core-state.js";
import { quorumValue } from "./quorum.js";

export function readIndex(s: CoreState, requestId: number): void {
  if (s.role !== "leader") {
    s.failRead(requestId);
    return;
  }
  if (s.log.term(s.log.committed) !== s.term) {
    s.reads.waitingForCommit.push(requestId);
    return;
  }
  serveRead(s, requestId);
}

function serveRead(s: CoreState, requestId: number): void {
  const commit = s.log.committed;
  const voters = s.membership.voters;
  if (voters.length === 1 && voters[0] === s.id) {
    s.readStates.push({ requestId, index: commit });
  } else if (s.config.leaseReads && s.config.checkQuorum && !s.leaseForfeited && leaseHolds(s)) {
    s.readStates.push({ requestId, index: commit });
  } else {
    s.reads.add(requestId, commit, s.now);
  }
}

export function serveWaitingReads(s: CoreState): void {
  const waiting = s.reads.waitingForCommit;
  s.reads.waitingForCommit = [];
  for (const id of waiting) serveRead(s, id);
}

/** A peer acknowledged a higher round: release the reads a quorum has now confirmed. */
export function onReadAck(s: CoreState): void {
  if (s.reads.size === 0) return;
  const rounds = s.scratch;
  rounds.length = 0;
  for (const id of s.membership.voters) {
    if (id === s.id) rounds.push(s.reads.lastRound);
    else rounds.push(s.progress.get(id)?.ackedRound ?? 0);
  }
  s.reads.release(quorumValue(rounds), s.readStates);
}

/**
 * The leader lease: a quorum of voters acknowledged a message this leader sent less than
 * leaderLeaseTicks ago. Those voters ignore other candidates for electionTicks after hearing from
 * it, so no other leader can exist until the lease ends (leaderLeaseTicks < electionTicks leaves
 * the margin for clock-rate differences). Needs ticks that track real time, pauses included.
 */
export function leaseHolds(s: CoreState): boolean {
  let active = 0;
  for (const id of s.membership.voters) {
    if (id === s.id) active++;
    else {
      const pr = s.progress.get(id);
      if (pr !== undefined && s.now - pr.leaseTick < s.config.leaderLeaseTicks) active++;
    }
  }
  return active >= Math.floor(s.membership.voters.length / 2) + 1;
}
