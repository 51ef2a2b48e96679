// Blocking-query waiters: each waits on a set of tables and is woken by the commit that
// raises one of them past its minIndex. Waiters are filed per table, so a commit only looks
// at the waiters of the tables it touched (no polling, no scan of unrelated waiters).
import type { TableName } from "./types.js";

interface Waiter {
  readonly tables: readonly TableName[];
  readonly minIndex: number;
  wake(): void;
}

export class Waiters {
  private readonly byTable = new Map<TableName, Set<Waiter>>();
  private count = 0;

  constructor(
    /** Beyond this many concurrent waiters new ones are refused (each holds a timer and a promise). */
    readonly maxWaiters: number,
  ) {}

  size(): number {
    return this.count;
  }

  add(w: Waiter): () => void {
    if (this.count >= this.maxWaiters) throw new Error(`too many blocking queries (max ${this.maxWaiters})`);
    for (const t of w.tables) {
      let set = this.byTable.get(t);
      if (set === undefined) this.byTable.set(t, (set = new Set()));
      set.add(w);
    }
    this.count++;
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      this.count--;
      for (const t of w.tables) this.byTable.get(t)?.delete(w);
    };
  }

  /** After a commit: wake waiters of `touched` tables whose minIndex the new indexes passed. */
  notify(touched: Iterable<TableName>, indexOf: (t: TableName) => number): void {
    const due = new Set<Waiter>();
    for (const t of touched) {
      const set = this.byTable.get(t);
      if (set === undefined) continue;
      for (const w of set) if (indexOf(t) > w.minIndex) due.add(w);
    }
    for (const w of due) w.wake();
  }

  /** Wakes everyone (restore replaced the whole state). */
  notifyAll(): void {
    const all = new Set<Waiter>();
    for (const set of this.byTable.values()) for (const w of set) all.add(w);
    for (const w of all) w.wake();
  }
}
