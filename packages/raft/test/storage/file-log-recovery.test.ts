// Crash safety of the segmented log: what recovery makes of torn writes and of damaged bytes.
import {
  cpSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isStorageError } from "../../src/storage/errors.js";
import { FileLogStore } from "../../src/storage/file-log-store.js";
import { SEGMENT_HEADER_BYTES, encodeRecord } from "../../src/storage/wal-record.js";
import { entry, plain, range, tempDir } from "./helpers.js";

const SMALL = { maxSegmentBytes: 600, maxCachedEntries: 2, maxCachedBytes: 1024 };

let root: { dir: string; cleanup: () => Promise<void> };
let seq = 0;
beforeAll(async () => {
  root = await tempDir("recovery");
});
afterAll(async () => {
  await root.cleanup();
});
const freshDir = (): string => join(root.dir, `case-${++seq}`);

function segmentFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith(".wal"))
    .sort()
    .map((n) => join(dir, n));
}

/** A closed log of `n` entries (index i, term 1, 20 bytes each) in one segment. */
async function writeLog(dir: string, n: number, opts = {}): Promise<void> {
  const store = await FileLogStore.open(dir, opts);
  for (let i = 1; i <= n; i++) await store.append([entry(i, 1, "command", 20)]);
  await store.close();
}

const RECORD_BYTES = encodeRecord(entry(1, 1, "command", 20)).byteLength;

describe("FileLogStore recovery", () => {
  it("a torn last record, cut at every byte offset, is dropped and every complete record survives", async () => {
    const base = freshDir();
    await writeLog(base, 5);
    const [segment] = segmentFiles(base);
    const full = statSync(segment!).size;
    const lastStart = full - RECORD_BYTES;
    expect(lastStart).toBe(SEGMENT_HEADER_BYTES + 4 * RECORD_BYTES);
    for (let cut = lastStart; cut < full; cut++) {
      const dir = freshDir();
      cpSync(base, dir, { recursive: true });
      truncateSync(segmentFiles(dir)[0]!, cut);
      const store = await FileLogStore.open(dir, SMALL);
      expect(store.lastIndex(), `cut at ${cut}`).toBe(4);
      expect(plain(store.entries(1, 4))).toEqual(plain(range(1, 4, 1, 20)));
      expect(store.stats.tornBytesTruncated).toBe(cut - lastStart);
      expect(statSync(segmentFiles(dir)[0]!).size).toBe(lastStart); // cut off on disk too
      await store.append([entry(5, 2, "noop", 3)]); // and the log goes on from there
      await store.close();
      const again = await FileLogStore.open(dir, SMALL);
      expect(plain(again.entries(5, 5))).toEqual(plain([entry(5, 2, "noop", 3)]));
      await again.close();
    }
  });

  it("a tail of zeros (file extended, data never written) is a torn tail", async () => {
    const dir = freshDir();
    await writeLog(dir, 3);
    const file = segmentFiles(dir)[0]!;
    writeFileSync(file, Buffer.concat([readFileSync(file), Buffer.alloc(300)]));
    const store = await FileLogStore.open(dir);
    expect(store.lastIndex()).toBe(3);
    expect(store.stats.tornBytesTruncated).toBe(300);
    await store.close();
  });

  it("a flipped bit in a middle record is refused with CORRUPT naming the file and offset", async () => {
    const dir = freshDir();
    await writeLog(dir, 5);
    const file = segmentFiles(dir)[0]!;
    const thirdAt = SEGMENT_HEADER_BYTES + 2 * RECORD_BYTES;
    for (const delta of [0, 5, 12, 30]) {
      // crc field, length field, index field, data
      const bytes = readFileSync(file);
      const original = bytes[thirdAt + delta]!;
      bytes[thirdAt + delta] = original ^ 0x04;
      writeFileSync(file, bytes);
      const err = await FileLogStore.open(dir).catch((e: unknown) => e);
      expect(isStorageError(err, "CORRUPT"), `flip at +${delta}: ${String(err)}`).toBe(true);
      expect(err).toMatchObject({ file, offset: thirdAt, index: 3 });
      expect(String(err)).toContain(file);
      bytes[thirdAt + delta] = original;
      writeFileSync(file, bytes);
    }
    const store = await FileLogStore.open(dir); // restored bytes: fine again
    expect(store.lastIndex()).toBe(5);
    await store.close();
  });

  it("damage anywhere in a sealed (older) segment is CORRUPT, even in its last record", async () => {
    const dir = freshDir();
    await writeLog(dir, 40, SMALL);
    const files = segmentFiles(dir);
    expect(files.length).toBeGreaterThan(2);
    const sealed = files[0]!;
    const bytes = readFileSync(sealed);
    bytes[bytes.byteLength - 3]! ^= 0x01;
    writeFileSync(sealed, bytes);
    await expect(FileLogStore.open(dir)).rejects.toSatisfy(
      (e) => isStorageError(e, "CORRUPT") && e.file === sealed,
    );
  });

  it("a missing middle segment is CORRUPT (a gap in the log)", async () => {
    const dir = freshDir();
    await writeLog(dir, 40, SMALL);
    const files = segmentFiles(dir);
    unlinkSync(files[1]!);
    await expect(FileLogStore.open(dir)).rejects.toSatisfy(
      (e) => isStorageError(e, "CORRUPT") && e.file === files[2],
    );
  });

  it("a newest segment whose header never became durable is removed", async () => {
    const dir = freshDir();
    await writeLog(dir, 3);
    writeFileSync(join(dir, "00000000000000000004.wal"), Buffer.alloc(10));
    const store = await FileLogStore.open(dir);
    expect(store.lastIndex()).toBe(3);
    expect(segmentFiles(dir)).toHaveLength(1);
    await store.append(range(4, 6, 1));
    await store.close();
  });

  it("bytes damaged after open are caught when read back from disk", async () => {
    const dir = freshDir();
    await writeLog(dir, 10);
    const store = await FileLogStore.open(dir, SMALL);
    const file = segmentFiles(dir)[0]!;
    const bytes = readFileSync(file);
    bytes[SEGMENT_HEADER_BYTES + RECORD_BYTES + 30]! ^= 0x01; // entry 2's data
    writeFileSync(file, bytes);
    expect(plain(store.entries(1, 1))).toEqual(plain([entry(1, 1, "command", 20)]));
    expect(() => store.entries(1, 3)).toThrow(expect.objectContaining({ code: "CORRUPT", file, index: 2 }));
    await store.close();
  });
});

describe("FileLogStore group commit and durability order", () => {
  it("appends issued while a sync is in flight share one sync", async () => {
    const dir = freshDir();
    const store = await FileLogStore.open(dir);
    const all = range(1, 300, 1, 100);
    await Promise.all(all.map((e) => store.append([e])));
    expect(store.stats.appends).toBe(300);
    // The first append starts a round; the other 299 queue behind it and commit together.
    expect(store.stats.commits).toBeLessThanOrEqual(3);
    expect(store.stats.fsyncs).toBeLessThanOrEqual(6);
    await store.close();
    const again = await FileLogStore.open(dir);
    expect(plain(again.entries(1, 300))).toEqual(plain(all));
    await again.close();
  });

  it("an overwrite syncs the segment deletion and the truncation on top of the append's own sync, and survives reopen", async () => {
    const dir = freshDir();
    const store = await FileLogStore.open(dir, SMALL);
    await store.append(range(1, 30, 1, 20));
    const before = store.stats.fsyncs;
    await store.append(range(10, 12, 2, 20));
    // delete of later segments (dir fsync), truncate's own fdatasync, then the append's fdatasync
    expect(store.stats.fsyncs - before).toBeGreaterThanOrEqual(3);
    await store.close();
    const again = await FileLogStore.open(dir, SMALL);
    expect(again.lastIndex()).toBe(12);
    expect(plain(again.entries(1, 12))).toEqual(plain([...range(1, 9, 1, 20), ...range(10, 12, 2, 20)]));
    await again.close();
  });

  it("compaction survives a crash between writing the first index and deleting segments", async () => {
    const dir = freshDir();
    const store = await FileLogStore.open(dir, SMALL);
    await store.append(range(1, 40, 1, 20));
    await store.close();
    // Write only the first-index file, as if the process died before the deletions.
    const copy = freshDir();
    cpSync(dir, copy, { recursive: true });
    const live = await FileLogStore.open(dir, SMALL);
    await live.compact(25);
    await live.close();
    cpSync(join(dir, "first-index"), join(copy, "first-index"));
    const reopened = await FileLogStore.open(copy, SMALL);
    expect(reopened.firstIndex()).toBe(26);
    expect(plain(reopened.entries(26, 40))).toEqual(plain(range(26, 40, 1, 20)));
    await reopened.close();
  });
});

describe("FileLogStore I/O failure", () => {
  it("a failed write rejects the append with IO and every later write too (no retry after a failed sync)", async () => {
    const dir = freshDir();
    const store = await FileLogStore.open(dir);
    await store.append(range(1, 3, 1));
    // Pull the file out from under the store: its next write fails with EBADF.
    const internals = store as unknown as { segments: { handle: { close(): Promise<void> } }[] };
    await internals.segments[0]!.handle.close();
    await expect(store.append(range(4, 4, 1))).rejects.toSatisfy((e) => isStorageError(e, "IO"));
    await expect(store.append(range(5, 5, 1))).rejects.toSatisfy((e) => isStorageError(e, "IO"));
    await expect(store.compact(2)).rejects.toSatisfy((e) => isStorageError(e, "IO"));
    await store.close(); // a failed store still closes
    const again = await FileLogStore.open(dir); // the disk still holds what was acknowledged
    expect(again.lastIndex()).toBe(3);
    await again.close();
  });
});
