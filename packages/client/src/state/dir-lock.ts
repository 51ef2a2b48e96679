// One agent per state dir. Nomad's BoltDB takes an flock on state.db; Node has no flock, so
// the owner is recorded in <state_dir>/lock as "<pid> <start ticks>" (created with O_EXCL).
// A lock whose process is gone (a crash, SIGKILL) or whose pid now belongs to another
// process (start ticks differ) is stale and taken over; a live owner makes the open fail
// with a clear message instead of two agents writing the same records. The same process
// may open the dir again (tests, a client restarted in-process).

import { open, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { readStartTicks, sameProcessAlive } from "../drivers/proc.js";
import { fsyncDir } from "./durable-file.js";

export const LOCK_FILE = "lock";

export class StateDirLockedError extends Error {
  readonly code = "STATE_DIR_LOCKED" as const;
  constructor(
    readonly stateDir: string,
    readonly ownerPid: number,
  ) {
    super(`client state dir ${stateDir} is in use by another agent (pid ${ownerPid})`);
    this.name = "StateDirLockedError";
  }
}

function parseOwner(text: string): { pid: number; ticks: string } | undefined {
  const m = /^(\d+) (\S+)\s*$/.exec(text);
  return m === null ? undefined : { pid: Number(m[1]), ticks: m[2] as string };
}

/** Takes the lock of `stateDir`; resolves with its release. */
export async function lockStateDir(stateDir: string): Promise<() => Promise<void>> {
  const path = join(stateDir, LOCK_FILE);
  const me = `${process.pid} ${readStartTicks(process.pid) ?? "0"}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, "wx", 0o600);
      try {
        await handle.writeFile(me);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fsyncDir(stateDir);
      return async () => {
        // Only our own lock is removed (a stale-lock takeover may have replaced it).
        const now = await readFile(path, "utf8").catch(() => "");
        if (now === me) await rm(path, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const text = await readFile(path, "utf8").catch(() => "");
    const owner = parseOwner(text);
    if (owner !== undefined && owner.pid === process.pid && text === me) {
      // Re-opened by this very process: keep the lock, nothing to release twice.
      return async () => undefined;
    }
    if (owner !== undefined && owner.pid !== process.pid && sameProcessAlive(owner.pid, owner.ticks)) {
      throw new StateDirLockedError(stateDir, owner.pid);
    }
    // Stale (owner gone, pid reused, or a torn lock file from a crash): take it over.
    await rm(path, { force: true });
  }
  throw new Error(`client state dir ${stateDir}: could not take the lock`);
}
