// The durable StableStore (term and vote): one file with two alternating 512-byte slots.
// Each save writes the slot not holding the current state and fdatasyncs; a crash mid-write
// damages only that slot, whose checksum then fails, and load falls back to the other one. This
// costs one fdatasync per save, with no rename or directory sync on the election path.
//
// Slot layout (little-endian): u32 magic | u32 seq low | u32 seq high | u32 term low | u32 term high
//   | u16 vote byte length | vote (UTF-8) | ... zero padding ... | u32 crc32 of bytes 0..507
import { readFileSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { HardState } from "../core/types.js";
import { crc32 } from "./crc.js";
import { StorageError } from "./errors.js";
import { ensureDirSync, writeFileAtomicSync } from "./fs-sync.js";
import type { StableStore } from "./types.js";

const SLOT_BYTES = 512;
const MAGIC = 0x5354_4231; // "STB1"
const FIXED_BYTES = 22;
/** Longest vote (node id) in UTF-8 bytes that fits a slot. */
export const MAX_VOTE_BYTES = SLOT_BYTES - FIXED_BYTES - 4;
const FILE_NAME = "stable";

interface Slot {
  readonly seq: number;
  readonly state: HardState;
}

export class FileStableStore implements StableStore {
  readonly stats = { saves: 0, fsyncs: 0 };
  private current: HardState;
  private seq: number;
  /** The latest state asked for and the callers waiting for it (saves coalesce like appends). */
  private pending:
    { state: HardState; waiters: { resolve: () => void; reject: (e: unknown) => void }[] } | undefined;
  private writing: Promise<void> | undefined;
  private closed = false;
  private failure: StorageError | undefined;

  private constructor(
    private readonly file: string,
    private readonly handle: FileHandle,
    slot: Slot,
  ) {
    this.current = slot.state;
    this.seq = slot.seq;
  }

  /** Opens or creates `<dir>/stable`. Throws CORRUPT if neither slot is intact. */
  static async open(dir: string): Promise<FileStableStore> {
    ensureDirSync(dir);
    const file = join(dir, FILE_NAME);
    let bytes: Buffer | undefined;
    try {
      bytes = readFileSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    let slot: Slot;
    if (bytes === undefined) {
      // New: the file appears complete or not at all (temp + fsync + rename + directory fsync).
      slot = { seq: 1, state: { term: 0, vote: "" } };
      const image = Buffer.alloc(2 * SLOT_BYTES);
      encodeSlot(slot).copy(image, slotOffset(slot.seq));
      writeFileAtomicSync(dir, FILE_NAME, image);
    } else {
      const a = decodeSlot(bytes, 0);
      const b = decodeSlot(bytes, SLOT_BYTES);
      const best = a === undefined ? b : b === undefined ? a : a.seq > b.seq ? a : b;
      if (best === undefined)
        throw new StorageError("CORRUPT", "both term/vote slots fail their checksum", { file, offset: 0 });
      slot = best;
    }
    return new FileStableStore(file, await open(file, "r+"), slot);
  }

  load(): HardState {
    this.assertOpen();
    return this.current;
  }

  save(state: HardState): Promise<void> {
    try {
      this.assertOpen();
      if (this.failure !== undefined) throw this.failure;
      if (Buffer.byteLength(state.vote, "utf8") > MAX_VOTE_BYTES) {
        throw new StorageError("TOO_LARGE", `vote id longer than ${MAX_VOTE_BYTES} bytes`);
      }
    } catch (err) {
      return Promise.reject(err);
    }
    this.stats.saves++;
    this.current = { term: state.term, vote: state.vote };
    return new Promise((resolve, reject) => {
      this.pending ??= { state: this.current, waiters: [] };
      this.pending.state = this.current;
      this.pending.waiters.push({ resolve, reject });
      this.writing ??= this.drain();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.writing !== undefined) await this.writing;
    await this.handle.close();
  }

  private async drain(): Promise<void> {
    while (this.pending !== undefined) {
      const { state, waiters } = this.pending;
      this.pending = undefined;
      try {
        const seq = this.seq + 1;
        const slot = encodeSlot({ seq, state });
        await this.handle.write(slot, 0, SLOT_BYTES, slotOffset(seq)); // never the current slot
        await this.handle.datasync();
        this.stats.fsyncs++;
        this.seq = seq;
        for (const w of waiters) w.resolve();
      } catch (err) {
        this.failure = new StorageError("IO", `term/vote write failed: ${(err as Error).message}`, {
          file: this.file,
          cause: err,
        });
        for (const w of waiters) w.reject(this.failure);
        // Saves queued while the failed write was in flight fail too (the field changed under the await).
        const queued = this.pending as FileStableStore["pending"];
        for (const w of queued?.waiters ?? []) w.reject(this.failure);
        this.pending = undefined;
      }
    }
    this.writing = undefined;
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageError("CLOSED", "stable store is closed", { file: this.file });
  }
}

function slotOffset(seq: number): number {
  return (seq % 2) * SLOT_BYTES;
}

function encodeSlot(slot: Slot): Buffer {
  const buf = Buffer.alloc(SLOT_BYTES);
  const vote = Buffer.from(slot.state.vote, "utf8");
  buf.writeUInt32LE(MAGIC, 0);
  buf.writeUInt32LE(slot.seq % 0x1_0000_0000, 4);
  buf.writeUInt32LE(Math.floor(slot.seq / 0x1_0000_0000), 8);
  buf.writeUInt32LE(slot.state.term % 0x1_0000_0000, 12);
  buf.writeUInt32LE(Math.floor(slot.state.term / 0x1_0000_0000), 16);
  buf.writeUInt16LE(vote.byteLength, 20);
  vote.copy(buf, FIXED_BYTES);
  buf.writeUInt32LE(crc32(buf.subarray(0, SLOT_BYTES - 4)), SLOT_BYTES - 4);
  return buf;
}

function decodeSlot(file: Buffer, at: number): Slot | undefined {
  if (file.byteLength < at + SLOT_BYTES) return undefined;
  const buf = file.subarray(at, at + SLOT_BYTES);
  if (buf.readUInt32LE(0) !== MAGIC) return undefined;
  if (buf.readUInt32LE(SLOT_BYTES - 4) !== crc32(buf.subarray(0, SLOT_BYTES - 4))) return undefined;
  const voteBytes = buf.readUInt16LE(20);
  if (voteBytes > MAX_VOTE_BYTES) return undefined;
  return {
    seq: buf.readUInt32LE(4) + buf.readUInt32LE(8) * 0x1_0000_0000,
    state: {
      term: buf.readUInt32LE(12) + buf.readUInt32LE(16) * 0x1_0000_0000,
      vote: buf.toString("utf8", FIXED_BYTES, FIXED_BYTES + voteBytes),
    },
  };
}
