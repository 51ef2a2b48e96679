import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isStorageError } from "../../src/storage/errors.js";
import { FileSnapshotStore, type SkippedSnapshot } from "../../src/storage/file-snapshot-store.js";
import type { SnapshotStore } from "../../src/storage/types.js";
import { tempDir } from "./helpers.js";
import { bytes, meta, snapshotStoreContract, writeSnapshot } from "./snapshot-store-contract.js";

snapshotStoreContract("FileSnapshotStore", async () => {
  const tmp = await tempDir("snap");
  return {
    open: async (retain?: number) => FileSnapshotStore.open(tmp.dir, retain === undefined ? {} : { retain }),
    reopen: async (store: SnapshotStore, retain?: number) => {
      await store.close();
      return FileSnapshotStore.open(tmp.dir, retain === undefined ? {} : { retain });
    },
    cleanup: tmp.cleanup,
  };
});

async function withStore(
  fn: (store: FileSnapshotStore, root: string, dir: string, skipped: SkippedSnapshot[]) => Promise<void>,
): Promise<void> {
  const tmp = await tempDir("snap");
  const skipped: SkippedSnapshot[] = [];
  try {
    const store = await FileSnapshotStore.open(tmp.dir, { onSkipped: (s) => skipped.push(s) });
    await fn(store, join(tmp.dir, "snapshots"), tmp.dir, skipped);
  } finally {
    await tmp.cleanup();
  }
}

describe("FileSnapshotStore", () => {
  it("stores each snapshot in snapshots/<term>-<index>-<seq>/ with state.bin and meta.json", async () => {
    await withStore(async (store, root) => {
      await writeSnapshot(store, meta(10, 3), bytes(100, 1));
      expect(readdirSync(root)).toEqual(["3-10-1"]);
      expect(readdirSync(join(root, "3-10-1")).sort()).toEqual(["meta.json", "state.bin"]);
    });
  });

  it("a flipped bit in the data makes open throw CORRUPT naming the file", async () => {
    await withStore(async (store, root) => {
      await writeSnapshot(store, meta(10, 3), bytes(1000, 1));
      const file = join(root, "3-10-1", "state.bin");
      const data = readFileSync(file);
      data[500]! ^= 0x10;
      writeFileSync(file, data);
      await expect(store.open("3-10-1")).rejects.toSatisfy(
        (e) => isStorageError(e, "CORRUPT") && e.file === file,
      );
    });
  });

  it("list skips and reports a damaged meta, a truncated data file and a half-written temp dir", async () => {
    await withStore(async (store, root, _dir, skipped) => {
      await writeSnapshot(store, meta(10, 1), bytes(100, 1));
      await writeSnapshot(store, meta(20, 1), bytes(100, 2));
      // Damage the newest's meta and truncate the older's data.
      const metaFile = join(root, "1-20-2", "meta.json");
      writeFileSync(metaFile, readFileSync(metaFile, "utf8").replace('"index\\":20', '"index\\":21'));
      writeFileSync(join(root, "1-10-1", "state.bin"), bytes(50, 1));
      mkdirSync(join(root, "1-30-3.tmp")); // a sink in progress (or a crash during one)
      mkdirSync(join(root, "1-5-0.deleting")); // a crash while pruning
      expect(store.list()).toEqual([]);
      expect(skipped.map((s) => s.id).sort()).toEqual(["1-10-1", "1-20-2"]);
      expect(skipped.find((s) => s.id === "1-20-2")?.reason).toMatch(/checksum/);
      expect(skipped.find((s) => s.id === "1-10-1")?.reason).toMatch(/50 bytes/);
    });
  });

  it("a crash before close leaves nothing visible, and reopening removes temp and half-deleted dirs", async () => {
    await withStore(async (store, root, dir) => {
      await writeSnapshot(store, meta(10, 1), bytes(100, 1));
      const sink = store.create(meta(20, 1));
      sink.write(bytes(100, 2)); // never closed: the process "dies" here
      expect(store.list().map((s) => s.meta.index)).toEqual([10]);
      mkdirSync(join(root, "1-9-0.deleting")); // and a crash in the middle of pruning
      const again = await FileSnapshotStore.open(dir);
      expect(readdirSync(root).sort()).toEqual(["1-10-1"]);
      // The next id never reuses a seq seen before the crash.
      await writeSnapshot(again, meta(30, 1), bytes(10, 3));
      expect(again.list().map((s) => s.id)).toEqual(["1-30-2", "1-10-1"]);
    });
  });

  it("retention keeps the newest two and leaves damaged ones for inspection", async () => {
    await withStore(async (store, root) => {
      await writeSnapshot(store, meta(10, 1), bytes(10, 1));
      writeFileSync(join(root, "1-10-1", "state.bin"), bytes(3, 1)); // damaged
      for (const i of [20, 30, 40]) await writeSnapshot(store, meta(i, 1), bytes(10, i));
      expect(store.list().map((s) => s.meta.index)).toEqual([40, 30]);
      expect(readdirSync(root).sort()).toEqual(["1-10-1", "1-30-3", "1-40-4"]);
    });
  });
});
