import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { LogEntry, SnapshotMeta } from "../../src/core/types.js";
import { recover } from "../../src/runtime/recovery.js";
import { encodeKvCommand } from "../../src/storage/kv-command.js";
import { KvFsm } from "../../src/storage/kv-fsm.js";
import { FileSnapshotStore } from "../../src/storage/file-snapshot-store.js";
import { MemoryLogStore } from "../../src/storage/memory-log-store.js";
import { MemoryStableStore } from "../../src/storage/memory-stable-store.js";

const configuration = { servers: [{ id: "n1", address: "n1", suffrage: "voter" as const }] };
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function put(index: number, value: string): LogEntry {
  return { index, term: 1, type: "command", data: encodeKvCommand({ op: "put", key: "k", value }) };
}

/** A FileSnapshotStore holding KvFsm snapshots at `indexes` (state: k = "v<index>"). */
async function storeWith(indexes: number[]): Promise<FileSnapshotStore & { dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "raft-recovery-"));
  dirs.push(dir);
  const store = await FileSnapshotStore.open(dir, { retain: 3 });
  for (const index of indexes) {
    const fsm = new KvFsm();
    fsm.apply(put(index, `v${index}`));
    const meta: SnapshotMeta = { index, term: 1, configuration, configurationIndex: 0 };
    const sink = store.create(meta);
    await fsm.snapshot().persist(sink);
    await sink.close();
  }
  return Object.assign(store, { dir });
}

describe("start-up recovery", () => {
  it("restores the newest snapshot into the FSM and hands the log after it to the core", async () => {
    const snapshots = await storeWith([10]);
    const log = new MemoryLogStore();
    await log.append(Array.from({ length: 15 }, (_, i) => put(i + 1, `v${i + 1}`)));
    const fsm = new KvFsm();
    const r = await recover(log, new MemoryStableStore({ initial: { term: 3, vote: "n1" } }), snapshots, fsm);
    expect(r.restore.snapshot?.index).toBe(10);
    expect(r.restore.entries.map((e) => e.index)).toEqual([11, 12, 13, 14, 15]);
    expect(r.restore.hardState).toEqual({ term: 3, vote: "n1" });
    expect(fsm.get("k")).toBe("v10");
  });

  it("skips a newest snapshot that fails its checksum and falls back to the previous one", async () => {
    const snapshots = await storeWith([10, 20]);
    const [newest] = snapshots.list();
    expect(newest?.meta.index).toBe(20);
    const dataFile = join(snapshots.dir, "snapshots", newest!.id, "state.bin");
    const bytes = readFileSync(dataFile);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    writeFileSync(dataFile, bytes);
    const log = new MemoryLogStore();
    await log.append(Array.from({ length: 25 }, (_, i) => put(i + 1, `v${i + 1}`)));
    const fsm = new KvFsm();
    const r = await recover(log, new MemoryStableStore(), snapshots, fsm);
    expect(r.skippedSnapshots).toEqual([newest!.id]);
    expect(r.restore.snapshot?.index).toBe(10);
    expect(r.restore.entries[0]?.index).toBe(11);
    expect(fsm.get("k")).toBe("v10");
  });

  it("refuses to start when the log does not reach back to the snapshot (entries missing)", async () => {
    const snapshots = await storeWith([10]);
    const log = new MemoryLogStore();
    await log.append(Array.from({ length: 30 }, (_, i) => put(i + 1, "x")));
    await log.compact(20);
    await expect(recover(log, new MemoryStableStore(), snapshots, new KvFsm())).rejects.toThrow(/missing/);
  });
});
