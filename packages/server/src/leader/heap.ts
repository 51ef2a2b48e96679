/**
 * A binary min-heap under a caller-given order (`less(a, b)` = a comes out first). Used by
 * the eval broker's ready, pending and delay queues and by the plan queue.
 */
export class Heap<T> {
  private readonly items: T[] = [];

  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    this.items.push(item);
    this.up(this.items.length - 1);
  }

  pop(): T | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const top = items[0];
    const last = items.pop() as T;
    if (items.length > 0) {
      items[0] = last;
      this.down(0);
    }
    return top;
  }

  /** Removes the first item matching `pred` (O(n)); returns it, or undefined. */
  remove(pred: (item: T) => boolean): T | undefined {
    const i = this.items.findIndex(pred);
    if (i < 0) return undefined;
    const items = this.items;
    const found = items[i] as T;
    const last = items.pop() as T;
    if (i < items.length) {
      items[i] = last;
      this.down(i);
      this.up(i);
    }
    return found;
  }

  /** Empties the heap and returns its items in no particular order. */
  drain(): T[] {
    return this.items.splice(0, this.items.length);
  }

  values(): readonly T[] {
    return this.items;
  }

  private up(i: number): void {
    const items = this.items;
    const item = items[i] as T;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent] as T;
      if (!this.less(item, p)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = item;
  }

  private down(i: number): void {
    const items = this.items;
    const n = items.length;
    const item = items[i] as T;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && this.less(items[r] as T, items[l] as T)) c = r;
      if (!this.less(items[c] as T, item)) break;
      items[i] = items[c] as T;
      i = c;
    }
    items[i] = item;
  }
}
