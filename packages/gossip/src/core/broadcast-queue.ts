// A transmit-limited broadcast queue (memberlist's TransmitLimitedQueue): each message is
// piggybacked on outgoing packets until it has been sent `limit(N)` times; the least-sent
// go first (newest first among equals); a newer message about the same node replaces a
// queued one (invalidation). Items live in buckets by transmit count, so taking costs the
// items visited, not a sort of the whole queue (it holds thousands in a 1,000-node join).
//
// Storage is columnar: an item is a slot index into parallel arrays, and each bucket is a
// doubly linked list threaded through two Int32Arrays. A simulated pool of 10,000 members
// holds tens of millions of queued items at once; as objects they dominated the heap and the
// garbage collector's work, as slots they are a few flat arrays per member.

/** No memberlist or Serf message is smaller than this; below it a packet is full. */
const MIN_MESSAGE_BYTES = 8;
/** Consecutive too-large items skipped before giving up on filling a packet. */
const MAX_MISSES = 32;
/** The end of a list, and of the free list. */
const NONE = -1;
const INITIAL_SLOTS = 16;

export class BroadcastQueue {
  // ---- slot columns (index = slot) ----
  private msgs: (Uint8Array | undefined)[] = [];
  private keys: (string | null)[] = [];
  /** Called once when the item leaves the queue for any reason (sent out, replaced, evicted). */
  private finishers: ((() => void) | undefined)[] = [];
  private transmits = new Int32Array(INITIAL_SLOTS);
  /** Toward the newer item of the same bucket, or the next free slot. */
  private next = new Int32Array(INITIAL_SLOTS);
  /** Toward the older item of the same bucket. */
  private prev = new Int32Array(INITIAL_SLOTS);
  private capacity = INITIAL_SLOTS;
  private used = 0;
  private freeHead = NONE;

  // ---- buckets: heads[t] is the oldest item sent t times, tails[t] the newest ----
  private heads: number[] = [];
  private tails: number[] = [];

  private readonly byKey = new Map<string, number>();
  private live = 0;
  /** Items taken in the current take(), re-bucketed once it is done (reused). */
  private readonly moved: number[] = [];
  /** Finishers due during a take(), run once it is done: one may queue (even here) again. */
  private pending: (() => void)[] | null = null;

  constructor(
    /** Max items kept; past it the most-sent are dropped. */
    private readonly maxItems: number,
  ) {}

  get length(): number {
    return this.live;
  }

  queue(key: string | null, msg: Uint8Array, onFinished?: () => void): void {
    if (key !== null) {
      const old = this.byKey.get(key);
      if (old !== undefined) this.kill(old);
    }
    const s = this.allocate();
    this.msgs[s] = msg;
    this.keys[s] = key;
    this.finishers[s] = onFinished;
    this.transmits[s] = 0;
    if (key !== null) this.byKey.set(key, s);
    this.append(s, 0);
    this.live++;
    if (this.live > this.maxItems) this.evict();
  }

  /** Takes messages fitting in `limit` bytes (each costs its length + overhead). */
  take(overhead: number, limit: number, transmitLimit: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (this.live === 0) return out;
    let used = 0;
    const moved = this.moved;
    moved.length = 0;
    const pending: (() => void)[] = [];
    this.pending = pending;
    for (let t = 0; t < this.heads.length && limit - used >= overhead + MIN_MESSAGE_BYTES; t++) {
      // newest first; stop after a run of misses so a full packet costs O(packet), not O(queue)
      let s = this.tails[t] as number;
      let misses = 0;
      while (s !== NONE && misses < MAX_MISSES) {
        if (limit - used < overhead + MIN_MESSAGE_BYTES) break;
        const older = this.prev[s] as number;
        const msg = this.msgs[s] as Uint8Array;
        if (used + overhead + msg.length > limit) {
          misses++; // too big for what is left: it keeps its place
          s = older;
          continue;
        }
        misses = 0;
        used += overhead + msg.length;
        out.push(msg);
        const sent = (this.transmits[s] as number) + 1;
        this.transmits[s] = sent;
        this.unlink(s, t);
        if (sent >= transmitLimit) this.release(s);
        else moved.push(s); // not re-bucketed yet: this take must not meet it again
        s = older;
      }
    }
    // Taken newest-first; re-append oldest-first so "newest first" still holds next time.
    for (let j = moved.length - 1; j >= 0; j--) {
      const s = moved[j] as number;
      this.append(s, this.transmits[s] as number);
    }
    moved.length = 0;
    this.pending = null;
    for (const done of pending) done();
    return out;
  }

  clear(): void {
    for (let t = 0; t < this.heads.length; t++) {
      while (this.heads[t] !== NONE) this.kill(this.heads[t] as number);
    }
    this.heads = [];
    this.tails = [];
  }

  // ---- slots and lists ----

  private allocate(): number {
    if (this.freeHead !== NONE) {
      const s = this.freeHead;
      this.freeHead = this.next[s] as number;
      return s;
    }
    if (this.used === this.capacity) this.grow();
    return this.used++;
  }

  private grow(): void {
    const cap = this.capacity * 2;
    const widen = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.transmits = widen(this.transmits);
    this.next = widen(this.next);
    this.prev = widen(this.prev);
    this.capacity = cap;
  }

  /** Appends slot `s` as the newest item of bucket `t`. */
  private append(s: number, t: number): void {
    while (this.heads.length <= t) {
      this.heads.push(NONE);
      this.tails.push(NONE);
    }
    const tail = this.tails[t] as number;
    this.prev[s] = tail;
    this.next[s] = NONE;
    if (tail === NONE) this.heads[t] = s;
    else this.next[tail] = s;
    this.tails[t] = s;
  }

  private unlink(s: number, t: number): void {
    const p = this.prev[s] as number;
    const n = this.next[s] as number;
    if (p === NONE) this.heads[t] = n;
    else this.next[p] = n;
    if (n === NONE) this.tails[t] = p;
    else this.prev[n] = p;
  }

  /** Removes a queued item: unlinks it, then releases it. */
  private kill(s: number): void {
    this.unlink(s, this.transmits[s] as number);
    this.release(s);
  }

  /** Frees an unlinked slot: forgets its key, runs its finisher. */
  private release(s: number): void {
    this.live--;
    const key = this.keys[s] as string | null;
    if (key !== null && this.byKey.get(key) === s) this.byKey.delete(key);
    const done = this.finishers[s];
    this.msgs[s] = undefined;
    this.keys[s] = null;
    this.finishers[s] = undefined;
    this.next[s] = this.freeHead;
    this.freeHead = s;
    if (done === undefined) return;
    if (this.pending !== null) this.pending.push(done);
    else done();
  }

  /** Drops the most-transmitted (oldest within) until within bounds. */
  private evict(): void {
    for (let t = this.heads.length - 1; t >= 0 && this.live > this.maxItems; t--) {
      while (this.heads[t] !== NONE && this.live > this.maxItems) this.kill(this.heads[t] as number);
    }
  }
}

/** memberlist's retransmitLimit: mult × ceil(log10(n + 1)), optionally raised to a floor. */
export function retransmitLimit(mult: number, n: number, floor = 0): number {
  const scale = Math.ceil(Math.log10(n + 1));
  return Math.max(floor, mult * scale);
}
