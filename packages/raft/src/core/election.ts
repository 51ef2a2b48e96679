// Leader election (5.2) with pre-vote (thesis 9.6) and the vote lease (thesis 4.2.3).
import type { CoreState } from "./core-state.js";
import type { VoteRequest, VoteResponse } from "./messages.js";
import { quorumSize } from "./quorum.js";
import { becomeLeader } from "./leader.js";

/** Follower and candidate clock: campaign when no leader was heard from for a randomized timeout. */
export function tickElection(s: CoreState): void {
  s.electionElapsed++;
  s.ticksSinceLeader++;
  if (s.electionElapsed >= s.randomizedElectionTimeout) {
    s.electionElapsed = 0;
    campaign(s, false);
  }
}

/** Starts an election (or a pre-vote round first). Nonvoters and removed servers never campaign. */
export function campaign(s: CoreState, transfer: boolean): void {
  if (s.role === "leader" || !s.membership.isVoter(s.id)) return;
  if (s.config.preVote && !transfer) startRound(s, true, false);
  else startRound(s, false, transfer);
}

function startRound(s: CoreState, preVote: boolean, transfer: boolean): void {
  s.restartLease = false;
  if (preVote) {
    // A pre-candidate changes neither its term nor its vote: a partitioned node that keeps
    // failing pre-votes rejoins without forcing the cluster to a higher term.
    s.setRole("precandidate");
    s.leader = undefined;
  } else {
    s.term++;
    s.vote = s.id;
    s.leader = undefined;
    s.setRole("candidate");
  }
  s.notifyLeader();
  s.electionElapsed = 0;
  s.randomizedElectionTimeout = s.randomTimeout();
  s.votes.clear();
  s.votes.set(s.id, true);
  if (tally(s) === "won") {
    if (preVote) startRound(s, false, false);
    else becomeLeader(s);
    return;
  }
  const term = preVote ? s.term + 1 : s.term;
  const lastLogIndex = s.log.lastIndex();
  const lastLogTerm = s.log.lastTerm();
  for (const to of s.membership.voters) {
    if (to === s.id) continue;
    s.send({ type: "vote", from: s.id, to, term, lastLogIndex, lastLogTerm, preVote, transfer });
  }
}

function tally(s: CoreState): "won" | "lost" | "pending" {
  let granted = 0;
  let rejected = 0;
  for (const id of s.membership.voters) {
    const v = s.votes.get(id);
    if (v === true) granted++;
    else if (v === false) rejected++;
  }
  const q = quorumSize(s.membership.voters.length);
  if (granted >= q) return "won";
  if (rejected >= q) return "lost";
  return "pending";
}

/**
 * Answers a (pre-)vote whose term is >= ours (the caller already stepped down for a higher real
 * vote). Grants when the candidate's log is at least as up-to-date as ours (5.4.1) and we have not
 * voted for someone else in this term; a pre-vote is granted for any future term.
 */
export function handleVoteRequest(s: CoreState, m: VoteRequest): void {
  const canVote = m.preVote
    ? m.term > s.term
    : s.vote === m.from || (s.vote === "" && s.leader === undefined);
  // A node answers even if its own (possibly stale) configuration says it is not a voter: it may
  // have been promoted, or re-added, by an entry it has not received yet, and the cluster can need
  // its vote. Nonvoters still never count: a candidate tallies only the voters of its configuration.
  const grant = canVote && s.log.isUpToDate(m.lastLogIndex, m.lastLogTerm);
  if (grant && !m.preVote) {
    s.vote = m.from;
    // Granting a vote resets the timer so this node does not compete with the candidate it chose.
    s.electionElapsed = 0;
  }
  const response: VoteResponse = {
    type: "voteResponse",
    from: s.id,
    to: m.from,
    // A granted pre-vote answers in the prospective term, so the pre-candidate can match it.
    term: grant && m.preVote ? m.term : s.term,
    granted: grant,
    preVote: m.preVote,
  };
  s.send(response);
}

export function handleVoteResponse(s: CoreState, m: VoteResponse): void {
  if (s.role === "precandidate") {
    if (!m.preVote || (m.granted && m.term !== s.term + 1)) return;
  } else if (s.role === "candidate") {
    if (m.preVote || m.term !== s.term) return;
  } else {
    return;
  }
  s.votes.set(m.from, m.granted);
  const result = tally(s);
  if (result === "won") {
    if (s.role === "precandidate") startRound(s, false, false);
    else becomeLeader(s);
  } else if (result === "lost") {
    s.becomeFollower(s.term, undefined);
  }
}
