// The durable LogStore: a segmented write-ahead log (framing in wal-record.ts, recovery in
// wal-scan.ts). Chosen over lmdb by bench/storage-bench.ts: one append is one write plus one
// fdatasync, where an lmdb commit syncs twice (data pages, then the meta page).
//
// Two layers:
// - the logical log (firstIndex, lastIndex, segment offsets, a cache of recent entries) changes
//   synchronously in each call, so reads see every append at once;
// - a queue of physical operations, executed in call order by one worker. The worker takes all
//   queued operations, performs them, issues one fdatasync and resolves every append it covered:
//   appends made while a sync is in flight wait for the next one (group commit).
import {
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeSync,
  fsyncSync,
  openSync,
  closeSync,
} from "node:fs";
import { open, unlink, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { LogEntry } from "../core/types.js";
import { crc32 } from "./crc.js";
import { acquireDirLock } from "./dir-lock.js";
import { StorageError } from "./errors.js";
import { ensureDirSync, fsyncDir, fsyncDirSync, writeFileAtomic } from "./fs-sync.js";
import { checkAppend, checkRange } from "./log-checks.js";
import type { LogStore } from "./types.js";
import {
  decodeRecord,
  encodeRecord,
  encodeSegmentHeader,
  parseSegmentFileName,
  segmentFileName,
} from "./wal-record.js";
import { scanSegment } from "./wal-scan.js";

export interface FileLogStoreOptions {
  /** A new segment starts once the current one would exceed this; compaction deletes whole segments. */
  readonly maxSegmentBytes?: number;
  /** Recent entries kept in memory, so the core's reads of fresh entries never touch the disk. */
  readonly maxCachedEntries?: number;
  readonly maxCachedBytes?: number;
}

export interface FileLogStoreStats {
  appends: number;
  entriesAppended: number;
  /** Group commits: worker rounds that made at least one append or compaction durable. */
  commits: number;
  /** Every fsync/fdatasync issued, on segments, directories and the first-index file. */
  fsyncs: number;
  bytesWritten: number;
  /** Bytes cut off the newest segment at open because they held a torn write. */
  tornBytesTruncated: number;
}

const DEFAULTS = {
  // Compaction frees whole segments and a restart rescans every retained one: 8 MiB keeps both
  // small (about 65k 100-byte entries, a few times Nomad's 10240 trailing logs).
  maxSegmentBytes: 8 * 1024 * 1024,
  maxCachedEntries: 4096, // covers what a leader re-sends to a slow follower without disk reads
  maxCachedBytes: 16 * 1024 * 1024,
} as const;

const FIRST_INDEX_FILE = "first-index";
const LOCK_FILE = "wal.lock";

interface Segment {
  readonly firstIndex: number;
  readonly file: string;
  /** Start of each record; record i holds index firstIndex + i (entries below the log's firstIndex may linger). */
  offsets: number[];
  /** Logical end: the end of the last record, written or queued. */
  size: number;
  /** Set once the file exists on disk (at open, or when the worker creates it). */
  handle: FileHandle | undefined;
}

type Op =
  | { kind: "write"; seg: Segment; pos: number; bufs: Buffer[]; bytes: number; lastIndex: number }
  | { kind: "truncate"; seg: Segment; size: number; fromIndex: number }
  | { kind: "create"; seg: Segment }
  | { kind: "delete"; segs: Segment[] }
  | { kind: "first-index"; firstIndex: number }
  | { kind: "done"; resolve: () => void; reject: (err: unknown) => void };

export class FileLogStore implements LogStore {
  readonly stats: FileLogStoreStats = {
    appends: 0,
    entriesAppended: 0,
    commits: 0,
    fsyncs: 0,
    bytesWritten: 0,
    tornBytesTruncated: 0,
  };
  private first: number;
  private last: number;
  private readonly segments: Segment[];
  /** Entries tailStart..last, in memory; everything below tailStart is on disk. */
  private tail: LogEntry[] = [];
  private tailStart: number;
  private tailBytes = 0;
  /** Every index <= writtenIndex has been written (not necessarily synced) at its logical place. */
  private writtenIndex: number;
  private pendingTruncates = 0;
  private queue: Op[] = [];
  private draining: Promise<void> | undefined;
  private closed = false;
  private failure: StorageError | undefined;
  private readonly opts: Required<FileLogStoreOptions>;
  private releaseLock: () => void = () => undefined;

  private constructor(
    private readonly dir: string,
    options: FileLogStoreOptions,
    first: number,
    last: number,
    segments: Segment[],
  ) {
    this.opts = { ...DEFAULTS, ...options };
    this.first = first;
    this.last = last;
    this.segments = segments;
    this.tailStart = last + 1;
    this.writtenIndex = last;
  }

  /** Opens (creating if needed) the log in `dir`, recovering from a crash: see wal-scan.ts. */
  static async open(dir: string, options: FileLogStoreOptions = {}): Promise<FileLogStore> {
    ensureDirSync(dir);
    const release = acquireDirLock(dir, LOCK_FILE);
    try {
      const store = await FileLogStore.recover(dir, options);
      store.releaseLock = release;
      return store;
    } catch (err) {
      release();
      throw err;
    }
  }

  private static async recover(dir: string, options: FileLogStoreOptions): Promise<FileLogStore> {
    rmSync(join(dir, `${FIRST_INDEX_FILE}.tmp`), { force: true });
    let first = readFirstIndex(dir);
    const names = readdirSync(dir)
      .map((name) => ({ name, firstIndex: parseSegmentFileName(name) }))
      .filter((x): x is { name: string; firstIndex: number } => x.firstIndex !== undefined)
      .sort((a, b) => a.firstIndex - b.firstIndex);
    const segments: Segment[] = [];
    let tornBytes = 0;
    let dirChanged = false;
    for (let i = 0; i < names.length; i++) {
      const { name, firstIndex } = names[i]!;
      const file = join(dir, name);
      const scanned = scanSegment(dir, name, firstIndex, i === names.length - 1);
      if (scanned.kind === "empty-torn") {
        unlinkSync(file);
        dirChanged = true;
        continue;
      }
      const prev = segments[segments.length - 1];
      if (prev !== undefined && prev.firstIndex + prev.offsets.length !== firstIndex) {
        throw new StorageError(
          "CORRUPT",
          `segment starts at index ${firstIndex}, previous segment ends at ${prev.firstIndex + prev.offsets.length - 1}`,
          { file, offset: 0 },
        );
      }
      if (scanned.end < scanned.fileBytes) {
        tornBytes += scanned.fileBytes - scanned.end;
        truncateSync(file, scanned.end);
        const fd = openSync(file, "r+");
        fsyncSync(fd);
        closeSync(fd);
      }
      segments.push({ firstIndex, file, offsets: scanned.offsets, size: scanned.end, handle: undefined });
    }
    const firstSeg = segments[0];
    const lastSeg = segments[segments.length - 1];
    let last = lastSeg === undefined ? first - 1 : lastSeg.firstIndex + lastSeg.offsets.length - 1;
    if (firstSeg !== undefined) first = Math.max(first, firstSeg.firstIndex);
    if (last < first - 1) last = first - 1; // compacted past everything the segments hold
    // Drop segments holding only compacted entries (a crash between compaction's steps leaves them).
    while (segments.length > 0) {
      const s = segments[0]!;
      if (s.firstIndex + s.offsets.length - 1 >= first) break;
      unlinkSync(s.file);
      dirChanged = true;
      segments.shift();
    }
    if (dirChanged) fsyncDirSync(dir);
    for (const s of segments) s.handle = await open(s.file, "r+");
    const store = new FileLogStore(dir, options, first, last, segments);
    store.stats.tornBytesTruncated = tornBytes;
    return store;
  }

  firstIndex(): number {
    this.assertOpen();
    return this.first;
  }

  lastIndex(): number {
    this.assertOpen();
    return this.last;
  }

  entries(lo: number, hi: number): LogEntry[] {
    this.assertOpen();
    checkRange(lo, hi, this.first, this.last);
    const out: LogEntry[] = [];
    let i = lo;
    while (i <= hi && i < this.tailStart) {
      const seg = this.segmentOf(i);
      const segLast = seg.firstIndex + seg.offsets.length - 1;
      const upto = Math.min(hi, segLast, this.tailStart - 1);
      const start = seg.offsets[i - seg.firstIndex]!;
      const end = upto === segLast ? seg.size : seg.offsets[upto + 1 - seg.firstIndex]!;
      const buf = Buffer.allocUnsafe(end - start);
      let got = 0;
      while (got < buf.byteLength) {
        const n = readSync(seg.handle!.fd, buf, got, buf.byteLength - got, start + got);
        if (n === 0)
          throw new StorageError("CORRUPT", `segment ends early reading index ${i}`, {
            file: seg.file,
            offset: start + got,
          });
        got += n;
      }
      let at = 0;
      for (let index = i; index <= upto; index++) {
        const rec = decodeRecord(buf, at);
        if (!rec.ok || rec.entry.index !== index) {
          throw new StorageError("CORRUPT", `record for index ${index} is damaged`, {
            file: seg.file,
            offset: start + at,
            index,
          });
        }
        out.push(rec.entry);
        at = rec.end;
      }
      i = upto + 1;
    }
    for (; i <= hi; i++) out.push(this.tail[i - this.tailStart]!);
    return out;
  }

  append(batch: readonly LogEntry[]): Promise<void> {
    let entries: readonly LogEntry[];
    try {
      this.assertWritable();
      entries = checkAppend(batch, this.first, this.last);
    } catch (err) {
      return Promise.reject(err);
    }
    const head = entries[0];
    if (head === undefined) return Promise.resolve();
    this.stats.appends++;
    this.stats.entriesAppended += entries.length;
    if (head.index <= this.last) this.truncateFrom(head.index);
    for (const e of entries) {
      const rec = encodeRecord(e);
      let seg = this.segments[this.segments.length - 1];
      if (
        seg === undefined ||
        (seg.size + rec.byteLength > this.opts.maxSegmentBytes && seg.offsets.length > 0)
      ) {
        seg = this.startSegment(e.index);
      }
      const pos = seg.size;
      seg.offsets.push(pos);
      seg.size += rec.byteLength;
      this.pushWrite(seg, pos, rec, e.index);
      this.tail.push(e);
      this.tailBytes += e.data.byteLength;
    }
    this.last = entries[entries.length - 1]!.index;
    this.trimTail();
    return this.commitPoint();
  }

  compact(index: number): Promise<void> {
    try {
      this.assertWritable();
    } catch (err) {
      return Promise.reject(err);
    }
    if (index < this.first) return Promise.resolve();
    const doomed: Segment[] = [];
    if (index >= this.last) {
      doomed.push(...this.segments.splice(0));
      this.last = index;
      this.tail = [];
      this.tailBytes = 0;
      this.tailStart = index + 1;
    } else {
      while (this.segments.length > 1 && this.segments[1]!.firstIndex <= index + 1)
        doomed.push(this.segments.shift()!);
      if (index >= this.tailStart) this.dropTailHead(index - this.tailStart + 1);
    }
    this.first = index + 1;
    // The new first index is durable before any segment goes, so a crash in between reopens with
    // the right first index and removes the leftovers.
    this.queue.push({ kind: "first-index", firstIndex: this.first });
    if (doomed.length > 0) this.queue.push({ kind: "delete", segs: doomed });
    return this.commitPoint();
  }

  /** Waits for queued writes, then releases the files. Later calls fail with CLOSED. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      while (this.draining !== undefined) await this.draining;
      for (const s of this.segments) await s.handle?.close();
    } finally {
      this.releaseLock();
    }
  }

  // ---- logical layer ----

  /** Drops every entry >= index: later segments go first (durably), then the segment is cut. */
  private truncateFrom(index: number): void {
    const at = this.segments.findLastIndex((s) => s.firstIndex <= index);
    const seg = this.segments[at]!;
    const later = this.segments.splice(at + 1);
    if (later.length > 0) this.queue.push({ kind: "delete", segs: later });
    const cut = seg.offsets[index - seg.firstIndex]!;
    seg.offsets.length = index - seg.firstIndex;
    seg.size = cut;
    this.queue.push({ kind: "truncate", seg, size: cut, fromIndex: index });
    this.pendingTruncates++;
    this.last = index - 1;
    if (index <= this.tailStart) {
      this.tail = [];
      this.tailBytes = 0;
      this.tailStart = index;
    } else {
      for (const e of this.tail.splice(index - this.tailStart)) this.tailBytes -= e.data.byteLength;
    }
  }

  private startSegment(firstIndex: number): Segment {
    const seg: Segment = {
      firstIndex,
      file: join(this.dir, segmentFileName(firstIndex)),
      offsets: [],
      size: encodeSegmentHeader(firstIndex).byteLength,
      handle: undefined,
    };
    this.segments.push(seg);
    this.queue.push({ kind: "create", seg });
    return seg;
  }

  private pushWrite(seg: Segment, pos: number, buf: Buffer, index: number): void {
    const prev = this.queue[this.queue.length - 1];
    if (prev?.kind === "write" && prev.seg === seg && prev.pos + prev.bytes === pos) {
      prev.bufs.push(buf);
      prev.bytes += buf.byteLength;
      prev.lastIndex = index;
      return;
    }
    this.queue.push({ kind: "write", seg, pos, bufs: [buf], bytes: buf.byteLength, lastIndex: index });
  }

  /** Forget cached entries that are safely on disk, once the cache is over its bounds. */
  private trimTail(): void {
    const { maxCachedEntries, maxCachedBytes } = this.opts;
    if (this.pendingTruncates > 0) return; // positions of written entries may still move
    if (this.tail.length <= maxCachedEntries && this.tailBytes <= maxCachedBytes) return;
    let drop = 0;
    let bytes = this.tailBytes;
    const keep = Math.floor((maxCachedEntries * 3) / 4); // hysteresis: trim in bulk, not one per append
    const writtenInTail = this.writtenIndex - this.tailStart + 1;
    while (drop < writtenInTail && (this.tail.length - drop > keep || bytes > (maxCachedBytes * 3) / 4)) {
      bytes -= this.tail[drop]!.data.byteLength;
      drop++;
    }
    this.dropTailHead(drop);
  }

  private dropTailHead(count: number): void {
    if (count <= 0) return;
    for (const e of this.tail.splice(0, count)) this.tailBytes -= e.data.byteLength;
    this.tailStart += count;
  }

  private segmentOf(index: number): Segment {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.segments[mid]!.firstIndex <= index) lo = mid;
      else hi = mid - 1;
    }
    return this.segments[lo]!;
  }

  /** A promise for "everything queued so far is durable". */
  private commitPoint(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ kind: "done", resolve, reject });
      this.draining ??= this.drain();
    });
  }

  // ---- physical layer (the worker) ----

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && this.failure === undefined) {
      const ops = this.queue;
      this.queue = [];
      const waiters: Extract<Op, { kind: "done" }>[] = [];
      try {
        await this.execute(ops, waiters);
      } catch (err) {
        this.failure = new StorageError("IO", `write-ahead log I/O failed: ${(err as Error).message}`, {
          file: this.dir,
          cause: err,
        });
        for (const w of waiters) w.reject(this.failure);
        for (const op of this.queue) if (op.kind === "done") op.reject(this.failure);
        this.queue = [];
        break;
      }
      for (const w of waiters) w.resolve();
      this.trimTail();
    }
    this.draining = undefined;
  }

  private async execute(ops: readonly Op[], waiters: Extract<Op, { kind: "done" }>[]): Promise<void> {
    const dirty = new Set<Segment>();
    const syncDirty = async (): Promise<void> => {
      for (const s of dirty) {
        await s.handle!.datasync();
        this.stats.fsyncs++;
      }
      dirty.clear();
    };
    for (let k = 0; k < ops.length; k++) {
      const op = ops[k]!;
      switch (op.kind) {
        case "write": {
          // Merge with following writes to the same place, across the appends of this round.
          const bufs = [...op.bufs];
          let bytes = op.bytes;
          let lastIndex = op.lastIndex;
          while (k + 1 < ops.length) {
            const next = ops[k + 1]!;
            if (next.kind === "done") {
              waiters.push(next);
            } else if (next.kind === "write" && next.seg === op.seg && next.pos === op.pos + bytes) {
              bufs.push(...next.bufs);
              bytes += next.bytes;
              lastIndex = next.lastIndex;
            } else break;
            k++;
          }
          const data = bufs.length === 1 ? bufs[0]! : Buffer.concat(bufs, bytes);
          // A synchronous write: it only copies into the page cache (microseconds), and saves a
          // thread-pool round trip on the latency path; the fdatasync below stays asynchronous.
          writeFullySync(op.seg.handle!.fd, data, op.pos);
          this.stats.bytesWritten += bytes;
          this.writtenIndex = lastIndex;
          dirty.add(op.seg);
          break;
        }
        case "done":
          waiters.push(op);
          break;
        case "create": {
          await syncDirty(); // seal the previous segment: only the newest may hold a torn write
          const h = await open(op.seg.file, "w+");
          await writeFully(h, encodeSegmentHeader(op.seg.firstIndex), 0);
          await h.datasync();
          await fsyncDir(this.dir);
          this.stats.fsyncs += 2;
          op.seg.handle = h;
          break;
        }
        case "truncate": {
          // Durable before any new entry lands, so recovery never sees new records followed by
          // stale ones (which it would have to call corruption).
          await op.seg.handle!.truncate(op.size);
          await op.seg.handle!.datasync();
          this.stats.fsyncs++;
          dirty.delete(op.seg);
          this.writtenIndex = Math.min(this.writtenIndex, op.fromIndex - 1);
          this.pendingTruncates--;
          break;
        }
        case "delete": {
          for (const s of op.segs) {
            dirty.delete(s);
            await s.handle?.close();
            s.handle = undefined;
            await unlink(s.file);
          }
          await fsyncDir(this.dir);
          this.stats.fsyncs++;
          break;
        }
        case "first-index": {
          await writeFileAtomic(this.dir, FIRST_INDEX_FILE, encodeFirstIndex(op.firstIndex));
          this.stats.fsyncs += 2;
          break;
        }
      }
    }
    await syncDirty();
    if (waiters.length > 0) this.stats.commits++;
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageError("CLOSED", "log store is closed", { file: this.dir });
  }

  private assertWritable(): void {
    this.assertOpen();
    if (this.failure !== undefined) throw this.failure;
  }
}

function writeFullySync(fd: number, data: Buffer, position: number): void {
  let done = 0;
  while (done < data.byteLength) done += writeSync(fd, data, done, data.byteLength - done, position + done);
}

async function writeFully(h: FileHandle, data: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < data.byteLength) {
    const { bytesWritten } = await h.write(data, done, data.byteLength - done, position + done);
    done += bytesWritten;
  }
}

/** first-index file: u64 first index | u32 crc of those 8 bytes. Replaced atomically. */
function encodeFirstIndex(firstIndex: number): Buffer {
  const buf = Buffer.alloc(12);
  buf.writeUInt32LE(firstIndex % 0x1_0000_0000, 0);
  buf.writeUInt32LE(Math.floor(firstIndex / 0x1_0000_0000), 4);
  buf.writeUInt32LE(crc32(buf.subarray(0, 8)), 8);
  return buf;
}

function readFirstIndex(dir: string): number {
  const file = join(dir, FIRST_INDEX_FILE);
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return 1;
    throw err;
  }
  if (buf.byteLength !== 12 || buf.readUInt32LE(8) !== crc32(buf.subarray(0, 8))) {
    throw new StorageError("CORRUPT", "first-index file is damaged", { file, offset: 0 });
  }
  return buf.readUInt32LE(0) + buf.readUInt32LE(4) * 0x1_0000_0000;
}
