// Property: damage to any byte of a closed log never yields wrong entries. Recovery either refuses
// with CORRUPT, or returns the original entries, minus at most the very last record when the
// damage sits inside it (indistinguishable from a torn write). No other exception escapes.
import { cpSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isStorageError } from "../../src/storage/errors.js";
import { FileLogStore } from "../../src/storage/file-log-store.js";
import { plain, range, tempDir } from "./helpers.js";

const OPTS = { maxSegmentBytes: 700, maxCachedEntries: 2, maxCachedBytes: 512 };
const N = 40;
const original = range(1, N, 1, 30);

let tmp: { dir: string; cleanup: () => Promise<void> };
let base: string;
let files: { name: string; size: number }[];
let lastRecordStart: number;

beforeAll(async () => {
  tmp = await tempDir("fuzz");
  base = join(tmp.dir, "base");
  const store = await FileLogStore.open(base, OPTS);
  await store.append(original.slice(0, 20));
  await store.compact(3); // so a first-index file exists too
  for (const e of original.slice(20)) await store.append([e]);
  await store.close();
  files = readdirSync(base)
    .filter((n) => n.endsWith(".wal") || n === "first-index")
    .sort()
    .map((name) => ({ name, size: statSync(join(base, name)).size }));
  const newest = files.filter((f) => f.name.endsWith(".wal")).at(-1)!;
  lastRecordStart = newest.size - (8 + 17 + 30);
});

function totalBytes(): number {
  return files.reduce((sum, f) => sum + f.size, 0);
}

afterAll(async () => {
  await tmp.cleanup();
});

describe("FileLogStore under random byte damage (fast-check)", () => {
  it("recovery refuses with CORRUPT or returns exactly the original entries (minus only a damaged last record)", async () => {
    let run = 0;
    const newestName = files.filter((f) => f.name.endsWith(".wal")).at(-1)!.name;
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: totalBytes() - 1 }),
        fc.integer({ min: 1, max: 255 }),
        async (position, mask) => {
          // One position over all files laid end to end, so every byte is equally likely.
          let offset = position;
          let fileIdx = 0;
          while (offset >= files[fileIdx]!.size) offset -= files[fileIdx++]!.size;
          const file = files[fileIdx]!;
          const dir = join(tmp.dir, `run-${++run}`);
          cpSync(base, dir, { recursive: true });
          const path = join(dir, file.name);
          const bytes = readFileSync(path);
          bytes[offset]! ^= mask;
          writeFileSync(path, bytes);
          let store: FileLogStore;
          try {
            store = await FileLogStore.open(dir, OPTS);
          } catch (err) {
            expect(isStorageError(err, "CORRUPT"), String(err)).toBe(true);
            return;
          }
          try {
            const first = store.firstIndex();
            const last = store.lastIndex();
            expect(first).toBe(4);
            const inLastRecord = file.name === newestName && offset >= lastRecordStart;
            expect(last).toBe(inLastRecord ? N - 1 : N);
            expect(plain(store.entries(first, last))).toEqual(plain(original.slice(first - 1, last)));
          } finally {
            await store.close();
          }
        },
      ),
      { numRuns: 300 },
    );
  }, 120_000);
});
