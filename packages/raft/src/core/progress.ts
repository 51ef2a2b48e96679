// What a leader knows about one peer's log (etcd's Progress): probe sends one append at a time
// until the peer's position is found; replicate pipelines appends optimistically; snapshot streams
// a snapshot and sends no appends.
import { Inflights } from "./inflights.js";
import type { SnapshotMeta } from "./types.js";

export type ProgressState = "probe" | "replicate" | "snapshot";

export interface SnapshotSend {
  readonly meta: SnapshotMeta;
  /** Next byte to send (the peer acknowledged everything before it). */
  offset: number;
  totalBytes: number;
  /** The last chunk sent was acknowledged; otherwise it is resent at the next heartbeat. */
  acked: boolean;
}

export class Progress {
  match = 0;
  next: number;
  state: ProgressState = "probe";
  /** In probe state: an append is outstanding, send no other until an answer or a heartbeat. */
  probeSent = false;
  readonly inflights: Inflights;
  snapshot: SnapshotSend | undefined;
  /** Tick of the last message from this peer (check quorum, lease, unreachability). */
  lastHeardTick: number;
  recentActive = true;
  unreachableReported = false;
  /** Highest commit index sent to this peer, so idle peers still learn commits within commitTicks. */
  sentCommit = 0;
  /** Highest ReadIndex round this peer acknowledged. */
  ackedRound = 0;
  /** When the newest message this peer acknowledged was sent (lease reads); never before it answers. */
  leaseTick = Number.NEGATIVE_INFINITY;
  /** Tick of the last repair after this peer rejected its own acknowledged match (rate limit). */
  repairTick = Number.NEGATIVE_INFINITY;
  /** Tick at which the pipeline last moved (an ack raised match, or it went from empty to busy). */
  lastProgressTick: number;

  constructor(next: number, now: number, maxInflightAppends: number, maxInflightBytes: number) {
    this.next = next;
    this.lastHeardTick = now;
    this.lastProgressTick = now;
    this.inflights = new Inflights(maxInflightAppends, maxInflightBytes);
  }

  paused(): boolean {
    switch (this.state) {
      case "probe":
        return this.probeSent;
      case "replicate":
        return this.inflights.full();
      case "snapshot":
        return true;
    }
  }

  becomeProbe(): void {
    // After a snapshot, resume right after it; otherwise right after what is known to match.
    this.next =
      this.state === "snapshot" && this.snapshot
        ? Math.max(this.match + 1, this.snapshot.meta.index + 1)
        : this.match + 1;
    this.state = "probe";
    this.probeSent = false;
    this.snapshot = undefined;
    this.inflights.reset();
  }

  becomeReplicate(): void {
    this.state = "replicate";
    this.next = this.match + 1;
    this.probeSent = false;
    this.snapshot = undefined;
    this.inflights.reset();
  }

  becomeSnapshot(send: SnapshotSend): void {
    this.state = "snapshot";
    this.snapshot = send;
    this.probeSent = false;
    this.inflights.reset();
  }

  /** Raises match (and next) on an acknowledgement; false when it told nothing new. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (index > this.match) {
      this.match = index;
      updated = true;
      this.probeSent = false;
    }
    if (this.next < index + 1) this.next = index + 1;
    return updated;
  }
}
