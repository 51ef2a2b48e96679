import { afterEach, describe, expect, it } from "vitest";
import { StateStore, upsertJob, upsertNode } from "../../src/state/index.js";
import { job, node } from "./fixtures.js";

const LONG_MS = 60_000;

describe("StateStore.waitForChange (blocking queries)", () => {
  let store: StateStore;
  afterEach(() => {
    store.wakeAll();
    expect(store.waiterCount()).toBe(0);
  });

  it("resolves at once when the table is already past minIndex", async () => {
    store = new StateStore();
    store.write(3, (t) => upsertNode(t, node("n1")));
    await expect(store.waitForChange(["nodes"], 2, LONG_MS)).resolves.toBe(3);
  });

  it("a write to a watched table wakes the waiter with the new index", async () => {
    store = new StateStore();
    store.write(1, (t) => upsertNode(t, node("n1")));
    const waiting = store.waitForChange(["nodes"], 1, LONG_MS);
    expect(store.waiterCount()).toBe(1);
    store.write(2, (t) => upsertNode(t, node("n2")));
    await expect(waiting).resolves.toBe(2);
    expect(store.waiterCount()).toBe(0);
  });

  it("a write to another table does not wake it; the timeout answers with the current index", async () => {
    store = new StateStore();
    store.write(1, (t) => upsertNode(t, node("n1")));
    let woke = false;
    const waiting = store.waitForChange(["nodes"], 1, 300).then((i) => {
      woke = true;
      return i;
    });
    store.write(2, (t) => upsertJob(t, job("web")));
    await Promise.resolve();
    expect(woke).toBe(false);
    await expect(waiting).resolves.toBe(1);
  });

  it("waits on several tables and returns the highest of their indexes", async () => {
    store = new StateStore();
    store.write(1, (t) => upsertNode(t, node("n1")));
    const waiting = store.waitForChange(["jobs", "nodes"], 1, LONG_MS);
    store.write(5, (t) => upsertJob(t, job("web")));
    await expect(waiting).resolves.toBe(5);
  });

  it("the index table wakes on any write", async () => {
    store = new StateStore();
    const waiting = store.waitForChange(["index"], 0, LONG_MS);
    store.write(4, (t) => upsertNode(t, node("n1")));
    await expect(waiting).resolves.toBe(4);
  });

  it("an abort answers at once with the current index", async () => {
    store = new StateStore();
    store.write(2, (t) => upsertNode(t, node("n1")));
    const ac = new AbortController();
    const waiting = store.waitForChange(["nodes"], 2, LONG_MS, ac.signal);
    ac.abort();
    await expect(waiting).resolves.toBe(2);
    // An already-aborted signal never registers a waiter.
    await expect(store.waitForChange(["nodes"], 2, LONG_MS, ac.signal)).resolves.toBe(2);
  });

  it("a restore wakes every waiter", async () => {
    store = new StateStore();
    const other = new StateStore();
    other.write(9, (t) => upsertNode(t, node("n1")));
    const waiting = store.waitForChange(["jobs"], 0, LONG_MS);
    store.restoreFrom(other.serialize());
    await expect(waiting).resolves.toBe(0);
    expect(store.snapshot().nodeByID("n1")).toBeDefined();
  });

  it("refuses waiters beyond maxWaiters instead of growing without bound", async () => {
    store = new StateStore({ maxWaiters: 2 });
    const a = store.waitForChange(["nodes"], 0, LONG_MS);
    const b = store.waitForChange(["nodes"], 0, LONG_MS);
    await expect(store.waitForChange(["nodes"], 0, LONG_MS)).rejects.toThrow(/too many blocking queries/);
    store.write(1, (t) => upsertNode(t, node("n1")));
    await expect(Promise.all([a, b])).resolves.toEqual([1, 1]);
  });
});
