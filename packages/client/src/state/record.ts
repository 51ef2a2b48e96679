// One checksummed record: what every client state file holds.
//
//   offset 0  "NCS" + format version (1)      4 bytes
//   offset 4  payload length, u32 LE          4 bytes
//   offset 8  CRC-32 of the payload, u32 LE   4 bytes
//   offset 12 payload: UTF-8 JSON
//
// A file shorter or longer than its header says (a torn or appended write), a CRC mismatch
// (bit rot, a partial sector) or a payload that is not JSON is refused with
// CorruptRecordError: a record is used only when it is exactly what was written.

import { crc32 } from "node:zlib";

const MAGIC = Buffer.from("NCS\u0001", "latin1");
export const RECORD_HEADER_BYTES = 12;

export class CorruptRecordError extends Error {
  readonly code = "CORRUPT_STATE" as const;
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`corrupt client state record ${path}: ${reason}`);
    this.name = "CorruptRecordError";
  }
}

export function encodeRecord(value: unknown): Buffer {
  const payload = Buffer.from(JSON.stringify(value), "utf8");
  const header = Buffer.alloc(RECORD_HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(payload.length, 4);
  header.writeUInt32LE(crc32(payload), 8);
  return Buffer.concat([header, payload]);
}

export function decodeRecord(path: string, bytes: Buffer): unknown {
  if (bytes.length < RECORD_HEADER_BYTES)
    throw new CorruptRecordError(path, `torn: ${bytes.length} bytes, shorter than the header`);
  if (!bytes.subarray(0, 4).equals(MAGIC)) throw new CorruptRecordError(path, "bad magic or format version");
  const length = bytes.readUInt32LE(4);
  const actual = bytes.length - RECORD_HEADER_BYTES;
  if (actual !== length)
    throw new CorruptRecordError(path, `torn: header says ${length} payload bytes, file has ${actual}`);
  const payload = bytes.subarray(RECORD_HEADER_BYTES);
  if (crc32(payload) !== bytes.readUInt32LE(8)) throw new CorruptRecordError(path, "checksum mismatch");
  try {
    return JSON.parse(payload.toString("utf8")) as unknown;
  } catch {
    throw new CorruptRecordError(path, "payload is not JSON");
  }
}
