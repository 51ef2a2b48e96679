import { pack } from "msgpackr";
import { describe, expect, it } from "vitest";
import type { Configuration, LogEntry } from "../../src/core/types.js";
import { isStorageError } from "../../src/storage/errors.js";
import { MemoryLogStore } from "../../src/storage/memory-log-store.js";
import { MemorySnapshotStore } from "../../src/storage/memory-snapshot-store.js";
import { MemoryStableStore } from "../../src/storage/memory-stable-store.js";
import { recoverState } from "../../src/storage/recover-state.js";
import { range } from "./helpers.js";
import { meta, writeSnapshot } from "./snapshot-store-contract.js";

const conf = (...ids: string[]): Configuration => ({
  servers: ids.map((id, i) => ({ id, address: `127.0.0.1:${7001 + i}`, suffrage: "voter" as const })),
});
const confEntry = (index: number, c: Configuration): LogEntry => ({
  index,
  term: 1,
  type: "configuration",
  data: pack(c),
});

async function stores(): Promise<{
  log: MemoryLogStore;
  stable: MemoryStableStore;
  snaps: MemorySnapshotStore;
}> {
  return { log: new MemoryLogStore(), stable: new MemoryStableStore(), snaps: new MemorySnapshotStore() };
}

describe("recoverState", () => {
  it("an empty node recovers term 0, no snapshot, no entries, no configuration", async () => {
    const { log, stable, snaps } = await stores();
    expect(recoverState(log, stable, snaps)).toEqual({
      hardState: { term: 0, vote: "" },
      snapshot: undefined,
      entries: [],
      configuration: undefined,
    });
  });

  it("without a snapshot: the whole log and its last configuration entry", async () => {
    const { log, stable, snaps } = await stores();
    await stable.save({ term: 3, vote: "n2" });
    await log.append([
      confEntry(1, conf("n1")),
      ...range(2, 4, 1),
      confEntry(5, conf("n1", "n2")),
      ...range(6, 7, 2),
    ]);
    const r = recoverState(log, stable, snaps);
    expect(r.hardState).toEqual({ term: 3, vote: "n2" });
    expect(r.entries.map((e) => e.index)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(r.configuration).toEqual(conf("n1", "n2"));
  });

  it("with a snapshot: only entries after it; its configuration unless a later entry changes it", async () => {
    const { log, stable, snaps } = await stores();
    await log.append([confEntry(1, conf("a")), ...range(2, 20, 1)]);
    await log.compact(5); // trailing logs kept before the snapshot
    await writeSnapshot(snaps, meta(10, 1), new Uint8Array([1]));
    const r = recoverState(log, stable, snaps);
    expect(r.snapshot).toEqual(meta(10, 1));
    expect(r.entries.map((e) => e.index)).toEqual(range(11, 20, 1).map((e) => e.index));
    expect(r.configuration).toEqual(meta(10, 1).configuration);
    await log.append([confEntry(21, conf("a", "b"))]);
    expect(recoverState(log, stable, snaps).configuration).toEqual(conf("a", "b"));
  });

  it("a snapshot ahead of the whole log (installed from a leader) leaves no entries", async () => {
    const { log, stable, snaps } = await stores();
    await log.append(range(1, 3, 1));
    await writeSnapshot(snaps, meta(50, 2), new Uint8Array([1]));
    await log.compact(50);
    const r = recoverState(log, stable, snaps);
    expect(r.entries).toEqual([]);
    expect(r.snapshot?.index).toBe(50);
  });

  it("a log compacted past the newest snapshot is a gap: MISSING_ENTRY", async () => {
    const { log, stable, snaps } = await stores();
    await log.append(range(1, 30, 1));
    await writeSnapshot(snaps, meta(10, 1), new Uint8Array([1]));
    await log.compact(20);
    expect(() => recoverState(log, stable, snaps)).toThrow(
      expect.objectContaining({ code: "MISSING_ENTRY" }),
    );
  });

  it("a configuration entry that does not decode is CORRUPT", async () => {
    const { log, stable, snaps } = await stores();
    await log.append([{ index: 1, term: 1, type: "configuration", data: pack({ servers: [{ id: 1 }] }) }]);
    let err: unknown;
    try {
      recoverState(log, stable, snaps);
    } catch (e) {
      err = e;
    }
    expect(isStorageError(err, "CORRUPT")).toBe(true);
  });
});
