// The durable half of a raft-kv node: the write-ahead log in --dir/log, term and vote in
// --dir/stable, snapshots in --dir/snapshots, and the ws transport listening on --raft.
import { join } from "node:path";
import type { LogStore, SnapshotStore, StableStore } from "@nomad/raft";
import { FileLogStore, FileSnapshotStore, FileStableStore, WsTransport } from "@nomad/raft";

export interface NodeIo {
  readonly transport: WsTransport;
  readonly logStore: LogStore;
  readonly stableStore: StableStore;
  readonly snapshotStore: SnapshotStore;
  /** Closes the transport, then the stores (after RaftNode.shutdown). */
  close(): Promise<void>;
}

export async function openNodeIo(
  id: string,
  dir: string,
  raftAddress: string,
  retainSnapshots = 2,
): Promise<NodeIo> {
  const logStore = await FileLogStore.open(join(dir, "log"));
  const stableStore = await FileStableStore.open(dir);
  const snapshotStore = await FileSnapshotStore.open(dir, { retain: retainSnapshots });
  const transport = await WsTransport.listen({ id, address: raftAddress });
  return {
    transport,
    logStore,
    stableStore,
    snapshotStore,
    close: async () => {
      await transport.close();
      await Promise.all([logStore.close(), stableStore.close(), snapshotStore.close()]);
    },
  };
}
