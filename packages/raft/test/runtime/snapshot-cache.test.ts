import { describe, expect, it } from "vitest";
import type { SnapshotMeta } from "../../src/core/types.js";
import { SnapshotCache } from "../../src/runtime/snapshot-cache.js";

const meta = (index: number): SnapshotMeta => ({
  index,
  term: 1,
  configuration: { servers: [] },
  configurationIndex: 0,
});
const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

describe("SnapshotCache (the core's synchronous snapshot source)", () => {
  it("serves chunks of the newest snapshot with its total size", () => {
    const c = new SnapshotCache();
    c.set(meta(10), bytes(10, 1));
    expect(c.latest()?.index).toBe(10);
    expect(c.read(meta(10), 4, 4)).toEqual({ data: bytes(4, 1), totalBytes: 10 });
    expect(c.read(meta(10), 8, 4).data).toHaveLength(2);
  });

  it("keeps an older snapshot while a stream reads it, even after several newer ones", () => {
    let now = 0;
    const c = new SnapshotCache(1_000, () => now);
    c.set(meta(10), bytes(8, 1));
    c.read(meta(10), 0, 4); // a stream to a slow follower began
    for (const index of [20, 30, 40]) {
      now += 300;
      c.set(meta(index), bytes(8, 2));
      c.read(meta(10), 4, 4); // the stream goes on
    }
    expect(c.read(meta(10), 4, 4).data).toEqual(bytes(4, 1));
    expect(c.latest()?.index).toBe(40);
    // 20 and 30 were never read: released as soon as a newer one came.
    expect(c.size).toBe(2);
  });

  it("releases an older snapshot once no stream has read it for the idle time", () => {
    let now = 0;
    const c = new SnapshotCache(1_000, () => now);
    c.set(meta(10), bytes(8, 1));
    c.read(meta(10), 0, 4);
    c.set(meta(20), bytes(8, 2));
    now += 1_001;
    c.release();
    expect(() => c.read(meta(10), 4, 4)).toThrow(/no longer available/);
    expect(c.read(meta(20), 0, 8).totalBytes).toBe(8);
  });

  it("ignores a snapshot older than the newest", () => {
    const c = new SnapshotCache();
    c.set(meta(20), bytes(4, 2));
    c.set(meta(10), bytes(4, 1));
    expect(c.latest()?.index).toBe(20);
    expect(c.size).toBe(1);
  });
});
