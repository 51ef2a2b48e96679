// A transmit-limited broadcast queue (memberlist's TransmitLimitedQueue): each message is
// piggybacked on outgoing packets until it has been sent `limit(N)` times; the least-sent
// go first; a newer message about the same node replaces a queued one (invalidation).
export interface QueuedBroadcast {
  /** Invalidation key (a node name for memberlist messages), or null for none. */
  readonly key: string | null;
  readonly msg: Uint8Array;
  transmits: number;
  readonly seq: number;
  readonly onFinished?: () => void;
}

export class BroadcastQueue {
  private items: QueuedBroadcast[] = [];
  private seq = 0;

  constructor(
    /** Max items kept; the oldest most-sent are dropped past it. */
    private readonly maxItems: number,
  ) {}

  get length(): number {
    return this.items.length;
  }

  queue(key: string | null, msg: Uint8Array, onFinished?: () => void): void {
    if (key !== null) {
      const i = this.items.findIndex((b) => b.key === key);
      if (i >= 0) {
        const [old] = this.items.splice(i, 1);
        old?.onFinished?.();
      }
    }
    const b: QueuedBroadcast =
      onFinished === undefined
        ? { key, msg, transmits: 0, seq: this.seq++ }
        : { key, msg, transmits: 0, seq: this.seq++, onFinished };
    this.items.push(b);
    if (this.items.length > this.maxItems) {
      this.sort();
      const dropped = this.items.splice(this.maxItems);
      for (const d of dropped) d.onFinished?.();
    }
  }

  /** Least transmitted first, then newest first. */
  private sort(): void {
    this.items.sort((a, b) => a.transmits - b.transmits || b.seq - a.seq);
  }

  /** Takes messages fitting in `limit` bytes (each costs its length + overhead). */
  take(overhead: number, limit: number, transmitLimit: number): Uint8Array[] {
    if (this.items.length === 0) return [];
    this.sort();
    const out: Uint8Array[] = [];
    let used = 0;
    const keep: QueuedBroadcast[] = [];
    for (const b of this.items) {
      if (used + overhead + b.msg.length > limit) {
        keep.push(b);
        continue;
      }
      used += overhead + b.msg.length;
      out.push(b.msg);
      b.transmits++;
      if (b.transmits >= transmitLimit) b.onFinished?.();
      else keep.push(b);
    }
    this.items = keep;
    return out;
  }

  clear(): void {
    this.items = [];
  }
}

/** memberlist's retransmitLimit: mult × ceil(log10(n + 1)), optionally raised to a floor. */
export function retransmitLimit(mult: number, n: number, floor = 0): number {
  const scale = Math.ceil(Math.log10(n + 1));
  return Math.max(floor, mult * scale);
}
