// ReadIndex (thesis 6.4): a read waits for the commit index at the time it arrived, and for one
// round of acknowledgements from a quorum sent after it arrived. Reads arriving before the next
// broadcast share one round, so a burst of reads costs one heartbeat round.
import type { ReadState } from "./api.js";

interface PendingRead {
  readonly requestId: number;
  readonly index: number;
  readonly round: number;
}

const ROUND_RING = 64;

export class ReadIndexQueue {
  /** Highest round opened; every append a leader sends carries it. Never reset (stale answers are dropped by term). */
  lastRound = 0;
  /** A round was opened and no message carrying it has been broadcast yet. */
  roundUnsent = false;
  private pending: PendingRead[] = [];
  private head = 0;
  /** Reads that arrived before this leader committed an entry of its term (their index is unknown). */
  waitingForCommit: number[] = [];

  // When each recent round was opened, so an acknowledgement of round r proves the peer heard
  // from this leader at or after that tick (the lease counts from there, not from when the answer
  // arrived: an answer that sat in a buffer, or was read after a pause, earns nothing it should not).
  private readonly roundIds = new Float64Array(ROUND_RING);
  private readonly roundTicks = new Float64Array(ROUND_RING);

  /** Opens a new round at tick `now` (reads, and every heartbeat broadcast). */
  openRound(now: number): void {
    this.lastRound++;
    const at = this.lastRound % ROUND_RING;
    this.roundIds[at] = this.lastRound;
    this.roundTicks[at] = now;
  }

  /** The tick at which `round` was opened, if it is recent enough to be remembered. */
  roundTick(round: number): number | undefined {
    const at = round % ROUND_RING;
    return this.roundIds[at] === round ? this.roundTicks[at] : undefined;
  }

  add(requestId: number, commitIndex: number, now: number): void {
    if (!this.roundUnsent) {
      this.openRound(now);
      this.roundUnsent = true;
    }
    this.pending.push({ requestId, index: commitIndex, round: this.lastRound });
  }

  get size(): number {
    return this.pending.length - this.head + this.waitingForCommit.length;
  }

  /** Moves every read whose round a quorum confirmed to `out`. */
  release(confirmedRound: number, out: ReadState[]): void {
    while (this.head < this.pending.length) {
      const read = this.pending[this.head]!;
      if (read.round > confirmedRound) break;
      out.push({ requestId: read.requestId, index: read.index });
      this.head++;
    }
    if (this.head === this.pending.length) {
      this.pending = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.pending.length) {
      // Occasional compaction keeps release O(1) amortized without shifting per read.
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
  }

  /** Leadership lost: every waiting read fails. Returns their ids. */
  drain(): number[] {
    const ids = this.waitingForCommit;
    for (let i = this.head; i < this.pending.length; i++) ids.push(this.pending[i]!.requestId);
    this.pending = [];
    this.head = 0;
    this.waitingForCommit = [];
    this.roundUnsent = false;
    return ids;
  }
}
