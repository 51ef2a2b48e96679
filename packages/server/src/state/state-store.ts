// The server's state: one immutable Tables value swapped atomically by each write. Readers take
// snapshots (a reference, O(1)); writes come only from the FSM, each at its Raft index.
import { serializeTables, deserializeTables } from "./serialize.js";
import { TablesSnapshot } from "./snapshot.js";
import { emptyTables, type Tables } from "./tables.js";
import { StateTxn } from "./txn.js";
import type { StateSnapshot, TableName } from "./types.js";
import { Waiters } from "./waiters.js";

export interface StateStoreOptions {
  /** Concurrent blocking queries allowed; more are refused with an error. */
  maxWaiters?: number;
}

/** Blocking queries each hold a timer and a closure; 10k covers many clients watching. */
const DEFAULT_MAX_WAITERS = 10_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

export class StateStore {
  private tables: Tables = emptyTables();
  /** Reused until the next write so repeated readers share its memoised lists. */
  private current: TablesSnapshot | null = null;
  private readonly waiters: Waiters;

  constructor(options: StateStoreOptions = {}) {
    this.waiters = new Waiters(options.maxWaiters ?? DEFAULT_MAX_WAITERS);
  }

  snapshot(): StateSnapshot {
    if (this.current === null) this.current = new TablesSnapshot(this.tables);
    return this.current;
  }

  latestIndex(): number {
    return this.tables.indexes.index;
  }

  index(table: TableName): number {
    return this.tables.indexes[table];
  }

  /** Blocking queries waiting right now. */
  waiterCount(): number {
    return this.waiters.size();
  }

  /**
   * Resolves with the highest index of `tables` once one of them passes `minIndex`, or with
   * the current one at the timeout or when `signal` aborts. Never rejects for those reasons;
   * rejects only when too many queries are already blocked.
   */
  waitForChange(
    tables: readonly TableName[],
    minIndex: number,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<number> {
    const indexOf = (): number => Math.max(0, ...tables.map((t) => this.tables.indexes[t]));
    if (indexOf() > minIndex || timeoutMs <= 0 || signal?.aborted === true || tables.length === 0)
      return Promise.resolve(indexOf());
    return new Promise<number>((resolve, reject) => {
      let remove: () => void = () => undefined;
      const done = (): void => {
        remove();
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve(indexOf());
      };
      // Node's timers overflow past 2^31-1 ms and would fire at once.
      const timer = setTimeout(done, Math.min(timeoutMs, MAX_TIMER_MS));
      // A pending blocking query must not keep a stopping process alive.
      timer.unref();
      try {
        remove = this.waiters.add({ tables, minIndex, wake: done });
      } catch (err) {
        clearTimeout(timer);
        reject(err as Error);
        return;
      }
      signal?.addEventListener("abort", done, { once: true });
    });
  }

  /** Answers every blocked query now with the current index (server shutdown). */
  wakeAll(): void {
    this.waiters.notifyAll();
  }

  /**
   * Runs `fn` as one transaction at Raft index `index`: all of its changes become visible
   * together, or none if it throws. Only the FSM calls this.
   */
  write<T>(index: number, fn: (txn: StateTxn) => T): { result: T; txn: StateTxn } {
    // Raft applies in index order; going backwards would break blocking queries' monotonic indexes.
    if (index < this.tables.indexes.index)
      throw new Error(`write index ${index} is below the latest index ${this.tables.indexes.index}`);
    const txn = new StateTxn(this.tables, index);
    const result = fn(txn);
    const next = txn.commit();
    if (next !== this.tables && txn.touchedTables().size > 0) {
      this.tables = next;
      this.current = null;
      this.waiters.notify([...txn.touchedTables(), "index"], (t) => this.tables.indexes[t]);
    }
    return { result, txn };
  }

  /**
   * A snapshot of `base` with `fn`'s writes applied, without touching the store (the plan
   * applier's optimistic state, Job.Plan). `index` is the index the writes are stamped with.
   */
  static speculate(base: StateSnapshot, index: number, fn: (txn: StateTxn) => void): StateSnapshot {
    if (!(base instanceof TablesSnapshot)) throw new Error("speculate needs a snapshot from a StateStore");
    const txn = new StateTxn(base.tables, index);
    fn(txn);
    return new TablesSnapshot(txn.commit());
  }

  /** The bytes of a snapshot taken earlier (what a Raft snapshot persists). */
  static serializeSnapshot(snap: StateSnapshot): Uint8Array {
    if (!(snap instanceof TablesSnapshot))
      throw new Error("serializeSnapshot needs a snapshot from a StateStore");
    return serializeTables(snap.tables);
  }

  serialize(): Uint8Array {
    return serializeTables(this.tables);
  }

  /** Replaces the whole state (Raft snapshot install); every blocked query is woken. */
  restoreFrom(serialized: Uint8Array): void {
    this.tables = deserializeTables(serialized);
    this.current = null;
    this.waiters.notifyAll();
  }
}
