import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isStorageError } from "../../src/storage/errors.js";
import { FileStableStore, MAX_VOTE_BYTES } from "../../src/storage/file-stable-store.js";
import type { StableStore } from "../../src/storage/types.js";
import { tempDir } from "./helpers.js";
import { stableStoreContract } from "./stable-store-contract.js";

stableStoreContract("FileStableStore", async () => {
  const tmp = await tempDir("stable");
  const opened: StableStore[] = [];
  return {
    open: async () => {
      const s = await FileStableStore.open(tmp.dir);
      opened.push(s);
      return s;
    },
    reopen: async (store) => {
      await store.close();
      const s = await FileStableStore.open(tmp.dir);
      opened.push(s);
      return s;
    },
    cleanup: async () => {
      for (const s of opened) await s.close();
      await tmp.cleanup();
    },
  };
});

describe("FileStableStore durability", () => {
  it("each save is fdatasynced before it resolves; concurrent saves share syncs", async () => {
    const tmp = await tempDir("stable");
    try {
      const store = await FileStableStore.open(tmp.dir);
      await store.save({ term: 1, vote: "a" });
      expect(store.stats.fsyncs).toBe(1);
      await Promise.all(Array.from({ length: 20 }, (_, i) => store.save({ term: i + 2, vote: "b" })));
      expect(store.stats.fsyncs).toBeLessThanOrEqual(3); // the first write, then one for all queued behind it
      await store.close();
    } finally {
      await tmp.cleanup();
    }
  });

  it("a torn write of the slot being replaced falls back to the previous state", async () => {
    const tmp = await tempDir("stable");
    try {
      const store = await FileStableStore.open(tmp.dir);
      await store.save({ term: 7, vote: "n1" }); // seq 2 -> slot 0
      await store.save({ term: 8, vote: "n2" }); // seq 3 -> slot 1
      await store.close();
      const file = join(tmp.dir, "stable");
      const bytes = readFileSync(file);
      bytes.fill(0, 512 + 100, 1024); // the newest slot half-written
      writeFileSync(file, bytes);
      const again = await FileStableStore.open(tmp.dir);
      expect(again.load()).toEqual({ term: 7, vote: "n1" });
      await again.save({ term: 9, vote: "n3" }); // must overwrite the damaged slot, not the good one
      await again.close();
      const third = await FileStableStore.open(tmp.dir);
      expect(third.load()).toEqual({ term: 9, vote: "n3" });
      await third.close();
    } finally {
      await tmp.cleanup();
    }
  });

  it("a save torn at any byte leaves the previous state, never a mix", async () => {
    const tmp = await tempDir("stable");
    try {
      const a = join(tmp.dir, "a");
      const store = await FileStableStore.open(a);
      await store.save({ term: 7, vote: "n1" }); // seq 2 -> slot 0
      await store.save({ term: 8, vote: "n2" }); // seq 3 -> slot 1
      await store.close();
      const b = join(tmp.dir, "b");
      cpSync(a, b, { recursive: true });
      const next = await FileStableStore.open(b);
      await next.save({ term: 9, vote: "n3" }); // seq 4 -> slot 0
      await next.close();
      const before = readFileSync(join(a, "stable"));
      const after = readFileSync(join(b, "stable"));
      for (let cut = 0; cut <= 512; cut++) {
        const torn = Buffer.from(before);
        after.copy(torn, 0, 0, cut);
        writeFileSync(join(b, "stable"), torn);
        const reopened = await FileStableStore.open(b);
        expect(reopened.load(), `cut at ${cut}`).toEqual(
          cut === 512 ? { term: 9, vote: "n3" } : { term: 8, vote: "n2" },
        );
        await reopened.close();
      }
    } finally {
      await tmp.cleanup();
    }
  });

  it("both slots damaged is refused as CORRUPT naming the file", async () => {
    const tmp = await tempDir("stable");
    try {
      const store = await FileStableStore.open(tmp.dir);
      await store.save({ term: 2, vote: "x" });
      await store.close();
      const file = join(tmp.dir, "stable");
      const bytes = readFileSync(file);
      bytes[30]! ^= 0x01;
      bytes[512 + 30]! ^= 0x01;
      writeFileSync(file, bytes);
      await expect(FileStableStore.open(tmp.dir)).rejects.toSatisfy(
        (e) => isStorageError(e, "CORRUPT") && e.file === file,
      );
    } finally {
      await tmp.cleanup();
    }
  });

  it("a vote id too long for a slot is TOO_LARGE", async () => {
    const tmp = await tempDir("stable");
    try {
      const store = await FileStableStore.open(tmp.dir);
      await expect(store.save({ term: 1, vote: "x".repeat(MAX_VOTE_BYTES + 1) })).rejects.toSatisfy((e) =>
        isStorageError(e, "TOO_LARGE"),
      );
      await store.save({ term: 1, vote: "x".repeat(MAX_VOTE_BYTES) });
      await store.close();
    } finally {
      await tmp.cleanup();
    }
  });
});
