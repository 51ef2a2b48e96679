import { describe, expect, it } from "vitest";
import { MemoryLogStore } from "../../src/storage/memory-log-store.js";
import type { LogStore } from "../../src/storage/types.js";
import { plain, range } from "./helpers.js";
import { logStoreContract } from "./log-store-contract.js";

logStoreContract("MemoryLogStore", async () => ({
  open: async () => new MemoryLogStore(),
  reopen: async (store: LogStore) => (store as MemoryLogStore).crash(),
  cleanup: async () => {},
}));

describe("MemoryLogStore with manualSync (the simulator's disk model)", () => {
  it("appends stay pending until sync(), which makes all of them durable at once", async () => {
    const store = new MemoryLogStore({ manualSync: true });
    let resolved = 0;
    const ps = [store.append(range(1, 2, 1)), store.append(range(3, 3, 1))].map((p) =>
      p.then(() => resolved++),
    );
    await Promise.resolve();
    expect(resolved).toBe(0);
    expect(store.lastIndex()).toBe(3); // visible at once, durable later
    expect(store.pendingCount()).toBe(2);
    store.sync();
    await Promise.all(ps);
    expect(resolved).toBe(2);
    expect(store.stats.syncs).toBe(1);
  });

  it("a crash loses unsynced appends and keeps synced ones, including a synced overwrite", async () => {
    const store = new MemoryLogStore({ manualSync: true });
    const p = store.append(range(1, 5, 1));
    store.sync();
    await p;
    void store.append(range(4, 4, 2));
    store.sync();
    void store.append(range(5, 9, 2)); // never synced
    const after = store.crash();
    expect(after.lastIndex()).toBe(4);
    expect(plain(after.entries(1, 4))).toEqual(plain([...range(1, 3, 1), ...range(4, 4, 2)]));
    expect(() => store.lastIndex()).toThrow(expect.objectContaining({ code: "CLOSED" }));
  });
});
