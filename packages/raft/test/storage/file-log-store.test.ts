import { describe, expect, it } from "vitest";
import { FileLogStore } from "../../src/storage/file-log-store.js";
import type { LogStore } from "../../src/storage/types.js";
import { plain, range, tempDir } from "./helpers.js";
import { logStoreContract } from "./log-store-contract.js";

// Tiny segments so the contract also exercises rollover, cross-segment reads, truncation into an
// earlier segment and whole-segment compaction; a tiny cache so reads go to the disk.
const SMALL = { maxSegmentBytes: 600, maxCachedEntries: 4, maxCachedBytes: 1024 };

for (const [label, opts] of [
  ["default segments", {}],
  ["600-byte segments, 4-entry cache", SMALL],
] as const) {
  logStoreContract(`FileLogStore (${label})`, async () => {
    const tmp = await tempDir("log");
    const open: FileLogStore[] = [];
    return {
      open: async () => {
        const s = await FileLogStore.open(tmp.dir, opts);
        open.push(s);
        return s;
      },
      reopen: async (store: LogStore) => {
        await store.close();
        const s = await FileLogStore.open(tmp.dir, opts);
        open.push(s);
        return s;
      },
      cleanup: async () => {
        for (const s of open) await s.close();
        await tmp.cleanup();
      },
    };
  });
}

describe("FileLogStore segments", () => {
  it("rolls over to new segments and compaction deletes whole old segments only", async () => {
    const tmp = await tempDir("seg");
    try {
      const { readdirSync } = await import("node:fs");
      const store = await FileLogStore.open(tmp.dir, SMALL);
      await store.append(range(1, 100, 1, 40));
      const segs = () => readdirSync(tmp.dir).filter((n) => n.endsWith(".wal"));
      const before = segs().length;
      expect(before).toBeGreaterThan(5);
      await store.compact(50);
      const after = segs().length;
      expect(after).toBeLessThan(before);
      expect(after).toBeGreaterThan(1);
      expect(plain(store.entries(51, 100))).toEqual(plain(range(51, 100, 1, 40)));
      await store.close();
      const again = await FileLogStore.open(tmp.dir, SMALL);
      expect(again.firstIndex()).toBe(51);
      expect(plain(again.entries(51, 100))).toEqual(plain(range(51, 100, 1, 40)));
      await again.close();
    } finally {
      await tmp.cleanup();
    }
  });
});
