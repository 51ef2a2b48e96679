// A peer's bounded send buffer of encoded messages (ARCHITECTURE.md rule 7). Bounded in count and
// bytes; when full the new message is dropped (Raft resends: a lost append is retried after its
// rejection or timeout, a lost heartbeat is replaced by the next one). FIFO, so messages leave in
// the order the core produced them.
export class SendQueue {
  private items: Uint8Array[] = [];
  private head = 0;
  private queuedBytes = 0;

  constructor(
    private readonly maxMessages: number,
    private readonly maxBytes: number,
  ) {}

  get length(): number {
    return this.items.length - this.head;
  }

  get bytes(): number {
    return this.queuedBytes;
  }

  /** False (and nothing queued) when the message would exceed either bound. */
  push(encoded: Uint8Array): boolean {
    if (this.length >= this.maxMessages || this.queuedBytes + encoded.length > this.maxBytes) return false;
    this.items.push(encoded);
    this.queuedBytes += encoded.length;
    return true;
  }

  /**
   * Removes messages from the front while their total stays within `maxBytes`; always takes at
   * least one, so a message larger than a frame still leaves (alone in its frame).
   */
  take(maxBytes: number): { bodies: Uint8Array[]; bytes: number } {
    const bodies: Uint8Array[] = [];
    let bytes = 0;
    while (this.head < this.items.length) {
      const next = this.items[this.head] as Uint8Array;
      if (bodies.length > 0 && bytes + next.length > maxBytes) break;
      bodies.push(next);
      bytes += next.length;
      this.head += 1;
    }
    this.queuedBytes -= bytes;
    // Drop the consumed prefix now and then, keeping take() O(messages taken) amortized.
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return { bodies, bytes };
  }

  /** Empties the queue; returns how many messages were discarded. */
  clear(): number {
    const discarded = this.length;
    this.items = [];
    this.head = 0;
    this.queuedBytes = 0;
    return discarded;
  }
}
