import { describe, expect, it } from "vitest";
import { MemorySnapshotStore } from "../../src/storage/memory-snapshot-store.js";
import { MemoryStableStore } from "../../src/storage/memory-stable-store.js";
import type { SnapshotStore, StableStore } from "../../src/storage/types.js";
import { bytes, meta, snapshotStoreContract, writeSnapshot } from "./snapshot-store-contract.js";
import { stableStoreContract } from "./stable-store-contract.js";

stableStoreContract("MemoryStableStore", async () => ({
  open: async () => new MemoryStableStore(),
  reopen: async (store: StableStore) => (store as MemoryStableStore).crash(),
  cleanup: async () => {},
}));

snapshotStoreContract("MemorySnapshotStore", async () => ({
  open: async (retain?: number) => new MemorySnapshotStore(retain === undefined ? {} : { retain }),
  reopen: async (store: SnapshotStore) => (store as MemorySnapshotStore).crash(),
  cleanup: async () => {},
}));

describe("MemoryStableStore with manualSync", () => {
  it("a save resolves only at sync(), and a crash before it keeps the previous state", async () => {
    const store = new MemoryStableStore({ manualSync: true });
    const first = store.save({ term: 1, vote: "a" });
    store.sync();
    await first;
    let saved = false;
    void store.save({ term: 2, vote: "b" }).then(() => (saved = true));
    await Promise.resolve();
    expect(saved).toBe(false);
    expect(store.load()).toEqual({ term: 2, vote: "b" });
    expect(store.crash().load()).toEqual({ term: 1, vote: "a" });
  });
});

describe("MemorySnapshotStore", () => {
  it("a crash loses a sink still being written, never a closed snapshot", async () => {
    const store = new MemorySnapshotStore();
    await writeSnapshot(store, meta(10, 1), bytes(10, 1));
    store.create(meta(20, 1)).write(bytes(10, 2));
    const after = store.crash();
    expect(after.list().map((s) => s.meta.index)).toEqual([10]);
  });

  it("openSync returns the bytes synchronously for a SnapshotSource", async () => {
    const store = new MemorySnapshotStore();
    await writeSnapshot(store, meta(10, 1), bytes(10, 9));
    expect(Array.from(store.openSync(store.list()[0]!.id).data)).toEqual(Array.from(bytes(10, 9)));
  });
});
