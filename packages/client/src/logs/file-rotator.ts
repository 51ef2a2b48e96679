// Nomad's logmon rotation: a task stream is written to `<task>.<stream>.<n>` in the alloc's
// logs dir; when the current file reaches `maxFileSizeBytes` the writer moves to `n + 1` and
// deletes files older than the newest `maxFiles`. A new writer for the same stream (task
// restart, supervisor restart) continues appending to the highest existing index.
//
// The factory below must stay self-contained (no imports, no closures over module state):
// the per-task supervisor embeds its source text (`Function.prototype.toString`) so the
// same code rotates logs inside the detached supervisor process and in-process (mock_driver).

import type * as NodeFs from "node:fs";
import type * as NodePath from "node:path";

export interface FileRotatorOptions {
  /** The alloc's shared logs dir (`<alloc_dir>/<alloc_id>/alloc/logs`). */
  dir: string;
  /** `<task>.stdout` or `<task>.stderr`; files are `<baseName>.<n>`. */
  baseName: string;
  /** Files kept; older ones are deleted on rotation (Nomad: `max_files`, default 10). */
  maxFiles: number;
  /** Size at which the writer moves to the next file (Nomad: `max_file_size` MB, default 10). */
  maxFileSizeBytes: number;
}

export interface FileRotator {
  write(chunk: Uint8Array): void;
  close(): void;
  /** Index of the file being written. */
  currentIndex(): number;
}

export type FileRotatorClass = new (options: FileRotatorOptions) => FileRotator;

export function defineFileRotator(fs: typeof NodeFs, path: typeof NodePath): FileRotatorClass {
  return class Rotator {
    private readonly opts: FileRotatorOptions;
    private index = 0;
    private size = 0;
    private fd = -1;

    constructor(opts: FileRotatorOptions) {
      if (!(opts.maxFiles >= 1)) throw new RangeError("log rotation: maxFiles must be >= 1");
      if (!(opts.maxFileSizeBytes >= 1)) throw new RangeError("log rotation: maxFileSizeBytes must be >= 1");
      this.opts = opts;
      fs.mkdirSync(opts.dir, { recursive: true });
      const prefix = opts.baseName + ".";
      let highest = -1;
      for (const name of fs.readdirSync(opts.dir)) {
        if (!name.startsWith(prefix)) continue;
        const rest = name.slice(prefix.length);
        if (!/^[0-9]+$/.test(rest)) continue;
        highest = Math.max(highest, Number(rest));
      }
      this.index = highest < 0 ? 0 : highest;
      this.open();
      if (this.size >= opts.maxFileSizeBytes) this.rotate();
    }

    currentIndex(): number {
      return this.index;
    }

    write(chunk: Uint8Array): void {
      let offset = 0;
      while (offset < chunk.length) {
        let room = this.opts.maxFileSizeBytes - this.size;
        if (room <= 0) {
          this.rotate();
          room = this.opts.maxFileSizeBytes;
        }
        const n = Math.min(room, chunk.length - offset);
        let written = 0;
        while (written < n) written += fs.writeSync(this.fd, chunk, offset + written, n - written);
        offset += n;
        this.size += n;
      }
    }

    close(): void {
      if (this.fd >= 0) fs.closeSync(this.fd);
      this.fd = -1;
    }

    private fileFor(index: number): string {
      return path.join(this.opts.dir, this.opts.baseName + "." + String(index));
    }

    private open(): void {
      this.fd = fs.openSync(this.fileFor(this.index), "a", 0o644);
      this.size = fs.fstatSync(this.fd).size;
    }

    private rotate(): void {
      this.close();
      this.index += 1;
      this.open();
      // Delete everything older than the newest maxFiles indexes (gaps are fine).
      const oldestKept = this.index - this.opts.maxFiles + 1;
      const prefix = this.opts.baseName + ".";
      for (const name of fs.readdirSync(this.opts.dir)) {
        if (!name.startsWith(prefix)) continue;
        const rest = name.slice(prefix.length);
        if (!/^[0-9]+$/.test(rest) || Number(rest) >= oldestKept) continue;
        try {
          fs.unlinkSync(path.join(this.opts.dir, name));
        } catch {
          // Already gone (a reader or an operator removed it): nothing to purge.
        }
      }
    }
  };
}
