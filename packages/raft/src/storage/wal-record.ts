// On-disk framing of the segmented write-ahead log.
//
// Segment file "<firstIndex, 20 digits>.wal":
//   header (32 bytes): magic "NMDWAL01" | u32 version | u32 0 | u64 firstIndex | u32 crc of bytes 0..23 | u32 0
//   then records, back to back, all little-endian:
//   u32 crc32(bytes 4..end) | u32 payloadLength | payload
//   payload = u64 index | u64 term | u8 type (0 command, 1 noop, 2 configuration) | data
// The crc covers the length too, so a flipped length bit is caught rather than followed, and it
// is one contiguous range: one native crc call per record when a segment is scanned at start-up.
import type { EntryType, LogEntry } from "../core/types.js";
import { crc32 } from "./crc.js";

export const SEGMENT_HEADER_BYTES = 32;
export const RECORD_HEADER_BYTES = 8;
export const PAYLOAD_FIXED_BYTES = 17;
/** Smallest possible record: header plus an entry with empty data. */
export const MIN_RECORD_BYTES = RECORD_HEADER_BYTES + PAYLOAD_FIXED_BYTES;
/** Sanity bound on one record so a corrupt length cannot ask for gigabytes. */
export const MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;

const MAGIC = Buffer.from("NMDWAL01", "latin1");
const VERSION = 1;
const TYPE_CODES: Record<EntryType, number> = { command: 0, noop: 1, configuration: 2 };
const TYPES: readonly EntryType[] = ["command", "noop", "configuration"];

export function segmentFileName(firstIndex: number): string {
  return `${String(firstIndex).padStart(20, "0")}.wal`;
}

/** The first index encoded in a segment file name, or undefined for other files. */
export function parseSegmentFileName(name: string): number | undefined {
  const m = /^(\d{20})\.wal$/.exec(name);
  if (m === null) return undefined;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n >= 1 ? n : undefined;
}

function writeU64(buf: Buffer, at: number, n: number): void {
  buf.writeUInt32LE(n % 0x1_0000_0000, at);
  buf.writeUInt32LE(Math.floor(n / 0x1_0000_0000), at + 4);
}

function readU64(buf: Buffer, at: number): number {
  return buf.readUInt32LE(at) + buf.readUInt32LE(at + 4) * 0x1_0000_0000;
}

export function encodeSegmentHeader(firstIndex: number): Buffer {
  const buf = Buffer.alloc(SEGMENT_HEADER_BYTES);
  MAGIC.copy(buf, 0);
  buf.writeUInt32LE(VERSION, 8);
  writeU64(buf, 16, firstIndex);
  buf.writeUInt32LE(crc32(buf.subarray(0, 24)), 24);
  return buf;
}

/** The header's first index, or undefined if the header is short, foreign or damaged. */
export function decodeSegmentHeader(buf: Buffer): number | undefined {
  if (buf.byteLength < SEGMENT_HEADER_BYTES) return undefined;
  if (!buf.subarray(0, 8).equals(MAGIC) || buf.readUInt32LE(8) !== VERSION) return undefined;
  if (buf.readUInt32LE(24) !== crc32(buf.subarray(0, 24))) return undefined;
  return readU64(buf, 16);
}

export function encodeRecord(entry: LogEntry): Buffer {
  const payloadBytes = PAYLOAD_FIXED_BYTES + entry.data.byteLength;
  const buf = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payloadBytes);
  buf.writeUInt32LE(payloadBytes, 4);
  writeU64(buf, 8, entry.index);
  writeU64(buf, 16, entry.term);
  buf[24] = TYPE_CODES[entry.type];
  buf.set(entry.data, 25);
  buf.writeUInt32LE(crc32(buf.subarray(4)), 0);
  return buf;
}

export type DecodedRecord =
  | { readonly ok: true; readonly entry: LogEntry; readonly end: number }
  /** The bytes end before the record does (a torn tail, or a corrupt length). */
  | { readonly ok: false; readonly reason: "short" | "bad-length" | "bad-crc" | "bad-type" };

/** Decodes the record at `at`. `data` is a view into `buf` (no copy). */
export function decodeRecord(buf: Buffer, at: number): DecodedRecord {
  if (at + RECORD_HEADER_BYTES > buf.byteLength) return { ok: false, reason: "short" };
  const payloadBytes = buf.readUInt32LE(at + 4);
  if (payloadBytes < PAYLOAD_FIXED_BYTES || payloadBytes > MAX_PAYLOAD_BYTES) {
    return { ok: false, reason: "bad-length" };
  }
  const end = at + RECORD_HEADER_BYTES + payloadBytes;
  if (end > buf.byteLength) return { ok: false, reason: "short" };
  if (buf.readUInt32LE(at) !== crc32(buf.subarray(at + 4, end))) return { ok: false, reason: "bad-crc" };
  const type = TYPES[buf[at + 24] as number];
  if (type === undefined) return { ok: false, reason: "bad-type" };
  return {
    ok: true,
    end,
    entry: {
      index: readU64(buf, at + 8),
      term: readU64(buf, at + 16),
      type,
      data: buf.subarray(at + 25, end),
    },
  };
}

/**
 * Whether a valid record with an index in [minIndex, maxIndex] starts anywhere in (from, end of buf).
 * Used only after a bad record: if one does, the damage is in the middle of acknowledged data
 * (corruption); if none does, the bad bytes are an unacknowledged torn tail. The index pre-check
 * keeps this linear: the crc is computed only where a plausible index sits.
 */
export function validRecordAfter(
  buf: Buffer,
  from: number,
  minIndex: number,
  maxIndex: number,
): number | undefined {
  for (let p = from + 1; p + MIN_RECORD_BYTES <= buf.byteLength; p++) {
    const payloadBytes = buf.readUInt32LE(p + 4);
    if (payloadBytes < PAYLOAD_FIXED_BYTES || p + RECORD_HEADER_BYTES + payloadBytes > buf.byteLength)
      continue;
    const index = readU64(buf, p + 8);
    if (index < minIndex || index > maxIndex) continue;
    if (decodeRecord(buf, p).ok) return p;
  }
  return undefined;
}
