// The SnapshotSource the core reads synchronously when it streams a snapshot to a follower.
// The stores' reads are async, so the runtime keeps the newest snapshot's bytes in memory (one
// FSM image; the previous one is kept too, so a stream that began before a newer snapshot was
// taken can finish instead of restarting).
import type { SnapshotSource } from "../core/api.js";
import type { SnapshotMeta } from "../core/types.js";

interface Cached {
  readonly meta: SnapshotMeta;
  readonly data: Uint8Array;
}

export class SnapshotCache implements SnapshotSource {
  private newest: Cached | undefined;
  private previous: Cached | undefined;

  set(meta: SnapshotMeta, data: Uint8Array): void {
    if (this.newest !== undefined && meta.index <= this.newest.meta.index) return;
    this.previous = this.newest;
    this.newest = { meta, data };
  }

  latest(): SnapshotMeta | undefined {
    return this.newest?.meta;
  }

  latestData(): Uint8Array | undefined {
    return this.newest?.data;
  }

  read(meta: SnapshotMeta, offset: number, maxBytes: number): { data: Uint8Array; totalBytes: number } {
    const c = [this.newest, this.previous].find((s) => s !== undefined && s.meta.index === meta.index);
    if (c === undefined) {
      throw new Error(
        `snapshot at index ${meta.index} is no longer available (newest: ${this.newest?.meta.index})`,
      );
    }
    const end = Math.min(c.data.length, offset + maxBytes);
    return { data: c.data.subarray(Math.min(offset, end), end), totalBytes: c.data.length };
  }
}
