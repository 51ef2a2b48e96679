// /proc helpers: a PID alone is not an identity (PIDs are reused), so a process is named by
// its pid plus its start time in clock ticks since boot (field 22 of /proc/<pid>/stat).

import { readFileSync } from "node:fs";
import { constants } from "node:os";

export function readStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // comm (field 2) may contain spaces and parentheses: fields restart after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const state = fields[0];
    if (state === "Z" || state === "X") return undefined; // exited, not yet reaped
    return fields[19];
  } catch {
    return undefined;
  }
}

export function readParentPid(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    return undefined;
  }
}

/** True when `pid` is alive and is still the process that started at `startTicks`. */
export function sameProcessAlive(pid: number, startTicks: string): boolean {
  if (!(pid > 0)) return false;
  const now = readStartTicks(pid);
  return now !== undefined && now === startTicks;
}

/** "SIGINT", "INT", "sigint" -> "SIGINT"; throws naming the field for unknown names. */
export function normalizeSignal(name: string, field = "kill_signal"): NodeJS.Signals {
  const upper = name.trim().toUpperCase();
  const full = upper.startsWith("SIG") ? upper : `SIG${upper}`;
  if (!(full in constants.signals)) throw new Error(`${field}: unknown signal ${JSON.stringify(name)}`);
  return full as NodeJS.Signals;
}

/** Sends a signal to a process group; false when the group no longer exists. */
export function killGroup(pgid: number, signal: NodeJS.Signals): boolean {
  if (!(pgid > 1)) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw e;
  }
}

export function killPid(pid: number, signal: NodeJS.Signals): boolean {
  if (!(pid > 1)) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw e;
  }
}
