// Shared helpers for the storage tests.
import type { EntryType, LogEntry } from "../../src/core/types.js";

/** A deterministic entry: its data encodes index and term, so a misplaced entry is visible. */
export function entry(index: number, term: number, type: EntryType = "command", size = 16): LogEntry {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (index * 31 + term * 7 + i) & 0xff;
  return { index, term, type, data };
}

export function range(lo: number, hi: number, term: number, size = 16): LogEntry[] {
  const out: LogEntry[] = [];
  for (let i = lo; i <= hi; i++) out.push(entry(i, term, "command", size));
  return out;
}

/** Entries as plain comparable objects (Buffer vs Uint8Array must not matter). */
export function plain(
  entries: readonly LogEntry[],
): { index: number; term: number; type: EntryType; data: number[] }[] {
  return entries.map((e) => ({ index: e.index, term: e.term, type: e.type, data: Array.from(e.data) }));
}

/** A fresh directory on the real disk (`df /tmp` shows /dev/vda here, not tmpfs). */
export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const { mkdtemp, rm } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const dir = await mkdtemp(join(tmpdir(), `nomad-raft-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
