// Writing snapshots to the SnapshotStore. The bytes are also collected, because the newest
// snapshot is served to followers from memory (SnapshotCache) and the stores read asynchronously.
import type { SnapshotMeta } from "../core/types.js";
import type { FSMSnapshot, SnapshotSink, SnapshotStore } from "../storage/types.js";

/** Persists an FSM snapshot (off the apply path) and returns its bytes once durable. */
export async function writeFsmSnapshot(
  store: SnapshotStore,
  meta: SnapshotMeta,
  snapshot: FSMSnapshot,
): Promise<Uint8Array> {
  const sink = new TeeSink(store.create(meta));
  try {
    await snapshot.persist(sink);
    // An FSM may close the sink itself (hashicorp/raft's habit); closing twice is harmless here.
    await sink.close();
  } catch (e) {
    await sink.cancel().catch(() => undefined);
    throw e;
  } finally {
    snapshot.release?.();
  }
  return sink.bytes();
}

/** Persists a snapshot received from the leader, before the FSM is restored from it. */
export async function writeReceivedSnapshot(
  store: SnapshotStore,
  meta: SnapshotMeta,
  data: Uint8Array,
): Promise<void> {
  const sink = store.create(meta);
  try {
    await writeSliced(sink, [data]);
    await sink.close();
  } catch (e) {
    await sink.cancel().catch(() => undefined);
    throw e;
  }
}

/** Bytes handed to the store per event-loop turn: its writes are synchronous. */
const SLICE_BYTES = 256 * 1024;

/**
 * Collects what the FSM writes (the bytes are also the newest snapshot in the SnapshotCache) and
 * passes it to the store's sink in slices, one per event-loop turn, when the FSM closes or the
 * runtime closes it. A store with synchronous writes (FileSnapshotStore) would otherwise stall
 * replication for the whole image: 20-100 ms for 6.5 MB on this machine.
 */
class TeeSink implements SnapshotSink {
  // One growing buffer: each chunk is copied once (the FSM may reuse its buffer after write
  // returns) and the result doubles as the cached image, without a second concatenation.
  private buf = new Uint8Array(64 * 1024);
  private length = 0;
  private closing: Promise<void> | undefined;
  private cancelled = false;

  constructor(private readonly inner: SnapshotSink) {}

  write(chunk: Uint8Array): void {
    if (this.closing !== undefined || this.cancelled) throw new Error("snapshot sink is closed");
    const needed = this.length + chunk.length;
    if (needed > this.buf.length) {
      const grown = new Uint8Array(Math.max(needed, this.buf.length * 2));
      grown.set(this.buf.subarray(0, this.length));
      this.buf = grown;
    }
    this.buf.set(chunk, this.length);
    this.length = needed;
  }

  close(): Promise<void> {
    this.closing ??= this.drain();
    return this.closing;
  }

  cancel(): Promise<void> {
    if (this.cancelled) return Promise.resolve();
    this.cancelled = true;
    return this.inner.cancel();
  }

  /** The snapshot's bytes; trimmed to size when doubling left much unused room. */
  bytes(): Uint8Array {
    const view = this.buf.subarray(0, this.length);
    return this.buf.length > this.length * 1.25 ? view.slice() : view;
  }

  private async drain(): Promise<void> {
    await writeSliced(this.inner, [this.buf.subarray(0, this.length)]);
    await this.inner.close();
  }
}

/** Writes `chunks` to `sink` at most SLICE_BYTES per event-loop turn. */
async function writeSliced(sink: SnapshotSink, chunks: readonly Uint8Array[]): Promise<void> {
  for (const chunk of chunks) {
    for (let at = 0; at < chunk.length; at += SLICE_BYTES) {
      sink.write(chunk.subarray(at, Math.min(chunk.length, at + SLICE_BYTES)));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
