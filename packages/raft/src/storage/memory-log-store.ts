// In-memory LogStore twin. By default every append is "durable" at once; with `manualSync` the
// twin models a disk for the simulator: appends become durable only when `sync()` runs, and
// `crash()` returns a new store holding only what was synced (unsynced writes are lost, exactly
// what a process crash does to a real store).
import type { LogEntry } from "../core/types.js";
import { StorageError } from "./errors.js";
import { checkAppend, checkRange } from "./log-checks.js";
import type { LogStore } from "./types.js";

export interface MemoryLogStoreOptions {
  /** Appends stay pending (their promises unresolved) until `sync()`; see the file comment. */
  readonly manualSync?: boolean;
}

export interface LogStoreStats {
  /** Calls to `append` with at least one entry. */
  appends: number;
  entriesAppended: number;
  /** Group commits: each one made every pending append durable at once. */
  syncs: number;
}

/** A log as an array plus the index of its first element; shared by the visible and durable views. */
class LogImage {
  constructor(
    public first = 1,
    public items: LogEntry[] = [],
  ) {}

  get last(): number {
    return this.first + this.items.length - 1;
  }

  append(entries: readonly LogEntry[]): void {
    const head = entries[0];
    if (head === undefined) return;
    this.items.length = head.index - this.first; // drops a conflicting suffix, if any
    for (const e of entries) this.items.push(e);
  }

  compact(index: number): void {
    if (index < this.first) return;
    if (index >= this.last) {
      this.items = [];
    } else {
      this.items.splice(0, index - this.first + 1);
    }
    this.first = index + 1;
  }

  clone(): LogImage {
    return new LogImage(this.first, this.items.slice());
  }
}

interface PendingOp {
  readonly applyDurable: (image: LogImage) => void;
  readonly resolve: () => void;
}

export class MemoryLogStore implements LogStore {
  private readonly manualSync: boolean;
  private visible: LogImage;
  /** With manualSync, the synced image; otherwise the same object as `visible`. */
  private durable: LogImage;
  private pending: PendingOp[] = [];
  private closed = false;
  readonly stats: LogStoreStats = { appends: 0, entriesAppended: 0, syncs: 0 };

  constructor(options: MemoryLogStoreOptions = {}, image?: LogImage) {
    this.manualSync = options.manualSync ?? false;
    this.visible = image ?? new LogImage();
    this.durable = this.manualSync ? this.visible.clone() : this.visible;
  }

  firstIndex(): number {
    this.assertOpen();
    return this.visible.first;
  }

  lastIndex(): number {
    this.assertOpen();
    return this.visible.last;
  }

  entries(lo: number, hi: number): LogEntry[] {
    this.assertOpen();
    checkRange(lo, hi, this.visible.first, this.visible.last);
    if (lo > hi) return [];
    return this.visible.items.slice(lo - this.visible.first, hi - this.visible.first + 1);
  }

  append(entries: readonly LogEntry[]): Promise<void> {
    let batch: LogEntry[];
    try {
      this.assertOpen();
      batch = checkAppend(entries, this.visible.first, this.visible.last).slice();
    } catch (err) {
      return Promise.reject(err);
    }
    if (batch.length === 0) return Promise.resolve();
    this.stats.appends++;
    this.stats.entriesAppended += batch.length;
    this.visible.append(batch);
    if (!this.manualSync) {
      this.stats.syncs++;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.pending.push({ applyDurable: (image) => image.append(batch), resolve });
    });
  }

  compact(index: number): Promise<void> {
    try {
      this.assertOpen();
    } catch (err) {
      return Promise.reject(err);
    }
    this.visible.compact(index);
    if (!this.manualSync) return Promise.resolve();
    return new Promise((resolve) => {
      this.pending.push({ applyDurable: (image) => image.compact(index), resolve });
    });
  }

  /** Appends (and compactions) not yet made durable by `sync()`. */
  pendingCount(): number {
    return this.pending.length;
  }

  /** Makes every pending write durable with one "fsync" and resolves their promises in order. */
  sync(): void {
    if (this.pending.length === 0) return;
    const ops = this.pending;
    this.pending = [];
    for (const op of ops) op.applyDurable(this.durable);
    this.stats.syncs++;
    for (const op of ops) op.resolve();
  }

  /**
   * Simulates a process crash: this store becomes unusable and the returned store holds only the
   * synced state. Promises of lost writes never settle, as with a process that died.
   */
  crash(): MemoryLogStore {
    this.closed = true;
    this.pending = [];
    return new MemoryLogStore({ manualSync: this.manualSync }, this.durable.clone());
  }

  /** A clean shutdown: pending writes are made durable first, as a real store flushes on close. */
  close(): Promise<void> {
    if (!this.closed) this.sync();
    this.closed = true;
    return Promise.resolve();
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageError("CLOSED", "log store is closed");
  }
}
