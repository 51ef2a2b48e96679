// The SnapshotStore contract, run against the in-memory twin and the file store.
import { afterEach, describe, expect, it } from "vitest";
import type { SnapshotMeta } from "../../src/core/types.js";
import { isStorageError } from "../../src/storage/errors.js";
import type { SnapshotStore } from "../../src/storage/types.js";

export interface SnapshotStoreHarness {
  open(retain?: number): Promise<SnapshotStore>;
  reopen(store: SnapshotStore, retain?: number): Promise<SnapshotStore>;
  cleanup(): Promise<void>;
}

export function meta(index: number, term: number): SnapshotMeta {
  return {
    index,
    term,
    configurationIndex: 1,
    configuration: { servers: [{ id: "n1", address: "127.0.0.1:7001", suffrage: "voter" }] },
  };
}

export function bytes(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 13 + seed) & 0xff;
  return out;
}

export async function writeSnapshot(
  store: SnapshotStore,
  m: SnapshotMeta,
  data: Uint8Array,
  chunk = 1000,
): Promise<void> {
  const sink = store.create(m);
  for (let at = 0; at < data.byteLength; at += chunk) sink.write(data.subarray(at, at + chunk));
  await sink.close();
}

export function snapshotStoreContract(name: string, makeHarness: () => Promise<SnapshotStoreHarness>): void {
  describe(`SnapshotStore contract: ${name}`, () => {
    let harness: SnapshotStoreHarness | undefined;
    afterEach(async () => {
      await harness?.cleanup();
      harness = undefined;
    });
    const open = async (retain?: number): Promise<{ h: SnapshotStoreHarness; store: SnapshotStore }> => {
      harness = await makeHarness();
      return { h: harness, store: await harness.open(retain) };
    };

    it("a written snapshot is listed and opens to the same meta and bytes", async () => {
      const { store } = await open();
      expect(store.list()).toEqual([]);
      const data = bytes(5000, 1);
      await writeSnapshot(store, meta(10, 2), data);
      const [s] = store.list();
      expect(s?.meta).toEqual(meta(10, 2));
      expect(s?.sizeBytes).toBe(5000);
      const opened = await store.open(s!.id);
      expect(opened.meta).toEqual(meta(10, 2));
      expect(Array.from(opened.data)).toEqual(Array.from(data));
      await store.close();
    });

    it("nothing is visible before close, and a cancelled sink leaves nothing", async () => {
      const { store } = await open();
      const sink = store.create(meta(5, 1));
      sink.write(bytes(100, 2));
      expect(store.list()).toEqual([]);
      await sink.cancel();
      expect(store.list()).toEqual([]);
      expect(() => sink.write(bytes(1, 1))).toThrow(expect.objectContaining({ code: "CLOSED" }));
      await store.close();
    });

    it("close is idempotent, so both the FSM's persist and the runtime may close a sink", async () => {
      const { store } = await open();
      const sink = store.create(meta(5, 1));
      sink.write(bytes(10, 3));
      await sink.close();
      await sink.close();
      expect(store.list()).toHaveLength(1);
      await store.close();
    });

    it("lists newest first and keeps only the newest `retain` (default 2)", async () => {
      const { store } = await open();
      await writeSnapshot(store, meta(10, 1), bytes(10, 1));
      await writeSnapshot(store, meta(20, 1), bytes(20, 2));
      await writeSnapshot(store, meta(30, 2), bytes(30, 3));
      expect(store.list().map((s) => s.meta.index)).toEqual([30, 20]);
      await store.close();
    });

    it("retain is configurable; snapshots survive a reopen", async () => {
      const { h, store } = await open(3);
      for (const i of [1, 2, 3, 4]) await writeSnapshot(store, meta(i * 100, i), bytes(i * 10, i));
      expect(store.list().map((s) => s.meta.index)).toEqual([400, 300, 200]);
      const again = await h.reopen(store, 3);
      expect(again.list().map((s) => s.meta.index)).toEqual([400, 300, 200]);
      const top = again.list()[0]!;
      expect(Array.from((await again.open(top.id)).data)).toEqual(Array.from(bytes(40, 4)));
      await again.close();
    });

    it("sinks closed concurrently all land, then retention applies", async () => {
      const { store } = await open();
      const sinks = [10, 20, 30, 40, 50].map((i) => {
        const sink = store.create(meta(i, 1));
        sink.write(bytes(100, i));
        return sink;
      });
      await Promise.all(sinks.map((s) => s.close()));
      expect(store.list().map((s) => s.meta.index)).toEqual([50, 40]);
      await store.close();
    });

    it("an empty snapshot is valid", async () => {
      const { store } = await open();
      await writeSnapshot(store, meta(7, 1), new Uint8Array(0));
      const [s] = store.list();
      expect((await store.open(s!.id)).data.byteLength).toBe(0);
      await store.close();
    });

    it("opening an unknown id is NOT_FOUND", async () => {
      const { store } = await open();
      await expect(store.open("1-1-1")).rejects.toSatisfy((e) => isStorageError(e, "NOT_FOUND"));
      await store.close();
    });
  });
}
