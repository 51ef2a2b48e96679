// ReadIndex (thesis 6.4): a read waits for the commit index at the time it arrived, and for one
// round of acknowledgements from a quorum sent after it arrived. Reads arriving before the next
// broadcast share one round, so a burst of reads costs one heartbeat round.
import type { ReadState } from "./api.js";

interface PendingRead {
  readonly requestId: number;
  readonly index: number;
  readonly round: number;
}

export class ReadIndexQueue {
  /** Highest round opened; every append a leader sends carries it. Never reset (stale answers are dropped by term). */
  lastRound = 0;
  /** A round was opened and no message carrying it has been broadcast yet. */
  roundUnsent = false;
  private pending: PendingRead[] = [];
  private head = 0;
  /** Reads that arrived before this leader committed an entry of its term (their index is unknown). */
  waitingForCommit: number[] = [];

  add(requestId: number, commitIndex: number): void {
    if (!this.roundUnsent) {
      this.lastRound++;
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
