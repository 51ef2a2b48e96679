// Recovery of one segment file: find every intact record and decide what a damaged region means.
//
// Only the newest segment can hold a torn write: a segment is fsynced before the next one is
// created. So in the newest segment a bad record after which no valid record follows is a torn
// tail (never acknowledged) and is cut off; anything else bad is corruption of acknowledged data,
// which recovery refuses with the file and offset instead of silently dropping entries.
// Limit: a bit flip inside the very last record is indistinguishable from a torn write, and that
// record is dropped; any damage with a valid record after it is reported.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { StorageError } from "./errors.js";
import {
  MIN_RECORD_BYTES,
  SEGMENT_HEADER_BYTES,
  decodeRecord,
  decodeSegmentHeader,
  validRecordAfter,
} from "./wal-record.js";

export type ScannedSegment =
  | {
      readonly kind: "ok";
      readonly firstIndex: number;
      /** Byte offset of each record; record i holds index firstIndex + i. */
      readonly offsets: number[];
      /** End of the last intact record: the file is truncated here if longer. */
      readonly end: number;
      readonly fileBytes: number;
      readonly lastTerm: number;
    }
  /** The newest segment's header never became durable: it holds nothing acknowledged. */
  | { readonly kind: "empty-torn" };

export function scanSegment(
  dir: string,
  name: string,
  firstIndexFromName: number,
  isNewest: boolean,
): ScannedSegment {
  const file = join(dir, name);
  const buf = readFileSync(file);
  const headerIndex = decodeSegmentHeader(buf);
  if (headerIndex === undefined) {
    if (isNewest && buf.byteLength <= SEGMENT_HEADER_BYTES) return { kind: "empty-torn" };
    throw new StorageError("CORRUPT", "segment header is damaged", { file, offset: 0 });
  }
  if (headerIndex !== firstIndexFromName) {
    throw new StorageError(
      "CORRUPT",
      `segment header says first index ${headerIndex}, name says ${firstIndexFromName}`,
      {
        file,
        offset: 0,
      },
    );
  }
  const offsets: number[] = [];
  let at = SEGMENT_HEADER_BYTES;
  let expected = headerIndex;
  let lastTerm = 0;
  while (at < buf.byteLength) {
    const rec = decodeRecord(buf, at);
    if (rec.ok && rec.entry.index === expected && rec.entry.term >= lastTerm) {
      offsets.push(at);
      at = rec.end;
      expected++;
      lastTerm = rec.entry.term;
      continue;
    }
    if (rec.ok) {
      throw new StorageError(
        "CORRUPT",
        `record holds index ${rec.entry.index} term ${rec.entry.term}, expected index ${expected} with term >= ${lastTerm}`,
        { file, offset: at, index: expected },
      );
    }
    if (!isNewest) {
      throw new StorageError("CORRUPT", `damaged record (${rec.reason}) in a sealed segment`, {
        file,
        offset: at,
        index: expected,
      });
    }
    const maxIndex = expected + Math.ceil((buf.byteLength - at) / MIN_RECORD_BYTES);
    const later = validRecordAfter(buf, at, expected, maxIndex);
    if (later !== undefined) {
      throw new StorageError(
        "CORRUPT",
        `damaged record (${rec.reason}) for index ${expected} followed by an intact record at offset ${later}`,
        { file, offset: at, index: expected },
      );
    }
    break; // a torn tail: everything from `at` on was never acknowledged
  }
  return { kind: "ok", firstIndex: headerIndex, offsets, end: at, fileBytes: buf.byteLength, lastTerm };
}
