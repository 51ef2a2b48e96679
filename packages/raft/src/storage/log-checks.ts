// Argument checks shared by every LogStore implementation, so the in-memory twin and the
// durable store reject exactly the same calls (the contract tests run against both).
import type { LogEntry } from "../core/types.js";
import { StorageError } from "./errors.js";

/**
 * Validates an append and returns the part of it to store. The batch must be internally contiguous
 * and must not start above lastIndex + 1 (a hole). Entries below firstIndex are dropped, as etcd's
 * MemoryStorage does: they are covered by a snapshot, hence committed, hence equal to what was
 * compacted (Log Matching), so a leader re-sending them is harmless.
 */
export function checkAppend(
  entries: readonly LogEntry[],
  firstIndex: number,
  lastIndex: number,
): readonly LogEntry[] {
  const head = entries[0];
  if (head === undefined) return entries;
  if (!Number.isSafeInteger(head.index) || head.index < 1) {
    throw new StorageError("NON_CONTIGUOUS", `entry index ${head.index} is not a positive integer`);
  }
  if (head.index > lastIndex + 1) {
    throw new StorageError(
      "NON_CONTIGUOUS",
      `append starting at ${head.index} leaves a gap after ${lastIndex}`,
      {
        index: head.index,
      },
    );
  }
  for (let i = 1; i < entries.length; i++) {
    const e = entries[i] as LogEntry;
    if (e.index !== head.index + i) {
      throw new StorageError(
        "NON_CONTIGUOUS",
        `entry ${i} of the batch has index ${e.index}, expected ${head.index + i}`,
        {
          index: e.index,
        },
      );
    }
  }
  return head.index >= firstIndex ? entries : entries.slice(firstIndex - head.index);
}

/** Reads must stay inside the stored range; an empty range (lo > hi) is allowed and returns nothing. */
export function checkRange(lo: number, hi: number, firstIndex: number, lastIndex: number): void {
  if (lo > hi) return;
  if (lo < firstIndex || hi > lastIndex) {
    throw new StorageError(
      "MISSING_ENTRY",
      `entries [${lo}, ${hi}] requested, log holds [${firstIndex}, ${lastIndex}]`,
      {
        index: lo < firstIndex ? lo : hi,
      },
    );
  }
}
