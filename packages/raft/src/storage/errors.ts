// Typed storage failures. The set of codes is closed so callers can switch on it exhaustively;
// anything else thrown from a store is a bug (an assertion), not an expected failure.

export type StorageErrorCode =
  /** A checksum, length or sequence check failed somewhere other than a torn tail. */
  | "CORRUPT"
  /** The store was closed (or crashed, for the in-memory twins) before the call. */
  | "CLOSED"
  /** A read asked for a log entry that is compacted away or was never written. */
  | "MISSING_ENTRY"
  /** An append whose first index leaves a gap, reaches below the compacted prefix, or skips within the batch. */
  | "NON_CONTIGUOUS"
  /** A snapshot id that is not (or no longer) in the store. */
  | "NOT_FOUND"
  /** Another live process (or another open store in this one) holds the directory's lock. */
  | "LOCKED"
  /** A value that does not fit the on-disk format (e.g. an oversized vote id). */
  | "TOO_LARGE"
  /**
   * A write, sync or file operation failed. The store refuses every later write: after a failed
   * fsync the kernel may have dropped the dirty pages, so nothing written since the last good
   * sync can be trusted (the "fsyncgate" lesson). Reopen the store to recover from disk.
   */
  | "IO";

export interface StorageErrorDetails {
  /** The file in which the problem was found, when there is one. */
  readonly file?: string;
  /** Byte offset inside `file`. */
  readonly offset?: number;
  readonly index?: number;
  readonly cause?: unknown;
}

export class StorageError extends Error {
  override readonly name = "StorageError";
  readonly code: StorageErrorCode;
  readonly file: string | undefined;
  readonly offset: number | undefined;
  readonly index: number | undefined;

  constructor(code: StorageErrorCode, message: string, details: StorageErrorDetails = {}) {
    const where =
      details.file === undefined
        ? ""
        : ` (${details.file}${details.offset === undefined ? "" : ` at offset ${details.offset}`})`;
    super(`${code}: ${message}${where}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.file = details.file;
    this.offset = details.offset;
    this.index = details.index;
  }
}

export function isStorageError(err: unknown, code?: StorageErrorCode): err is StorageError {
  return err instanceof StorageError && (code === undefined || err.code === code);
}
