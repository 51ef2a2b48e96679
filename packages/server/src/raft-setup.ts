// Where a server keeps its Raft state: `<data_dir>/server/raft/{log,stable,snapshots}` on disk
// (fsync'd, checksummed: @nomad/raft's file stores), or memory in dev mode as Nomad does.
import { join } from "node:path";
import {
  FileLogStore,
  FileSnapshotStore,
  FileStableStore,
  type LogStore,
  type SnapshotStore,
  type StableStore,
} from "@nomad/raft";
import { MemoryLogStore, MemorySnapshotStore, MemoryStableStore } from "@nomad/raft/testing";

export interface RaftStores {
  readonly logStore: LogStore;
  readonly stableStore: StableStore;
  readonly snapshotStore: SnapshotStore;
}

/** Nomad keeps 2 snapshots. */
const RETAINED_SNAPSHOTS = 2;

export async function openRaftStores(serverDir: string | undefined): Promise<RaftStores> {
  if (serverDir === undefined) {
    return {
      logStore: new MemoryLogStore(),
      stableStore: new MemoryStableStore(),
      snapshotStore: new MemorySnapshotStore(),
    };
  }
  const raftDir = join(serverDir, "raft");
  return {
    logStore: await FileLogStore.open(join(raftDir, "log")),
    stableStore: await FileStableStore.open(join(raftDir, "stable")),
    snapshotStore: await FileSnapshotStore.open(join(raftDir, "snapshots"), { retain: RETAINED_SNAPSHOTS }),
  };
}
