// The durable SnapshotStore. Layout under <dir>/snapshots/:
//   <term>-<index>-<seq>/state.bin   the FSM's bytes
//   <term>-<index>-<seq>/meta.json   {"body": {...meta, size, crc, seq}, "crc": crc32 of the body's JSON}
// A sink writes into "<id>.tmp/", and close() fsyncs both files and the directory, then renames
// the directory to its final name and fsyncs the parent: a snapshot is visible complete or not at
// all. Pruning renames a snapshot to "<id>.deleting/" before removing it, so a crash mid-delete
// never leaves a half snapshot under a listed name; open() removes both kinds of leftovers.
// seq is one more than the highest seq present, so ids never repeat within a directory.
import {
  closeSync,
  fsync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import { promisify } from "node:util";
import { join } from "node:path";
import type { SnapshotMeta } from "../core/types.js";
import { crc32 } from "./crc.js";
import { StorageError } from "./errors.js";
import { ensureDirSync, fsyncDir, fsyncDirSync } from "./fs-sync.js";
import { newestFirst, snapshotId } from "./snapshot-order.js";
import type { SnapshotSink, SnapshotStore, StoredSnapshot } from "./types.js";

export interface FileSnapshotStoreOptions {
  /** Snapshots kept (hashicorp/raft's default 2): one spare in case the newest fails its checksum. */
  readonly retain?: number;
  /** Told about every snapshot directory `list` skips (half-written, damaged); defaults to ignoring. */
  readonly onSkipped?: (problem: SkippedSnapshot) => void;
}

export interface SkippedSnapshot {
  readonly id: string;
  readonly reason: string;
}

interface MetaBody extends SnapshotMeta {
  readonly version: 1;
  readonly seq: number;
  readonly sizeBytes: number;
  readonly crc: number;
}

const fsyncAsync = promisify(fsync);
const DATA_FILE = "state.bin";
const META_FILE = "meta.json";
const ID_PATTERN = /^(\d+)-(\d+)-(\d+)$/;
/** A snapshot being written. */
const TMP_SUFFIX = ".tmp";
/** A snapshot being deleted: renamed first, so a crash mid-delete never leaves a half snapshot listed. */
const DOOMED_SUFFIX = ".deleting";

export class FileSnapshotStore implements SnapshotStore {
  private readonly root: string;
  private readonly retain: number;
  private readonly onSkipped: (problem: SkippedSnapshot) => void;
  private nextSeq: number;
  private closed = false;
  private pruning: Promise<void> = Promise.resolve();
  /** Problems found by the last `list()`. */
  lastSkipped: SkippedSnapshot[] = [];

  private constructor(root: string, options: FileSnapshotStoreOptions) {
    this.root = root;
    this.retain = options.retain ?? 2;
    if (!Number.isInteger(this.retain) || this.retain < 1)
      throw new RangeError(`retain must be >= 1, got ${this.retain}`);
    this.onSkipped = options.onSkipped ?? (() => undefined);
    let maxSeq = 0;
    for (const name of readdirSync(root)) {
      const m = ID_PATTERN.exec(name.replace(TMP_SUFFIX, "").replace(DOOMED_SUFFIX, ""));
      if (m !== null) maxSeq = Math.max(maxSeq, Number(m[3]));
    }
    this.nextSeq = maxSeq + 1;
  }

  /** Opens `<dir>/snapshots`, creating it, and removes temp directories left by a crash. */
  static async open(dir: string, options: FileSnapshotStoreOptions = {}): Promise<FileSnapshotStore> {
    const root = join(dir, "snapshots");
    ensureDirSync(root);
    let removed = false;
    for (const name of readdirSync(root)) {
      if (name.endsWith(TMP_SUFFIX) || name.endsWith(DOOMED_SUFFIX)) {
        rmSync(join(root, name), { recursive: true, force: true });
        removed = true;
      }
    }
    if (removed) fsyncDirSync(root);
    return new FileSnapshotStore(root, options);
  }

  create(meta: SnapshotMeta): SnapshotSink {
    this.assertOpen();
    const seq = this.nextSeq++;
    const id = snapshotId(meta, seq);
    const tmp = join(this.root, `${id}${TMP_SUFFIX}`);
    mkdirSync(tmp);
    const fd = openSync(join(tmp, DATA_FILE), "w");
    let crc = 0;
    let size = 0;
    let state: "open" | "closing" | "closed" | "cancelled" = "open";
    let closing: Promise<void> | undefined;
    const discard = (): void => {
      if (state === "open") closeSync(fd);
      rmSync(tmp, { recursive: true, force: true });
    };
    return {
      write: (chunk) => {
        if (state !== "open")
          throw new StorageError("CLOSED", `snapshot sink already ${state}`, { file: tmp });
        let at = 0;
        while (at < chunk.byteLength) at += writeSync(fd, chunk, at, chunk.byteLength - at);
        crc = crc32(chunk, crc);
        size += chunk.byteLength;
      },
      close: () => {
        if (state === "cancelled")
          return Promise.reject(new StorageError("CLOSED", "snapshot sink was cancelled"));
        closing ??= (async () => {
          state = "closing";
          // Asynchronous syncs: a large snapshot's fsync must not stall the event loop (heartbeats).
          try {
            await fsyncAsync(fd);
          } finally {
            closeSync(fd);
          }
          const body: MetaBody = { ...meta, version: 1, seq, sizeBytes: size, crc };
          const json = JSON.stringify(body);
          const metaFile = await open(join(tmp, META_FILE), "w");
          try {
            await metaFile.writeFile(JSON.stringify({ body: json, crc: crc32(Buffer.from(json)) }));
            await metaFile.sync();
          } finally {
            await metaFile.close();
          }
          await fsyncDir(tmp);
          await rename(tmp, join(this.root, id));
          await fsyncDir(this.root);
          state = "closed";
        })()
          .catch((err: unknown) => {
            state = "cancelled";
            rmSync(tmp, { recursive: true, force: true });
            throw err;
          })
          .then(() => this.prune()); // the snapshot is durable by now, whatever pruning does
        return closing;
      },
      cancel: async () => {
        if (state !== "open") return;
        discard();
        state = "cancelled";
      },
    };
  }

  /** Intact snapshots, newest first. Damaged or half-written ones are skipped and reported. */
  list(): StoredSnapshot[] {
    this.assertOpen();
    const found: { id: string; seq: number; meta: SnapshotMeta; sizeBytes: number }[] = [];
    const skipped: SkippedSnapshot[] = [];
    for (const name of readdirSync(this.root)) {
      if (!ID_PATTERN.test(name)) continue; // also skips temp and doomed directories
      try {
        const body = this.readMeta(name);
        const dataBytes = statSync(join(this.root, name, DATA_FILE)).size;
        if (dataBytes !== body.sizeBytes) {
          throw new StorageError(
            "CORRUPT",
            `state.bin holds ${dataBytes} bytes, meta says ${body.sizeBytes}`,
          );
        }
        found.push({ id: name, seq: body.seq, meta: toMeta(body), sizeBytes: body.sizeBytes });
      } catch (err) {
        skipped.push({ id: name, reason: (err as Error).message });
      }
    }
    this.lastSkipped = skipped;
    for (const s of skipped) this.onSkipped(s);
    return found.sort(newestFirst).map(({ id, meta, sizeBytes }) => ({ id, meta, sizeBytes }));
  }

  async open(id: string): Promise<{ meta: SnapshotMeta; data: Uint8Array }> {
    return this.openSync(id);
  }

  /** Reads and verifies the whole snapshot; throws NOT_FOUND or CORRUPT (naming the file). */
  openSync(id: string): { meta: SnapshotMeta; data: Uint8Array } {
    this.assertOpen();
    if (!ID_PATTERN.test(id)) throw new StorageError("NOT_FOUND", `no snapshot ${id}`);
    const body = this.readMeta(id);
    const file = join(this.root, id, DATA_FILE);
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch (err) {
      throw new StorageError("CORRUPT", `snapshot data unreadable: ${(err as Error).message}`, {
        file,
        cause: err,
      });
    }
    if (data.byteLength !== body.sizeBytes) {
      throw new StorageError(
        "CORRUPT",
        `snapshot holds ${data.byteLength} bytes, meta says ${body.sizeBytes}`,
        { file },
      );
    }
    if (crc32(data) !== body.crc)
      throw new StorageError("CORRUPT", "snapshot data fails its checksum", { file });
    return { meta: toMeta(body), data };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Removes intact snapshots beyond the newest `retain`; damaged ones stay for inspection. */
  /** Serialized: sinks closing at the same time must not try to remove the same snapshot. */
  private prune(): Promise<void> {
    this.pruning = this.pruning.catch(() => undefined).then(() => this.pruneNow());
    return this.pruning;
  }

  private async pruneNow(): Promise<void> {
    const doomed = this.list().slice(this.retain);
    for (const s of doomed) await rename(join(this.root, s.id), join(this.root, `${s.id}${DOOMED_SUFFIX}`));
    if (doomed.length === 0) return;
    await fsyncDir(this.root);
    for (const s of doomed)
      await rm(join(this.root, `${s.id}${DOOMED_SUFFIX}`), { recursive: true, force: true });
  }

  private readMeta(id: string): MetaBody {
    const file = join(this.root, id, META_FILE);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT" && !dirExists(join(this.root, id))) {
        throw new StorageError("NOT_FOUND", `no snapshot ${id}`);
      }
      throw new StorageError("CORRUPT", `snapshot meta unreadable: ${(err as Error).message}`, {
        file,
        cause: err,
      });
    }
    let outer: { body?: unknown; crc?: unknown };
    try {
      outer = JSON.parse(text) as { body?: unknown; crc?: unknown };
    } catch {
      throw new StorageError("CORRUPT", "snapshot meta is not JSON", { file });
    }
    if (typeof outer.body !== "string" || outer.crc !== crc32(Buffer.from(outer.body))) {
      throw new StorageError("CORRUPT", "snapshot meta fails its checksum", { file });
    }
    const body = JSON.parse(outer.body) as MetaBody;
    if (body.version !== 1 || snapshotId(body, body.seq) !== id) {
      throw new StorageError("CORRUPT", "snapshot meta does not match its directory", { file });
    }
    return body;
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageError("CLOSED", "snapshot store is closed", { file: this.root });
  }
}

function toMeta(body: MetaBody): SnapshotMeta {
  return {
    index: body.index,
    term: body.term,
    configuration: body.configuration,
    configurationIndex: body.configurationIndex,
  };
}

function dirExists(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
