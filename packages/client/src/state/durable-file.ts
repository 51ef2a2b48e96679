// Atomic, durable replacement of a small file: write a temporary file beside it, fsync it,
// rename it over the target, fsync the directory. A crash at any point leaves either the old
// content or the new one under the name, never a mix; only a stray temporary file can be
// left behind, which readers ignore and `removeStrayTemps` deletes.

import { open, readdir, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export const TEMP_MARKER = ".tmp-";
let tempCounter = 0;

/** fsync a directory so a rename or unlink inside it survives a power loss. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function writeFileDurable(path: string, data: Uint8Array | string): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `${basename(path)}${TEMP_MARKER}${process.pid}-${++tempCounter}`);
  const handle = await open(temp, "w", 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (e) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw e;
  }
  await handle.close();
  await rename(temp, path);
  await fsyncDir(dir);
}

/** Deletes temporary files a crash left in `dir` (never the records themselves). */
export async function removeStrayTemps(dir: string): Promise<number> {
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (name.includes(TEMP_MARKER)) {
      await rm(join(dir, name), { force: true });
      removed++;
    }
  }
  return removed;
}
