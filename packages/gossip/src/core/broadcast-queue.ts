// A transmit-limited broadcast queue (memberlist's TransmitLimitedQueue): each message is
// piggybacked on outgoing packets until it has been sent `limit(N)` times; the least-sent
// go first (newest first among equals); a newer message about the same node replaces a
// queued one (invalidation). Items live in buckets by transmit count, so taking costs the
// items visited, not a sort of the whole queue (it holds thousands in a 1,000-node join).
/** No memberlist or Serf message is smaller than this; below it a packet is full. */
const MIN_MESSAGE_BYTES = 8;
/** Consecutive too-large items skipped before giving up on filling a packet. */
const MAX_MISSES = 32;

export interface QueuedBroadcast {
  /** Invalidation key (a node name for memberlist messages), or null for none. */
  readonly key: string | null;
  readonly msg: Uint8Array;
  transmits: number;
  dead: boolean;
  readonly onFinished: (() => void) | undefined;
}

export class BroadcastQueue {
  /**
   * buckets[t] = items sent t times, oldest first. Killed items (invalidated, evicted) stay
   * in their array until a take() scans past them or a compaction runs, so no operation
   * costs the length of a bucket.
   */
  private buckets: QueuedBroadcast[][] = [];
  private readonly byKey = new Map<string, QueuedBroadcast>();
  private live = 0;
  /** Array slots in use across buckets, dead ones included (drives compaction). */
  private slots = 0;

  constructor(
    /** Max items kept; past it the most-sent are dropped. */
    private readonly maxItems: number,
  ) {}

  get length(): number {
    return this.live;
  }

  private kill(b: QueuedBroadcast): void {
    if (b.dead) return;
    b.dead = true;
    this.live--;
    if (b.key !== null && this.byKey.get(b.key) === b) this.byKey.delete(b.key);
    b.onFinished?.();
  }

  queue(key: string | null, msg: Uint8Array, onFinished?: () => void): void {
    if (key !== null) {
      const old = this.byKey.get(key);
      if (old !== undefined) this.kill(old);
    }
    const b: QueuedBroadcast = { key, msg, transmits: 0, dead: false, onFinished };
    if (key !== null) this.byKey.set(key, b);
    (this.buckets[0] ??= []).push(b);
    this.live++;
    this.slots++;
    if (this.live > this.maxItems) this.evict();
    // Amortized O(1): dead slots never outnumber live ones by much.
    if (this.slots > 2 * this.live + 64) this.compact();
  }

  private compact(): void {
    let slots = 0;
    for (let t = 0; t < this.buckets.length; t++) {
      const bucket = this.buckets[t];
      if (bucket === undefined) continue;
      const kept = bucket.filter((b) => !b.dead);
      this.buckets[t] = kept;
      slots += kept.length;
    }
    this.slots = slots;
  }

  /** Drops the most-transmitted (oldest within) until within bounds. */
  private evict(): void {
    for (let t = this.buckets.length - 1; t >= 0 && this.live > this.maxItems; t--) {
      const bucket = this.buckets[t];
      if (bucket === undefined) continue;
      let i = 0;
      for (; i < bucket.length && this.live > this.maxItems; i++) this.kill(bucket[i] as QueuedBroadcast);
      // the killed prefix is dropped in bulk now and then, not per eviction
      if (i >= 64 || i === bucket.length) {
        bucket.splice(0, i);
        this.slots -= i;
      }
    }
  }

  /** Takes messages fitting in `limit` bytes (each costs its length + overhead). */
  take(overhead: number, limit: number, transmitLimit: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (this.live === 0) return out;
    let used = 0;
    const moved: QueuedBroadcast[][] = [];
    const keep: QueuedBroadcast[] = [];
    for (let t = 0; t < this.buckets.length && limit - used >= overhead + MIN_MESSAGE_BYTES; t++) {
      const bucket = this.buckets[t];
      if (bucket === undefined || bucket.length === 0) continue;
      let misses = 0;
      keep.length = 0;
      // newest first; stop after a run of misses so a full packet costs O(packet), not O(queue)
      let i = bucket.length - 1;
      for (; i >= 0 && misses < MAX_MISSES; i--) {
        if (limit - used < overhead + MIN_MESSAGE_BYTES) break;
        const b = bucket[i] as QueuedBroadcast;
        if (b.dead) continue;
        if (used + overhead + b.msg.length > limit) {
          misses++;
          keep.push(b);
          continue;
        }
        misses = 0;
        used += overhead + b.msg.length;
        out.push(b.msg);
        b.transmits++;
        if (b.transmits >= transmitLimit) this.kill(b);
        else (moved[b.transmits] ??= []).push(b);
      }
      // Only the scanned tail (i+1 .. end) changes: cut it and put back what stays, in order.
      this.slots -= bucket.length - (i + 1) - keep.length;
      bucket.length = i + 1;
      for (let j = keep.length - 1; j >= 0; j--) bucket.push(keep[j] as QueuedBroadcast);
    }
    for (let t = 0; t < moved.length; t++) {
      const m = moved[t];
      if (m === undefined) continue;
      // taken newest-first; re-append oldest-first so "newest first" still holds next time
      const bucket = (this.buckets[t] ??= []);
      for (let j = m.length - 1; j >= 0; j--) bucket.push(m[j] as QueuedBroadcast);
      this.slots += m.length;
    }
    return out;
  }

  clear(): void {
    for (const bucket of this.buckets) for (const b of bucket) this.kill(b);
    this.buckets = [];
    this.slots = 0;
  }
}

/** memberlist's retransmitLimit: mult × ceil(log10(n + 1)), optionally raised to a floor. */
export function retransmitLimit(mult: number, n: number, floor = 0): number {
  const scale = Math.ceil(Math.log10(n + 1));
  return Math.max(floor, mult * scale);
}
