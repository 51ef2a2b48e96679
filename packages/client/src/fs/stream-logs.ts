// Task log streaming for `/v1/client/fs/logs/:alloc`, with Nomad's frames and semantics.
//
// logmon writes `<alloc_dir>/<alloc>/alloc/logs/<task>.<type>.<n>`, moving to n + 1 when a
// file is full and deleting the oldest beyond max_files. A stream starts at `offset` bytes
// from the start of the oldest file kept (`origin: "start"`) or back from the end of the
// newest (`origin: "end"`), crossing file boundaries as needed, and reads the files in index
// order. Frames are `{ File: "alloc/logs/<task>.<type>.<n>", Offset, Data }` where Offset is
// the file offset just after Data (Nomad's framer), so a reader can resume from it. Without
// `follow` the stream ends at the end of the newest file; with it, it waits for new data and
// moves on when the next file appears (rotation). A file that shrinks gets a
// `"file truncated"` event and is read again from 0; a file deleted under the reader gets
// `"file deleted"` and the stream goes on with the next file. Aborting the signal ends the
// stream (returns, no throw).

import { watch, type FSWatcher } from "node:fs";
import { open, readdir, stat, type FileHandle } from "node:fs/promises";
import { join } from "node:path";

export interface StreamLogsRequest {
  allocID: string;
  task: string;
  type: "stdout" | "stderr";
  follow: boolean;
  offset: number;
  origin: "start" | "end";
  signal: AbortSignal;
}

export interface LogDataFrame {
  File: string;
  Offset: number;
  Data: Uint8Array;
}
export interface LogEventFrame {
  File: string;
  FileEvent: string;
}
export type LogFrame = LogDataFrame | LogEventFrame;

export const FILE_DELETED = "file deleted";
export const FILE_TRUNCATED = "file truncated";

export interface StreamLogsOptions {
  /** How often a followed file is checked when no fs event wakes the reader (ms). */
  pollIntervalMs?: number;
  /** Largest Data per frame (Nomad's framer uses 64 KiB). */
  maxFrameBytes?: number;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Indexes of `<task>.<type>.<n>` present in `dir`, ascending. */
async function logIndexes(dir: string, base: string): Promise<number[]> {
  const re = new RegExp(`^${escapeRegExp(base)}\\.(\\d+)$`);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
  const out: number[] = [];
  for (const n of names) {
    const m = re.exec(n);
    if (m) out.push(Number(m[1]));
  }
  return out.sort((a, b) => a - b);
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/** Where to begin: the file index and the offset in it. */
async function startPosition(
  dir: string,
  base: string,
  indexes: number[],
  origin: "start" | "end",
  offset: number,
): Promise<{ index: number; offset: number }> {
  let remaining = Math.max(0, offset);
  if (origin === "start") {
    for (const [i, idx] of indexes.entries()) {
      const size = (await sizeOf(join(dir, `${base}.${idx}`))) ?? 0;
      if (remaining <= size || i === indexes.length - 1)
        return { index: idx, offset: Math.min(remaining, size) };
      remaining -= size;
    }
  } else {
    for (let i = indexes.length - 1; i >= 0; i--) {
      const idx = indexes[i] as number;
      const size = (await sizeOf(join(dir, `${base}.${idx}`))) ?? 0;
      if (remaining <= size) return { index: idx, offset: size - remaining };
      remaining -= size;
    }
  }
  return { index: indexes[0] as number, offset: 0 };
}

/** Wakes on a change in the logs dir, after `ms`, or on abort, whichever comes first. */
class DirWaker {
  private watcher: FSWatcher | undefined;
  private wake: (() => void) | undefined;
  private dirty = false;

  constructor(dir: string) {
    try {
      this.watcher = watch(dir, { persistent: false }, () => {
        this.dirty = true;
        this.wake?.();
      });
      this.watcher.on("error", () => this.close());
    } catch {
      this.watcher = undefined; // no inotify (or no dir yet): polling alone
    }
  }

  wait(ms: number, signal: AbortSignal): Promise<void> {
    if (this.dirty || signal.aborted) {
      this.dirty = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        this.wake = undefined;
        this.dirty = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done, { once: true });
      this.wake = done;
    });
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}

export async function* streamLogs(
  allocDir: string,
  req: StreamLogsRequest,
  options: StreamLogsOptions = {},
): AsyncGenerator<LogFrame, void, undefined> {
  const pollMs = options.pollIntervalMs ?? 250;
  const maxFrame = options.maxFrameBytes ?? 64 * 1024;
  const { signal } = req;
  const dir = join(allocDir, req.allocID, "alloc", "logs");
  const base = `${req.task}.${req.type}`;
  const fileName = (idx: number): string => `alloc/logs/${base}.${idx}`;
  let waker: DirWaker | undefined;
  const waitChange = async (): Promise<void> => {
    waker ??= new DirWaker(dir);
    await waker.wait(pollMs, signal);
  };

  let handle: FileHandle | undefined;
  try {
    let indexes = await logIndexes(dir, base);
    while (indexes.length === 0) {
      if (!req.follow || signal.aborted) return;
      await waitChange();
      indexes = await logIndexes(dir, base);
    }
    let { index, offset } = await startPosition(dir, base, indexes, req.origin, req.offset);
    const buffer = Buffer.alloc(maxFrame);

    while (!signal.aborted) {
      const path = join(dir, `${base}.${index}`);
      try {
        handle = await open(path, "r");
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
        // Rotated away before we got to it: go on with the oldest file after it.
        const next = (await logIndexes(dir, base)).find((i) => i > index);
        if (next !== undefined) {
          index = next;
          offset = 0;
          continue;
        }
        if (!req.follow) return;
        await waitChange();
        continue;
      }

      // Read this file until it is finished: a later file exists (or it was deleted) and
      // everything written to it has been sent.
      let moveTo: number | undefined;
      while (!signal.aborted) {
        const size = (await handle.stat()).size;
        if (size < offset) {
          yield { File: fileName(index), FileEvent: FILE_TRUNCATED };
          offset = 0;
        }
        if (size > offset) {
          const { bytesRead } = await handle.read(buffer, 0, Math.min(maxFrame, size - offset), offset);
          if (bytesRead > 0) {
            offset += bytesRead;
            yield {
              File: fileName(index),
              Offset: offset,
              Data: Uint8Array.from(buffer.subarray(0, bytesRead)),
            };
            continue;
          }
        }
        // At the end of what is written. Deleted under us?
        if ((await sizeOf(path)) === undefined) {
          yield { File: fileName(index), FileEvent: FILE_DELETED };
          moveTo = (await logIndexes(dir, base)).find((i) => i > index) ?? index + 1;
          break;
        }
        const next = (await logIndexes(dir, base)).find((i) => i > index);
        if (next !== undefined) {
          // Rotation: the writer has moved on, but may have written to this file in between.
          if ((await handle.stat()).size > offset) continue;
          moveTo = next;
          break;
        }
        if (!req.follow) return;
        await waitChange();
      }
      await handle.close();
      handle = undefined;
      if (moveTo === undefined) return;
      index = moveTo;
      offset = 0;
    }
  } finally {
    waker?.close();
    await handle?.close().catch(() => undefined);
  }
}
