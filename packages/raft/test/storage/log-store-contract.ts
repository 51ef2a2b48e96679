// The LogStore contract, run against every implementation (the in-memory twin and the durable
// segmented log) so the twin the simulator trusts behaves like the store production uses.
import { afterEach, describe, expect, it } from "vitest";
import { isStorageError } from "../../src/storage/errors.js";
import type { LogStore } from "../../src/storage/types.js";
import { entry, plain, range } from "./helpers.js";

export interface LogStoreHarness {
  /** A fresh, empty store. */
  open(): Promise<LogStore>;
  /** Closes `store` cleanly and opens the same storage again. */
  reopen(store: LogStore): Promise<LogStore>;
  cleanup(): Promise<void>;
}

export function logStoreContract(name: string, makeHarness: () => Promise<LogStoreHarness>): void {
  describe(`LogStore contract: ${name}`, () => {
    let harness: LogStoreHarness | undefined;
    const open = async (): Promise<{ h: LogStoreHarness; store: LogStore }> => {
      harness = await makeHarness();
      return { h: harness, store: await harness.open() };
    };
    afterEach(async () => {
      await harness?.cleanup();
      harness = undefined;
    });

    it("a fresh store is empty: firstIndex 1, lastIndex 0", async () => {
      const { store } = await open();
      expect(store.firstIndex()).toBe(1);
      expect(store.lastIndex()).toBe(0);
      expect(store.entries(1, 0)).toEqual([]);
      await store.close();
    });

    it("reads back appended entries with index, term, type and data intact", async () => {
      const { store } = await open();
      const batch = [entry(1, 1, "configuration"), entry(2, 1, "noop", 0), entry(3, 2, "command", 1000)];
      await store.append(batch);
      expect(store.lastIndex()).toBe(3);
      expect(plain(store.entries(1, 3))).toEqual(plain(batch));
      expect(plain(store.entries(2, 2))).toEqual(plain([batch[1]!]));
      await store.close();
    });

    it("an empty append is a no-op", async () => {
      const { store } = await open();
      await store.append([]);
      expect(store.lastIndex()).toBe(0);
      await store.close();
    });

    it("reading outside the stored range is MISSING_ENTRY", async () => {
      const { store } = await open();
      await store.append(range(1, 5, 1));
      expect(() => store.entries(0, 2)).toThrow(expect.objectContaining({ code: "MISSING_ENTRY" }));
      expect(() => store.entries(4, 6)).toThrow(expect.objectContaining({ code: "MISSING_ENTRY" }));
      await store.close();
    });

    it("rejects an append that leaves a gap or is not contiguous within the batch", async () => {
      const { store } = await open();
      await store.append(range(1, 3, 1));
      await expect(store.append(range(5, 6, 1))).rejects.toSatisfy((e) =>
        isStorageError(e, "NON_CONTIGUOUS"),
      );
      await expect(store.append([entry(4, 1), entry(6, 1)])).rejects.toSatisfy((e) =>
        isStorageError(e, "NON_CONTIGUOUS"),
      );
      expect(store.lastIndex()).toBe(3);
      await store.close();
    });

    it("an append starting at or below lastIndex drops the conflicting suffix (follower overwrite)", async () => {
      const { store } = await open();
      await store.append(range(1, 10, 1));
      await store.append(range(5, 6, 2));
      expect(store.lastIndex()).toBe(6);
      expect(plain(store.entries(1, 6))).toEqual(plain([...range(1, 4, 1), ...range(5, 6, 2)]));
      await store.close();
    });

    it("concurrent appends issued without waiting all resolve and keep their order", async () => {
      const { store } = await open();
      const all = range(1, 200, 1, 40);
      await Promise.all(all.map((e) => store.append([e])));
      expect(plain(store.entries(1, 200))).toEqual(plain(all));
      await store.close();
    });

    it("an overwrite queued behind a pending append still wins", async () => {
      const { store } = await open();
      const p1 = store.append(range(1, 10, 1));
      const p2 = store.append(range(3, 4, 2));
      const p3 = store.append(range(5, 5, 2));
      await Promise.all([p1, p2, p3]);
      const expected = [...range(1, 2, 1), ...range(3, 5, 2)];
      expect(plain(store.entries(1, 5))).toEqual(plain(expected));
      expect(store.lastIndex()).toBe(5);
      await store.close();
    });

    it("compact(i) drops every entry <= i; later reads of them are MISSING_ENTRY", async () => {
      const { store } = await open();
      await store.append(range(1, 10, 1));
      await store.compact(4);
      expect(store.firstIndex()).toBe(5);
      expect(store.lastIndex()).toBe(10);
      expect(plain(store.entries(5, 10))).toEqual(plain(range(5, 10, 1)));
      expect(() => store.entries(4, 5)).toThrow(expect.objectContaining({ code: "MISSING_ENTRY" }));
      await store.compact(2); // already compacted: no-op
      expect(store.firstIndex()).toBe(5);
      await store.close();
    });

    it("entries below firstIndex in an append are ignored (compacted, hence committed)", async () => {
      const { store } = await open();
      await store.append(range(1, 10, 1));
      await store.compact(4);
      await store.append(range(3, 12, 2));
      expect(store.firstIndex()).toBe(5);
      expect(plain(store.entries(5, 12))).toEqual(plain(range(5, 12, 2)));
      await store.append(range(1, 2, 3)); // wholly compacted: nothing changes
      expect(store.lastIndex()).toBe(12);
      await store.close();
    });

    it("compact beyond lastIndex empties the log; the next append starts right after it", async () => {
      const { h, store } = await open();
      await store.append(range(1, 5, 1));
      await store.compact(20);
      expect(store.firstIndex()).toBe(21);
      expect(store.lastIndex()).toBe(20);
      await store.append(range(21, 22, 3));
      const again = await h.reopen(store);
      expect(again.firstIndex()).toBe(21);
      expect(plain(again.entries(21, 22))).toEqual(plain(range(21, 22, 3)));
      await again.close();
    });

    it("reopen restores appends, overwrites and compaction", async () => {
      const { h, store } = await open();
      await store.append(range(1, 50, 1, 64));
      await store.append(range(40, 45, 2, 64));
      await store.compact(10);
      const again = await h.reopen(store);
      expect(again.firstIndex()).toBe(11);
      expect(again.lastIndex()).toBe(45);
      expect(plain(again.entries(11, 45))).toEqual(plain([...range(11, 39, 1, 64), ...range(40, 45, 2, 64)]));
      await again.append(range(46, 47, 2));
      expect(again.lastIndex()).toBe(47);
      await again.close();
    });

    it("a closed store refuses every call with CLOSED", async () => {
      const { store } = await open();
      await store.append(range(1, 2, 1));
      await store.close();
      expect(() => store.lastIndex()).toThrow(expect.objectContaining({ code: "CLOSED" }));
      expect(() => store.entries(1, 1)).toThrow(expect.objectContaining({ code: "CLOSED" }));
      await expect(store.append(range(3, 3, 1))).rejects.toSatisfy((e) => isStorageError(e, "CLOSED"));
    });
  });
}
