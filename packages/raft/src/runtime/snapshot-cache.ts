// The SnapshotSource the core reads synchronously when it streams a snapshot to a follower.
// The stores' reads are async, so the runtime keeps snapshot bytes in memory: always the newest,
// plus any older one a stream is still reading. Under load a leader may take several snapshots
// while a slow follower receives one; dropping the image under that stream would make the core's
// read fail. The core re-sends an unacknowledged chunk every heartbeat, so a live stream reads at
// least that often; an image unread for `idleMs` belongs to an abandoned stream and is released.
import type { SnapshotSource } from "../core/api.js";
import type { SnapshotMeta } from "../core/types.js";

interface Cached {
  readonly meta: SnapshotMeta;
  readonly data: Uint8Array;
  lastReadMs: number;
}

export class SnapshotCache implements SnapshotSource {
  private readonly byIndex = new Map<number, Cached>();
  private newest: Cached | undefined;

  constructor(
    private readonly idleMs = 30_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  set(meta: SnapshotMeta, data: Uint8Array): void {
    if (this.newest !== undefined && meta.index <= this.newest.meta.index) return;
    const entry: Cached = { meta, data, lastReadMs: -Infinity };
    this.byIndex.set(meta.index, entry);
    this.newest = entry;
    this.release();
  }

  latest(): SnapshotMeta | undefined {
    return this.newest?.meta;
  }

  /** How many snapshot images are held (the newest plus those still being streamed). */
  get size(): number {
    return this.byIndex.size;
  }

  read(meta: SnapshotMeta, offset: number, maxBytes: number): { data: Uint8Array; totalBytes: number } {
    const c = this.byIndex.get(meta.index);
    if (c === undefined) {
      throw new Error(
        `snapshot at index ${meta.index} is no longer available (newest: ${this.newest?.meta.index})`,
      );
    }
    c.lastReadMs = this.now();
    const end = Math.min(c.data.length, offset + maxBytes);
    return { data: c.data.subarray(Math.min(offset, end), end), totalBytes: c.data.length };
  }

  /** Releases older images no stream has read for `idleMs` (the newest is always kept). */
  release(): void {
    const now = this.now();
    for (const [index, c] of this.byIndex) {
      if (c !== this.newest && now - c.lastReadMs > this.idleMs) this.byIndex.delete(index);
    }
  }
}
