// Small durable-file helpers shared by the file stores.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from "node:fs";
import { open, rename } from "node:fs/promises";
import { join } from "node:path";

/** Makes a directory entry change (create, rename, unlink) durable: fsync the directory itself. */
export async function fsyncDir(dir: string): Promise<void> {
  const h = await open(dir, "r");
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

export function fsyncDirSync(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Creates `dir` (and parents) and makes its entry durable in the parent. */
export function ensureDirSync(dir: string): void {
  mkdirSync(dir, { recursive: true });
  fsyncDirSync(join(dir, ".."));
}

/**
 * Replaces `dir/name` atomically and durably: write a temp file, fsync it, rename over the target,
 * fsync the directory. A crash leaves either the old or the new content, never a mix.
 */
export function writeFileAtomicSync(dir: string, name: string, data: Uint8Array): void {
  const tmp = join(dir, `${name}.tmp`);
  const fd = openSync(tmp, "w");
  try {
    let at = 0;
    while (at < data.byteLength) at += writeSync(fd, data, at, data.byteLength - at);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(dir, name));
  fsyncDirSync(dir);
}

/** The asynchronous form of writeFileAtomicSync, for paths that must not block the event loop. */
export async function writeFileAtomic(dir: string, name: string, data: Uint8Array): Promise<void> {
  const tmp = join(dir, `${name}.tmp`);
  const h = await open(tmp, "w");
  try {
    let at = 0;
    while (at < data.byteLength) at += (await h.write(data, at, data.byteLength - at)).bytesWritten;
    await h.sync();
  } finally {
    await h.close();
  }
  await rename(tmp, join(dir, name));
  await fsyncDir(dir);
}
