// An advisory lock on a store directory, so two processes (or two stores in one process) never
// append to the same write-ahead log: interleaved writers would corrupt it. The lock file holds
// the owner's pid; a lock whose pid is dead (the owner was SIGKILLed) is taken over. Node has no
// flock, hence the pid check; if an unrelated process reused a dead owner's pid, remove the file.
import { closeSync, openSync, readFileSync, realpathSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { StorageError } from "./errors.js";

const heldHere = new Set<string>();

/** Takes `<dir>/<name>`; returns the release function. Throws LOCKED if someone alive holds it. */
export function acquireDirLock(dir: string, name: string): () => void {
  const file = join(dir, name);
  const key = join(realpathSync(dir), name);
  if (heldHere.has(key)) throw new StorageError("LOCKED", "already open in this process", { file });
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, "wx");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const owner = readOwner(file);
      if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
        throw new StorageError("LOCKED", `held by live process ${owner}; remove the file if that is wrong`, {
          file,
        });
      }
      rmSync(file, { force: true }); // stale: its owner is gone (or it is ours from a copied directory)
      continue;
    }
    try {
      writeSync(fd, String(process.pid));
    } finally {
      closeSync(fd);
    }
    heldHere.add(key);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      heldHere.delete(key);
      rmSync(file, { force: true });
    };
  }
  throw new StorageError("LOCKED", "could not take the lock (contended)", { file });
}

function readOwner(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, "utf8").trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
