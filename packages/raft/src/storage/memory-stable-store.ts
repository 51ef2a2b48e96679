// In-memory StableStore twin. With `manualSync`, a saved state becomes durable (and `save`
// resolves) only at `sync()`, and `crash()` returns a store holding the last synced state, so the
// simulator can check that no vote leaves a node before it is durable.
import type { HardState } from "../core/types.js";
import { StorageError } from "./errors.js";
import type { StableStore } from "./types.js";

export interface MemoryStableStoreOptions {
  readonly manualSync?: boolean;
  readonly initial?: HardState;
}

export class MemoryStableStore implements StableStore {
  private readonly manualSync: boolean;
  private visible: HardState;
  private durable: HardState;
  private pending: { state: HardState; resolve: () => void }[] = [];
  private closed = false;
  readonly stats = { saves: 0, syncs: 0 };

  constructor(options: MemoryStableStoreOptions = {}) {
    this.manualSync = options.manualSync ?? false;
    this.visible = options.initial ?? { term: 0, vote: "" };
    this.durable = this.visible;
  }

  load(): HardState {
    this.assertOpen();
    return this.visible;
  }

  save(state: HardState): Promise<void> {
    try {
      this.assertOpen();
    } catch (err) {
      return Promise.reject(err);
    }
    this.stats.saves++;
    this.visible = { term: state.term, vote: state.vote };
    if (!this.manualSync) {
      this.durable = this.visible;
      this.stats.syncs++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.pending.push({ state: this.visible, resolve }));
  }

  pendingCount(): number {
    return this.pending.length;
  }

  sync(): void {
    const last = this.pending[this.pending.length - 1];
    if (last === undefined) return;
    const ops = this.pending;
    this.pending = [];
    this.durable = last.state;
    this.stats.syncs++;
    for (const op of ops) op.resolve();
  }

  /** This store becomes unusable; the returned one holds only the synced state. */
  crash(): MemoryStableStore {
    this.closed = true;
    this.pending = [];
    return new MemoryStableStore({ manualSync: this.manualSync, initial: this.durable });
  }

  close(): Promise<void> {
    if (!this.closed) this.sync();
    this.closed = true;
    return Promise.resolve();
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageError("CLOSED", "stable store is closed");
  }
}
