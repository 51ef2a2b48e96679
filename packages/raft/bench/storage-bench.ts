// Storage micro-benchmark: durable appends of 100-byte entries, our segmented WAL against lmdb.
// Run: npx tsx --conditions=@nomad/source packages/raft/bench/storage-bench.ts [--seconds S] [--only STORE]
// One JSON line per scenario. Every append waits until its entries are on disk:
// - wal: FileLogStore (one write + one fdatasync per group commit);
// - lmdb-sync: lmdb 3.5.6 with overlappingSync off, so a commit's promise means synced;
// - lmdb-flushed: lmdb's default overlappingSync, waiting for the commit's `flushed` promise;
// - fdatasync: a bare pwrite + fdatasync of 100 bytes, the floor for any durable append.
// Scenarios: one appender issuing batches of 1, 16 and 64 entries back to back (latency of one
// durable append), and 64 concurrent appenders of one entry each (group commit throughput).
import { mkdtempSync, rmSync } from "node:fs";
import { open as openFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { open as openLmdb, type RootDatabase } from "lmdb";
import type { LogEntry } from "../src/core/types.js";
import { FileLogStore } from "../src/storage/file-log-store.js";

const secondsArg = process.argv.indexOf("--seconds");
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 3;
const onlyArg = process.argv.indexOf("--only");
const ONLY = onlyArg > 0 ? process.argv[onlyArg + 1] : undefined;
const WARMUP_MS = 300;
const ENTRY_BYTES = 100;

/** The minimal durable log each contender implements for the benchmark. */
interface Appender {
  append(entries: readonly LogEntry[]): Promise<void>;
  close(): Promise<void>;
  fsyncs?: () => number;
}

function entries(from: number, count: number): LogEntry[] {
  const out: LogEntry[] = [];
  for (let i = 0; i < count; i++) {
    const data = new Uint8Array(ENTRY_BYTES);
    data.fill((from + i) & 0xff);
    out.push({ index: from + i, term: 1, type: "command", data });
  }
  return out;
}

async function walAppender(dir: string): Promise<Appender> {
  const store = await FileLogStore.open(dir);
  return { append: (e) => store.append(e), close: () => store.close(), fsyncs: () => store.stats.fsyncs };
}

function encodeValue(e: LogEntry): Buffer {
  const buf = Buffer.allocUnsafe(9 + e.data.byteLength);
  buf.writeDoubleLE(e.term, 0);
  buf[8] = 0;
  buf.set(e.data, 9);
  return buf;
}

async function lmdbAppender(dir: string, overlappingSync: boolean): Promise<Appender> {
  const db: RootDatabase<Buffer, number> = openLmdb({
    path: dir,
    compression: false,
    encoding: "binary",
    overlappingSync,
  });
  return {
    append: async (batch) => {
      const committed = db.transaction(() => {
        for (const e of batch) void db.put(e.index, encodeValue(e));
      });
      await committed;
      if (overlappingSync) await db.flushed;
    },
    close: () => db.close(),
  };
}

async function fdatasyncAppender(dir: string): Promise<Appender> {
  const h = await openFile(join(dir, "raw"), "w");
  let pos = 0;
  let syncs = 0;
  return {
    append: async (batch) => {
      const buf = Buffer.alloc(batch.length * ENTRY_BYTES);
      const at = pos;
      pos += buf.byteLength;
      await h.write(buf, 0, buf.byteLength, at);
      await h.datasync();
      syncs++;
    },
    close: () => h.close(),
    fsyncs: () => syncs,
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

async function scenario(
  store: string,
  make: (dir: string) => Promise<Appender>,
  batch: number,
  concurrency: number,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "nomad-raft-bench-"));
  const appender = await make(dir);
  let next = 1;
  const latencies: number[] = [];
  let measuring = false;
  let appends = 0;
  const startedAt = performance.now();
  let measureFrom = 0;
  const stopAt = startedAt + WARMUP_MS + SECONDS * 1000;
  let fsyncsAtStart = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < stopAt) {
      const batchEntries = entries(next, batch);
      next += batch;
      const t0 = performance.now();
      await appender.append(batchEntries);
      const t1 = performance.now();
      if (!measuring && t1 - startedAt >= WARMUP_MS) {
        measuring = true;
        measureFrom = t1;
        fsyncsAtStart = appender.fsyncs?.() ?? 0;
        continue;
      }
      if (measuring) {
        latencies.push(t1 - t0);
        appends++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedS = (performance.now() - measureFrom) / 1000;
  const fsyncs = appender.fsyncs === undefined ? undefined : appender.fsyncs() - fsyncsAtStart;
  await appender.close();
  rmSync(dir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      scenario: `${store}/batch-${batch}/concurrency-${concurrency}`,
      store,
      entryBytes: ENTRY_BYTES,
      batch,
      concurrency,
      seconds: round(elapsedS, 2),
      appendsPerSec: Math.round(appends / elapsedS),
      entriesPerSec: Math.round((appends * batch) / elapsedS),
      p50Ms: round(percentile(latencies, 50)),
      p99Ms: round(percentile(latencies, 99)),
      ...(fsyncs === undefined ? {} : { fsyncsPerAppend: round(fsyncs / Math.max(1, appends)) }),
    }),
  );
}

const contenders: [string, (dir: string) => Promise<Appender>][] = [
  ["fdatasync", fdatasyncAppender],
  ["wal", walAppender],
  ["lmdb-sync", (dir) => lmdbAppender(dir, false)],
  ["lmdb-flushed", (dir) => lmdbAppender(dir, true)],
];

for (const [name, make] of contenders) {
  if (ONLY !== undefined && name !== ONLY) continue;
  for (const batch of [1, 16, 64]) await scenario(name, make, batch, 1);
  await scenario(name, make, 1, 64);
}
