// Log replication (5.3): the leader's appends with pipelining and flow control, the follower's
// consistency check with fast backtracking hints, and commitment by counting replicas (5.4.2).
import type { CoreState } from "./core-state.js";
import type { AppendRequest, AppendResponse } from "./messages.js";
import type { Progress } from "./progress.js";
import { quorumValue } from "./quorum.js";
import { entryBytes } from "./raft-log.js";
import { startSnapshot } from "./snapshot-transfer.js";
import { onLeaderCommitted, maybeSendTimeoutNow } from "./leader.js";
import { onReadAck } from "./read-index-flow.js";

/**
 * Sends the next batch of entries to `to` if its window allows. Returns true when a message with
 * entries left, so callers can loop to fill a pipeline. With `sendIfEmpty`, a probe is sent even
 * with nothing new (to learn where the peer stands).
 */
export function sendAppend(s: CoreState, to: string, pr: Progress, sendIfEmpty: boolean): boolean {
  if (pr.paused()) return false;
  const prevLogIndex = pr.next - 1;
  const prevLogTerm = s.log.term(prevLogIndex);
  if (prevLogTerm === undefined || pr.next < s.log.firstIndex()) {
    // The peer needs entries this node no longer holds: stream a snapshot instead (7).
    startSnapshot(s, to, pr);
    return false;
  }
  const entries =
    pr.next <= s.log.lastIndex()
      ? s.log.sliceBounded(pr.next, s.config.maxAppendEntries, s.config.maxInflightBytes)
      : [];
  if (entries.length === 0 && !sendIfEmpty) return false;
  const leaderCommit = s.log.committed;
  const message: AppendRequest = {
    type: "append",
    from: s.id,
    to,
    term: s.term,
    prevLogIndex,
    prevLogTerm,
    entries,
    leaderCommit,
    readRound: s.reads.lastRound,
  };
  s.send(message);
  pr.sentCommit = Math.max(pr.sentCommit, Math.min(leaderCommit, prevLogIndex + entries.length));
  const last = entries[entries.length - 1];
  if (last === undefined) {
    if (pr.state === "probe") pr.probeSent = true;
    return false;
  }
  if (pr.state === "replicate") {
    let bytes = 0;
    for (const e of entries) bytes += entryBytes(e);
    if (pr.inflights.count === 0) pr.lastProgressTick = s.now;
    pr.next = last.index + 1;
    pr.inflights.add(last.index, bytes);
  } else {
    pr.probeSent = true;
  }
  return true;
}

/** Fills `to`'s pipeline with everything its window allows. */
export function fillPipeline(s: CoreState, to: string, pr: Progress): void {
  while (sendAppend(s, to, pr, false)) {
    /* keep sending while the window has room */
  }
}

export function broadcastAppend(s: CoreState): void {
  s.broadcastPending = false;
  for (const [to, pr] of s.progress) fillPipeline(s, to, pr);
}

/**
 * A heartbeat names the peer's known match as its previous entry, so it always passes the
 * consistency check however many appends are in flight, and carries the commit index up to it.
 */
export function sendHeartbeat(s: CoreState, to: string, pr: Progress): void {
  if (pr.state === "snapshot") return;
  let at = pr.match;
  if (
    pr.state === "replicate" &&
    pr.inflights.count > 0 &&
    s.now - pr.lastProgressTick >= 2 * s.config.heartbeatTicks
  ) {
    // The pipeline has not moved for two heartbeats: its appends may all have been lost, and
    // then no answer would ever unblock it. Probing its tail either confirms it (the peer has
    // everything sent) or draws a rejection that drops the peer back to probe mode.
    at = pr.next - 1;
    pr.lastProgressTick = s.now;
    if (s.log.term(at) === undefined) {
      // Its tail is compacted away meanwhile: restart from what is known (which leads to a snapshot).
      pr.becomeProbe();
      sendAppend(s, to, pr, true);
      return;
    }
  }
  // If that entry is no longer in memory, fall back to index 0: the peer answers with its commit.
  const atTerm = s.log.term(at);
  const prevLogIndex = atTerm === undefined ? 0 : at;
  const leaderCommit = Math.min(s.log.committed, prevLogIndex);
  s.send({
    type: "append",
    from: s.id,
    to,
    term: s.term,
    prevLogIndex,
    prevLogTerm: atTerm ?? 0,
    entries: [],
    leaderCommit,
    readRound: s.reads.lastRound,
  });
  pr.sentCommit = Math.max(pr.sentCommit, leaderCommit);
}

export function broadcastHeartbeat(s: CoreState): void {
  // Every heartbeat round is a new round: its acknowledgements renew the lease from this tick.
  if (!s.reads.roundUnsent) s.reads.openRound(s.now);
  s.reads.roundUnsent = false;
  for (const [to, pr] of s.progress) sendHeartbeat(s, to, pr);
}

/** Follower: the consistency check (5.3), appending, and learning the commit index. */
export function handleAppend(s: CoreState, m: AppendRequest): void {
  const log = s.log;
  let entries = m.entries;
  let prevLogIndex = m.prevLogIndex;
  let prevLogTerm = m.prevLogTerm;
  if (prevLogIndex < log.committed) {
    // Committed entries match the leader's by definition: skip those, keep any that follow.
    const skip = log.committed - prevLogIndex;
    if (entries.length <= skip) {
      respond(s, m, true, log.committed, 0, 0);
      return;
    }
    entries = entries.slice(skip);
    prevLogIndex = log.committed;
    prevLogTerm = log.term(prevLogIndex)!;
  }
  const localPrevTerm = log.term(prevLogIndex);
  if (localPrevTerm !== prevLogTerm) {
    // Fast backtracking: point the leader at the last index that can possibly match.
    let hintIndex: number;
    if (m.prevLogIndex > log.lastIndex()) hintIndex = log.lastIndex();
    else hintIndex = log.findConflictByTerm(m.prevLogIndex, m.prevLogTerm);
    const hintTerm = log.term(hintIndex) ?? 0;
    respond(s, m, false, m.prevLogIndex, hintIndex, hintTerm);
    return;
  }
  let i = 0;
  // Skip entries already present; cut the log at the first conflict (5.3).
  for (; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.index > log.lastIndex()) break;
    if (log.term(e.index) !== e.term) {
      log.truncateFrom(e.index);
      s.membership.truncated(e.index, log);
      break;
    }
  }
  for (; i < entries.length; i++) {
    const e = entries[i]!;
    log.append(e);
    if (e.type === "configuration") s.membership.appended(e);
  }
  const lastNew = prevLogIndex + entries.length;
  const commit = Math.min(m.leaderCommit, lastNew);
  if (commit > log.committed) {
    log.committed = commit;
    s.membership.committedTo(commit);
  }
  respond(s, m, true, lastNew, 0, 0);
}

function respond(
  s: CoreState,
  m: AppendRequest,
  success: boolean,
  matchIndex: number,
  rejectHintIndex: number,
  rejectHintTerm: number,
): void {
  const response: AppendResponse = {
    type: "appendResponse",
    from: s.id,
    to: m.from,
    term: s.term,
    success,
    matchIndex,
    rejectHintIndex,
    rejectHintTerm,
    // Any answer in our term confirms the sender is still leader, accepted or not.
    readRound: m.readRound,
  };
  s.send(response);
}

/** Leader: an acknowledgement or a rejection from a follower. */
export function handleAppendResponse(s: CoreState, m: AppendResponse): void {
  const pr = s.progress.get(m.from);
  if (pr === undefined) return;
  heard(s, pr);
  if (m.readRound > pr.ackedRound) {
    pr.ackedRound = m.readRound;
    const sentAt = s.reads.roundTick(m.readRound);
    if (sentAt !== undefined && sentAt > pr.leaseTick) pr.leaseTick = sentAt;
    onReadAck(s);
  }
  if (m.success) {
    if (pr.maybeUpdate(m.matchIndex)) {
      pr.inflights.freeTo(m.matchIndex);
      pr.lastProgressTick = s.now;
      if (pr.state === "probe") pr.becomeReplicate();
      // A snapshot in flight is moot once the peer holds its index by other means.
      else if (pr.state === "snapshot" && pr.snapshot !== undefined && pr.match >= pr.snapshot.meta.index) {
        pr.becomeProbe();
      }
      maybeCommit(s);
      if (s.transferTarget === m.from) maybeSendTimeoutNow(s);
    } else if (pr.state === "probe") {
      // A heartbeat answer unpauses a probe whose message may have been lost; if the peer's
      // position is still unknown, probe it even with nothing new to send.
      pr.probeSent = false;
      if (pr.match < pr.next - 1) {
        sendAppend(s, m.from, pr, true);
        return;
      }
    }
    if (s.progress.has(m.from)) fillPipeline(s, m.from, pr);
    return;
  }
  // Rejection: `matchIndex` carries the prevLogIndex that was rejected.
  const rejected = m.matchIndex;
  if (rejected <= pr.match) {
    // Stale: that position is known to match (an answer overtaken by a later acknowledgement, or
    // a duplicate). Answering each with a resend would let duplicates multiply into a storm.
    // Exactly at the known match it may instead mean the peer lost entries it acknowledged.
    if (rejected === pr.match && pr.state !== "snapshot") repairLostEntries(s, m, pr);
    return;
  }
  if (pr.state === "replicate") pr.becomeProbe();
  else if (pr.state !== "probe" || rejected !== pr.next - 1) {
    return; // stale: an answer to an older probe, or a snapshot is under way
  }
  pr.next = Math.max(Math.min(rejected, hintNext(s, m)), pr.match + 1);
  pr.probeSent = false;
  sendAppend(s, m.from, pr, true);
}

/** Where the peer's hint says its log can first diverge from ours (fast backtracking). */
function hintNext(s: CoreState, m: AppendResponse): number {
  if (m.rejectHintTerm > 0) return s.log.findConflictByTerm(m.rejectHintIndex, m.rejectHintTerm) + 1;
  return m.rejectHintIndex + 1;
}

/**
 * The peer rejected the very entry it acknowledged: it lost acknowledged entries (a disk lost
 * its tail, or a driver acknowledged before its fsync). Heartbeats name the known match, so
 * each one draws such a rejection while the loss lasts: act on at most one per heartbeat
 * interval (duplicates and reordered copies are dropped). Nothing the peer holds is known to
 * match any more, so match drops to 0 (it never counted towards commit beyond what it holds
 * again) and the peer is probed from its hint; the usual probe/replicate path repairs it.
 */
function repairLostEntries(s: CoreState, m: AppendResponse, pr: Progress): void {
  if (s.now - pr.repairTick < s.config.heartbeatTicks) return;
  pr.repairTick = s.now;
  const next = Math.max(1, Math.min(hintNext(s, m), pr.match));
  pr.match = 0;
  pr.sentCommit = 0;
  pr.becomeProbe();
  pr.next = next;
  sendAppend(s, m.from, pr, true);
}

export function heard(s: CoreState, pr: Progress): void {
  pr.lastHeardTick = s.now;
  pr.recentActive = true;
  pr.unreachableReported = false;
}

/**
 * Commit = the highest index a quorum of voters holds, if it is of the current term (5.4.2).
 * The leader counts its own entries only once they are durable (advance), so its appends may go
 * out in parallel with its own fsync.
 */
export function maybeCommit(s: CoreState): boolean {
  const matches = s.scratch;
  matches.length = 0;
  for (const id of s.membership.voters) {
    if (id === s.id) matches.push(s.log.stable);
    else matches.push(s.progress.get(id)?.match ?? 0);
  }
  const index = quorumValue(matches);
  if (index <= s.log.committed || s.log.term(index) !== s.term) return false;
  s.log.committed = index;
  onLeaderCommitted(s);
  return true;
}
