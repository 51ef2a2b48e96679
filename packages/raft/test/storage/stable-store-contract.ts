// The StableStore contract, run against the in-memory twin and the file store.
import { afterEach, describe, expect, it } from "vitest";
import { isStorageError } from "../../src/storage/errors.js";
import type { StableStore } from "../../src/storage/types.js";

export interface StableStoreHarness {
  open(): Promise<StableStore>;
  reopen(store: StableStore): Promise<StableStore>;
  cleanup(): Promise<void>;
}

export function stableStoreContract(name: string, makeHarness: () => Promise<StableStoreHarness>): void {
  describe(`StableStore contract: ${name}`, () => {
    let harness: StableStoreHarness | undefined;
    afterEach(async () => {
      await harness?.cleanup();
      harness = undefined;
    });
    const open = async (): Promise<{ h: StableStoreHarness; store: StableStore }> => {
      harness = await makeHarness();
      return { h: harness, store: await harness.open() };
    };

    it("a fresh store holds term 0 and no vote", async () => {
      const { store } = await open();
      expect(store.load()).toEqual({ term: 0, vote: "" });
      await store.close();
    });

    it("load returns the last saved state, and so does a reopened store", async () => {
      const { h, store } = await open();
      await store.save({ term: 3, vote: "n2" });
      await store.save({ term: 4, vote: "" });
      await store.save({ term: 5, vote: "node-ü-5" });
      expect(store.load()).toEqual({ term: 5, vote: "node-ü-5" });
      const again = await h.reopen(store);
      expect(again.load()).toEqual({ term: 5, vote: "node-ü-5" });
      await again.save({ term: 6, vote: "n1" });
      const third = await h.reopen(again);
      expect(third.load()).toEqual({ term: 6, vote: "n1" });
      await third.close();
    });

    it("concurrent saves resolve and the last call wins", async () => {
      const { h, store } = await open();
      await Promise.all([1, 2, 3, 4, 5].map((t) => store.save({ term: t, vote: `n${t}` })));
      const again = await h.reopen(store);
      expect(again.load()).toEqual({ term: 5, vote: "n5" });
      await again.close();
    });

    it("a closed store refuses save with CLOSED", async () => {
      const { store } = await open();
      await store.close();
      await expect(store.save({ term: 1, vote: "" })).rejects.toSatisfy((e) => isStorageError(e, "CLOSED"));
    });
  });
}
