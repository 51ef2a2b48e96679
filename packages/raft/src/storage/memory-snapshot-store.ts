// In-memory SnapshotStore twin. A snapshot exists once its sink's `close` resolves; a crash
// (`crash()`) loses sinks still being written, never closed snapshots.
import type { SnapshotMeta } from "../core/types.js";
import { StorageError } from "./errors.js";
import { newestFirst, snapshotId } from "./snapshot-order.js";
import type { SnapshotSink, SnapshotStore, StoredSnapshot } from "./types.js";

interface Held {
  readonly id: string;
  readonly seq: number;
  readonly meta: SnapshotMeta;
  readonly data: Uint8Array;
}

export interface MemorySnapshotStoreOptions {
  /** How many snapshots to keep (hashicorp/raft's retain); older ones are dropped on each close. */
  readonly retain?: number;
}

export class MemorySnapshotStore implements SnapshotStore {
  private readonly retain: number;
  private held: Held[] = [];
  private nextSeq = 1;
  private closed = false;

  constructor(options: MemorySnapshotStoreOptions = {}, held: Held[] = []) {
    this.retain = options.retain ?? 2;
    if (!Number.isInteger(this.retain) || this.retain < 1)
      throw new RangeError(`retain must be >= 1, got ${this.retain}`);
    this.held = held.slice().sort(newestFirst);
    for (const h of held) this.nextSeq = Math.max(this.nextSeq, h.seq + 1);
  }

  create(meta: SnapshotMeta): SnapshotSink {
    this.assertOpen();
    const chunks: Uint8Array[] = [];
    // "open" -> "closed" | "cancelled"; close and cancel are idempotent so an FSM's persist may
    // close the sink (hashicorp/raft's convention) and the runtime may close it again.
    let state: "open" | "closed" | "cancelled" = "open";
    return {
      write: (chunk) => {
        if (state !== "open") throw new StorageError("CLOSED", `snapshot sink already ${state}`);
        chunks.push(chunk.slice());
      },
      close: async () => {
        if (state === "closed") return;
        if (state === "cancelled") throw new StorageError("CLOSED", "snapshot sink was cancelled");
        state = "closed";
        this.assertOpen();
        const seq = this.nextSeq++;
        this.held.push({ id: snapshotId(meta, seq), seq, meta, data: concat(chunks) });
        this.held.sort(newestFirst);
        this.held.length = Math.min(this.held.length, this.retain);
      },
      cancel: async () => {
        if (state === "open") state = "cancelled";
      },
    };
  }

  list(): StoredSnapshot[] {
    this.assertOpen();
    return this.held.map((h) => ({ id: h.id, meta: h.meta, sizeBytes: h.data.byteLength }));
  }

  async open(id: string): Promise<{ meta: SnapshotMeta; data: Uint8Array }> {
    return this.openSync(id);
  }

  /** Synchronous read, for a `SnapshotSource` the core reads chunks from. */
  openSync(id: string): { meta: SnapshotMeta; data: Uint8Array } {
    this.assertOpen();
    const h = this.held.find((x) => x.id === id);
    if (h === undefined) throw new StorageError("NOT_FOUND", `no snapshot ${id}`);
    return { meta: h.meta, data: h.data.slice() };
  }

  /** This store becomes unusable; the returned one holds every closed snapshot. */
  crash(): MemorySnapshotStore {
    this.closed = true;
    return new MemorySnapshotStore({ retain: this.retain }, this.held);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageError("CLOSED", "snapshot store is closed");
  }
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const c of chunks) size += c.byteLength;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
