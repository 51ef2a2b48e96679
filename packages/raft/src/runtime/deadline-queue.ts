// Deadlines of pending calls, expired from the runtime's tick instead of one timer per call.
// Almost every call uses the same timeout, so deadlines arrive in order: those go in a FIFO whose
// front is the earliest (O(1) per call, and calls that finish in order leave it at once). The rare
// out-of-order deadline goes in a small binary heap.

export interface Deadline {
  readonly deadline: number;
  /** Set by the owner when the call completed; the queue then just drops it. */
  done: boolean;
  expire(): void;
}

export class DeadlineQueue {
  private fifo: Deadline[] = [];
  private head = 0;
  private readonly heap: Deadline[] = [];

  get size(): number {
    return this.fifo.length - this.head + this.heap.length;
  }

  push(item: Deadline): void {
    const last = this.fifo[this.fifo.length - 1];
    if (this.head === this.fifo.length || (last !== undefined && item.deadline >= last.deadline)) {
      this.fifo.push(item);
    } else {
      this.heapPush(item);
    }
  }

  /** Expires every item whose deadline is <= now and drops finished ones at the front. */
  expire(now: number): void {
    while (this.head < this.fifo.length) {
      const item = this.fifo[this.head]!;
      if (!item.done && item.deadline > now) break;
      this.head++;
      if (!item.done) {
        item.done = true;
        item.expire();
      }
    }
    if (this.head > 1024 && this.head * 2 > this.fifo.length) {
      this.fifo = this.fifo.slice(this.head);
      this.head = 0;
    } else if (this.head === this.fifo.length) {
      this.fifo.length = 0;
      this.head = 0;
    }
    while (this.heap.length > 0) {
      const top = this.heap[0]!;
      if (!top.done && top.deadline > now) break;
      this.heapPop();
      if (!top.done) {
        top.done = true;
        top.expire();
      }
    }
  }

  /** Removes everything and hands back the items not yet done (for shutdown). */
  drain(): Deadline[] {
    const out = this.fifo
      .slice(this.head)
      .concat(this.heap)
      .filter((d) => !d.done);
    this.fifo = [];
    this.head = 0;
    this.heap.length = 0;
    return out;
  }

  private heapPush(item: Deadline): void {
    const h = this.heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.deadline <= item.deadline) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = item;
  }

  private heapPop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && h[r]!.deadline < h[l]!.deadline ? r : l;
      if (h[c]!.deadline >= last.deadline) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
}
