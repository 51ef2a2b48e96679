// InstallSnapshot (7): a leader streams its newest snapshot to a peer that needs compacted entries,
// one chunk at a time (the next chunk only after the previous is acknowledged, so a slow peer
// bounds the leader's memory); the follower buffers it (snapshot-receiver.ts) and hands the whole
// snapshot to the driver, resetting its log to it.
import type { CoreState } from "./core-state.js";
import type { InstallSnapshotRequest, InstallSnapshotResponse } from "./messages.js";
import type { Progress } from "./progress.js";
import { fillPipeline, heard, sendAppend } from "./replication.js";

export function startSnapshot(s: CoreState, to: string, pr: Progress): void {
  const meta = s.config.snapshots.latest();
  if (meta === undefined) {
    // Compacted without a snapshot to show for it: a driver bug, but retrying beats crashing.
    return;
  }
  pr.becomeSnapshot({ meta, offset: 0, totalBytes: -1, acked: true });
  sendChunk(s, to, pr);
}

/** Sends the chunk at the peer's acknowledged offset (again, if it was lost). */
export function sendChunk(s: CoreState, to: string, pr: Progress): void {
  const send = pr.snapshot;
  if (send === undefined) return;
  const { data, totalBytes } = s.config.snapshots.read(send.meta, send.offset, s.config.snapshotChunkBytes);
  send.totalBytes = totalBytes;
  send.acked = false;
  const message: InstallSnapshotRequest = {
    type: "installSnapshot",
    from: s.id,
    to,
    term: s.term,
    meta: send.meta,
    offset: send.offset,
    data,
    done: send.offset + data.byteLength >= totalBytes,
    totalBytes,
  };
  s.send(message);
}

export function handleInstallSnapshotResponse(s: CoreState, m: InstallSnapshotResponse): void {
  const pr = s.progress.get(m.from);
  if (pr === undefined) return;
  heard(s, pr);
  const send = pr.snapshot;
  if (pr.state !== "snapshot" || send === undefined || m.snapshotIndex !== send.meta.index) return;
  if (m.success && m.done) {
    pr.maybeUpdate(send.meta.index);
    pr.becomeProbe();
    sendAppend(s, m.from, pr, true);
    fillPipeline(s, m.from, pr);
    return;
  }
  if (!m.success) {
    // The peer lost its place (a gap, or it restarted): start over from byte 0 at the next
    // heartbeat rather than at once, so a peer that keeps refusing cannot make us spin.
    send.offset = 0;
    send.acked = false;
    return;
  }
  if (m.nextOffset <= send.offset) return; // a duplicate or stale acknowledgement
  send.offset = m.nextOffset;
  send.acked = true;
  sendChunk(s, m.from, pr);
}

/** Follower: one chunk from the leader (the caller already accepted the leader and reset timers). */
export function handleInstallSnapshot(s: CoreState, m: InstallSnapshotRequest): void {
  const reply = (success: boolean, nextOffset: number, done: boolean): void => {
    const response: InstallSnapshotResponse = {
      type: "installSnapshotResponse",
      from: s.id,
      to: m.from,
      term: s.term,
      snapshotIndex: m.meta.index,
      nextOffset,
      success,
      done,
    };
    s.send(response);
  };
  if (m.meta.index <= s.log.committed) {
    // Already have everything it covers: nothing to install, the leader can resume appends.
    s.receiver.reset();
    reply(true, m.totalBytes, true);
    return;
  }
  const outcome = s.receiver.receive(m, s.config.maxSnapshotBytes);
  switch (outcome.kind) {
    case "restart":
      reply(false, 0, false);
      return;
    case "progress":
      reply(true, outcome.nextOffset, false);
      return;
    case "complete":
      s.log.restoreSnapshot(outcome.meta);
      s.membership.snapshotInstalled(outcome.meta);
      s.installed = { meta: outcome.meta, data: outcome.data };
      reply(true, outcome.data.byteLength, true);
      return;
  }
}
