// Start-up recovery: the newest readable snapshot goes into the FSM, the log after it into the core.
// A snapshot that fails its checksum is skipped for the next older one (that is why more than one
// is retained); a log with a gap after the snapshot is corruption and stops the start.
import type { CoreRestore } from "../core/api.js";
import type { SnapshotMeta } from "../core/types.js";
import type { FSM, LogStore, SnapshotStore, StableStore } from "../storage/types.js";

export interface Recovered {
  readonly restore: CoreRestore;
  readonly snapshotData: Uint8Array | undefined;
  /** Snapshots that failed verification and were skipped (newest first). */
  readonly skippedSnapshots: readonly string[];
}

export async function recover(
  logStore: LogStore,
  stableStore: StableStore,
  snapshotStore: SnapshotStore,
  fsm: FSM,
): Promise<Recovered> {
  const hardState = stableStore.load();
  let snapshot: SnapshotMeta | undefined;
  let snapshotData: Uint8Array | undefined;
  const skipped: string[] = [];
  for (const stored of snapshotStore.list()) {
    try {
      const opened = await snapshotStore.open(stored.id);
      snapshot = opened.meta;
      snapshotData = opened.data;
      break;
    } catch {
      skipped.push(stored.id);
    }
  }
  if (snapshot !== undefined && snapshotData !== undefined) fsm.restore(snapshotData);

  const snapshotIndex = snapshot?.index ?? 0;
  const first = Math.max(logStore.firstIndex(), snapshotIndex + 1);
  const last = logStore.lastIndex();
  if (last > snapshotIndex && logStore.firstIndex() > snapshotIndex + 1) {
    throw new Error(
      `raft log starts at ${logStore.firstIndex()} but the newest snapshot ends at ${snapshotIndex}: entries are missing`,
    );
  }
  const entries = last >= first ? logStore.entries(first, last) : [];
  return { restore: { hardState, snapshot, entries }, snapshotData, skippedSnapshots: skipped };
}
