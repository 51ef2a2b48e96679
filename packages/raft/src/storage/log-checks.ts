// Argument checks shared by every LogStore implementation, so the in-memory twin and the
// durable store reject exactly the same calls (the contract tests run against both).
import type { LogEntry } from "../core/types.js";
import { StorageError } from "./errors.js";

/**
 * An append batch must be internally contiguous and start inside [firstIndex, lastIndex + 1]:
 * below firstIndex would rewrite compacted history, above lastIndex + 1 would leave a hole.
 */
export function checkAppend(entries: readonly LogEntry[], firstIndex: number, lastIndex: number): void {
  const head = entries[0];
  if (head === undefined) return;
  if (!Number.isSafeInteger(head.index) || head.index < 1) {
    throw new StorageError("NON_CONTIGUOUS", `entry index ${head.index} is not a positive integer`);
  }
  if (head.index < firstIndex || head.index > lastIndex + 1) {
    throw new StorageError(
      "NON_CONTIGUOUS",
      `append starting at ${head.index} outside [${firstIndex}, ${lastIndex + 1}]`,
      { index: head.index },
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
