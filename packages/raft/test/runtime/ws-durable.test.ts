// RaftNode with its production pieces: WsTransport on 127.0.0.1 and the file stores (fsync'd) in a
// temp dir. A crash here is shutdown + transport close + store close; the restart reopens the files.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Configuration } from "../../src/core/types.js";
import { isRaftError } from "../../src/runtime/errors.js";
import { RaftNode } from "../../src/runtime/raft-node.js";
import { encodeKvCommand, type KvResult } from "../../src/storage/kv-command.js";
import { KvFsm } from "../../src/storage/kv-fsm.js";
import { FileLogStore } from "../../src/storage/file-log-store.js";
import { FileSnapshotStore } from "../../src/storage/file-snapshot-store.js";
import { FileStableStore } from "../../src/storage/file-stable-store.js";
import { WsTransport } from "../../src/transport/ws-transport.js";
import { waitFor } from "./memory-cluster.js";

interface DurableMember {
  id: string;
  address: string;
  dir: string;
  fsm: KvFsm;
  node: RaftNode<KvResult | undefined> | undefined;
  close: () => Promise<void>;
}

const root = mkdtempSync(join(tmpdir(), "raft-ws-durable-"));
let members: DurableMember[] = [];

/** `maxQueuedMessages`: per-peer send queue of the node's transport (default: the transport's). */
async function boot(
  m: DurableMember,
  bootstrap: Configuration | undefined,
  config = {},
  maxQueuedMessages?: number,
): Promise<void> {
  const transport = await WsTransport.listen({
    id: m.id,
    address: m.address,
    ...(maxQueuedMessages === undefined ? {} : { maxQueuedMessages }),
  });
  m.address = transport.localAddress;
  const logStore = await FileLogStore.open(join(m.dir, "log"));
  const stableStore = await FileStableStore.open(m.dir);
  const snapshotStore = await FileSnapshotStore.open(m.dir);
  m.fsm = new KvFsm();
  m.node = await RaftNode.start({
    id: m.id,
    profile: "test",
    config,
    transport,
    logStore,
    stableStore,
    snapshotStore,
    fsm: m.fsm,
    ...(bootstrap === undefined ? {} : { bootstrap }),
  });
  // A fatal event means a bug; print it so that a failing run says why.
  m.node.observe((e) => {
    if (e.type === "fatal") console.error(`fatal on ${m.id}:`, e.error);
  });
  m.close = async () => {
    await m.node?.shutdown();
    m.node = undefined;
    await transport.close();
    await Promise.all([logStore.close(), stableStore.close(), snapshotStore.close()]);
  };
}

async function startCluster(config = {}, maxQueuedMessages?: number): Promise<void> {
  members = ["n1", "n2", "n3"].map((id) => ({
    id,
    address: "127.0.0.1:0",
    dir: join(root, `${id}-${Date.now()}`),
    fsm: new KvFsm(),
    node: undefined,
    close: () => Promise.resolve(),
  }));
  // Bind every transport first so the bootstrap configuration can name the real ports.
  const listeners = await Promise.all(
    members.map((m) => WsTransport.listen({ id: m.id, address: m.address })),
  );
  members.forEach((m, i) => (m.address = listeners[i]!.localAddress));
  await Promise.all(listeners.map((l) => l.close()));
  const bootstrap: Configuration = {
    servers: members.map((m) => ({ id: m.id, address: m.address, suffrage: "voter" as const })),
  };
  for (const m of members) await boot(m, bootstrap, config, maxQueuedMessages);
}

function leader(exclude?: DurableMember): DurableMember | undefined {
  const ls = members.filter((m) => m !== exclude && m.node?.state() === "leader");
  return ls.length === 1 ? ls[0] : undefined;
}

afterEach(async () => {
  for (const m of members) await m.close();
  members = [];
});

/**
 * Applies on whoever leads now, retrying when leadership moves (a put is idempotent): on a loaded
 * machine the test profile's 100 ms lease can make a leader step down in the middle of a test.
 */
async function applyOnLeader(
  key: string,
  value: string,
  exclude?: DurableMember,
): Promise<KvResult | undefined> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const l = await waitFor(() => leader(exclude), 15_000, "a leader");
    try {
      return await l.node!.apply(encodeKvCommand({ op: "put", key, value }));
    } catch (e) {
      if (!isRaftError(e) || e.code === "SHUTDOWN" || Date.now() > deadline) throw e;
    }
  }
}

function live(exclude?: DurableMember): DurableMember[] {
  return members.filter((m) => m !== exclude && m.node !== undefined);
}

describe("RaftNode over WsTransport with durable file stores on loopback", () => {
  it("elects a leader, replicates writes to every node's FSM, and serves linearizable reads", async () => {
    await startCluster();
    const l = await waitFor(() => leader(), 15_000, "a leader");
    const writes = Array.from({ length: 200 }, (_, i) =>
      l.node!.apply(encodeKvCommand({ op: "put", key: `k${i % 17}`, value: String(i) })),
    );
    const results = await Promise.all(writes);
    expect(results.every((r) => r?.ok === true)).toBe(true);
    await l.node!.linearizableRead();
    const target = l.node!.appliedIndex();
    await waitFor(() => members.every((m) => m.node!.appliedIndex() >= target), 15_000, "all applied");
    for (const m of members) expect(m.fsm.dump()).toEqual(l.fsm.dump());
  }, 60_000);

  it("a crashed leader's successor commits; the old leader restarts from its files, snapshot included", async () => {
    await startCluster({ snapshotThreshold: 50, trailingLogs: 10 });
    for (let i = 0; i < 120; i++) await applyOnLeader(`a${i % 7}`, String(i));
    const crashed = await waitFor(() => leader(), 15_000, "a leader");
    await waitFor(() => crashed.node!.stats().snapshotsTaken > 0, 10_000, "a snapshot");
    await crashed.close();
    expect(await applyOnLeader("after", "crash", crashed)).toEqual({ op: "put", ok: true });
    await boot(crashed, undefined);
    await waitFor(() => crashed.fsm.get("after") === "crash", 15_000, "restarted node catches up");
    const target = Math.max(...live().map((m) => m.node!.appliedIndex()));
    await waitFor(() => live().every((m) => m.node!.appliedIndex() >= target), 15_000, "all applied");
    expect(crashed.fsm.dump()).toEqual(members.find((m) => m !== crashed)!.fsm.dump());
  }, 60_000);

  it("a follower that was down past the compacted log is brought back by InstallSnapshot over ws, into its files", async () => {
    // A small send queue: the transport would otherwise hold every append sent while the lagger
    // is down and deliver them when it returns, and the lagger would need no snapshot at all.
    await startCluster({ snapshotThreshold: 40, trailingLogs: 5 }, 8);
    const first = await waitFor(() => leader(), 15_000, "a leader");
    const lagger = members.find((m) => m !== first)!;
    await lagger.close();
    for (let i = 0; i < 150; i++) await applyOnLeader(`s${i % 9}`, String(i), lagger);
    // Both live nodes compacted past the lagger, so whichever leads must send a snapshot.
    await waitFor(
      () => live(lagger).every((m) => m.node!.stats().lastSnapshotIndex > 60),
      10_000,
      "snapshots past the lagger",
    );
    await boot(lagger, undefined);
    let restored = 0;
    lagger.node!.observe((e) => {
      if (e.type === "snapshotRestored") restored = e.index;
    });
    try {
      await waitFor(() => restored > 0, 30_000, "the lagger to install a snapshot");
    } catch (e) {
      // Say where it stood: the lagger's view and the leaders' progress towards it.
      const views = members.map((m) => ({
        id: m.id,
        stats: m.node?.stats(),
        progress: m.node?.status().progress,
      }));
      throw new Error(
        `${(e as Error).message}: ${JSON.stringify(views, (_k, v: unknown) => (v instanceof Map ? [...v] : v))}`,
      );
    }
    expect(restored).toBeGreaterThan(60);
    const target = Math.max(...live(lagger).map((m) => m.node!.appliedIndex()));
    await waitFor(() => lagger.node!.appliedIndex() >= target, 15_000, "lagger applied");
    const reference = live(lagger)[0]!;
    expect(lagger.fsm.dump()).toEqual(reference.fsm.dump());
    // And it survives its own restart: the received snapshot and the log after it are on disk.
    await lagger.close();
    await boot(lagger, undefined);
    await waitFor(() => lagger.node!.appliedIndex() >= target, 15_000, "lagger applied after restart");
    expect(lagger.fsm.dump()).toEqual(reference.fsm.dump());
  }, 60_000);
});

process.on("exit", () => rmSync(root, { recursive: true, force: true }));
