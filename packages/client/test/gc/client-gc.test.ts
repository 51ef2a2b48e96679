// ClientGc over real AllocRunners (mock_driver, raw_exec /bin/true), a real alloc dir and
// FileStateStore, a fake clock and a scripted statfs: what it collects, in which order,
// when, how many at once, and never a running allocation.
import type { AllocClientUpdate, TaskState } from "@nomad/structs";
import { afterEach, describe, expect, it } from "vitest";
import { allocGcEligible } from "../../src/gc/index.js";
import { allocID, GcHarness, SETTINGS, waitFor } from "./harness.js";

const harnesses: GcHarness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

async function harness(settings: Parameters<typeof GcHarness.create>[0] = {}): Promise<GcHarness> {
  const h = await GcHarness.create(settings);
  harnesses.push(h);
  return h;
}

describe("count limit (gc_max_allocs)", () => {
  it("terminal allocations over gc_max_allocs are destroyed oldest first, with their dirs and state; running ones never", async () => {
    const h = await harness({ maxAllocs: 3, parallelDestroys: 1 });
    // IDs in the reverse of finishing order: the order collected must follow age, not ID.
    const [t1, t2, t3, t4] = [allocID(0x40), allocID(0x30), allocID(0x20), allocID(0x10)];
    const [r1, r2] = [allocID(0x01), allocID(0x02)];
    await h.running(r1);
    for (const id of [t1, t2, t3, t4]) {
      await h.finished(id);
      h.clock.advance(1_000);
    }
    await h.running(r2);
    expect(h.allocDirExists(t1)).toBe(true);

    // 6 allocations, limit 3: the three oldest terminal ones go.
    const round = await h.gc.collect();

    expect(round.collected.map((c) => c.allocID)).toEqual([t1, t2, t3]);
    expect(round.collected[0]?.reason).toBe("number of allocations (6) is over the limit (3)");
    expect(round.failed).toEqual([]);
    expect(h.collectedLogged()).toEqual([t1, t2, t3]);
    for (const id of [t1, t2, t3]) expect(h.allocDirExists(id)).toBe(false);
    for (const id of [t4, r1, r2]) expect(h.allocDirExists(id)).toBe(true);
    expect(await h.persistedIDs()).toEqual([t4, r1, r2].sort());
    expect([...h.entries.keys()].sort()).toEqual([t4, r1, r2].sort());
    for (const id of [r1, r2]) expect(h.entries.get(id)?.runner.clientStatus().ClientStatus).toBe("running");
    expect(h.gc.collected).toBe(3);
  });

  it("real raw_exec /bin/true allocations over the limit are collected oldest first", async () => {
    const h = await harness({ maxAllocs: 1, parallelDestroys: 2 });
    const [a, b, c] = [allocID(3), allocID(1), allocID(2)];
    for (const id of [a, b, c]) {
      await h.finished(id, "raw_exec");
      h.clock.advance(5_000);
    }
    const round = await h.gc.collect();
    expect(round.collected.map((x) => x.allocID)).toEqual([a, b]);
    expect(h.allocDirExists(a) || h.allocDirExists(b)).toBe(false);
    expect(h.allocDirExists(c)).toBe(true);
    expect(await h.persistedIDs()).toEqual([c]);
  });

  it("more running allocations than gc_max_allocs: none is collected and the round says why", async () => {
    const h = await harness({ maxAllocs: 1 });
    const [r1, r2, r3] = [allocID(1), allocID(2), allocID(3)];
    for (const id of [r1, r2, r3]) await h.running(id);
    const round = await h.gc.collect();
    expect(round.collected).toEqual([]);
    expect(round.stillOver).toBe("number of allocations (3) is over the limit (1)");
    for (const id of [r1, r2, r3]) {
      expect(h.allocDirExists(id)).toBe(true);
      expect(h.entries.get(id)?.runner.clientStatus().ClientStatus).toBe("running");
    }
    expect(h.released).toEqual([]);
  });

  it("a new allocation arriving while gc_max_allocs would be exceeded collects the oldest terminal one first", async () => {
    const h = await harness({ maxAllocs: 3 });
    const [old, young, run] = [allocID(2), allocID(1), allocID(3)];
    await h.finished(old);
    h.clock.advance(1_000);
    await h.finished(young);
    await h.running(run);

    // 3 kept, at the limit: nothing goes until one more is about to start.
    expect((await h.gc.collect()).collected).toEqual([]);
    const round = await h.gc.makeRoomFor(1);
    expect(round.collected.map((c) => c.allocID)).toEqual([old]);
    expect(round.collected[0]?.reason).toBe("number of allocations (4) is over the limit (3)");
    expect(h.allocDirExists(old)).toBe(false);
    expect(h.allocDirExists(young)).toBe(true);
  });
});

describe("disk and inode thresholds", () => {
  it("interval GC collects terminal allocations only when over a threshold, and stops once under it", async () => {
    const h = await harness({ parallelDestroys: 1 });
    const [t1, t2, t3] = [allocID(1), allocID(2), allocID(3)];
    const run = allocID(4);
    for (const id of [t1, t2, t3]) {
      await h.finished(id);
      h.clock.advance(1_000);
    }
    await h.running(run);
    h.gc.start();

    // Under both thresholds: an interval passes and nothing is collected.
    h.usage = { diskUsedPercent: 80, inodesUsedPercent: 70 };
    h.clock.advance(SETTINGS.intervalMs);
    await h.gc.idle();
    expect(h.probes).toBe(1);
    expect(h.released).toEqual([]);

    // Each terminal dir holds 10 % of the disk: 100 % with three, under 80 % needs two gone.
    h.usageFn = () => ({
      diskUsedPercent: 70 + 10 * [t1, t2, t3].filter((id) => h.allocDirExists(id)).length,
      inodesUsedPercent: 10,
    });
    h.clock.advance(SETTINGS.intervalMs - 1);
    await h.gc.idle();
    expect(h.released).toEqual([]); // not before the interval is up
    h.clock.advance(1);
    await h.gc.idle();
    expect(h.released).toEqual([t1, t2]);
    expect(h.collectedLogged()).toEqual([t1, t2]);
    expect(h.allocDirExists(t3)).toBe(true);
    expect(h.allocDirExists(run)).toBe(true);
    expect(h.entries.get(run)?.runner.clientStatus().ClientStatus).toBe("running");
    expect(h.clock.pendingTimers()).toBe(1); // the next round is scheduled
  });

  it("inode usage over its threshold collects too; disk pressure never takes a running allocation", async () => {
    const h = await harness();
    const [t1, run] = [allocID(1), allocID(2)];
    await h.finished(t1);
    await h.running(run);
    h.usage = { diskUsedPercent: 10, inodesUsedPercent: 71 };
    const round = await h.gc.collect();
    expect(round.collected).toEqual([
      { allocID: t1, reason: "inode usage of 71 is over gc threshold of 70" },
    ]);
    // Still over with nothing terminal left: the running allocation stays.
    expect(round.stillOver).toBe("inode usage of 71 is over gc threshold of 70");
    h.usage = { diskUsedPercent: 99, inodesUsedPercent: 99 };
    const again = await h.gc.collect();
    expect(again.collected).toEqual([]);
    expect(h.allocDirExists(run)).toBe(true);
    expect(h.entries.get(run)?.runner.clientStatus().ClientStatus).toBe("running");
  });

  it("a failing statfs leaves only the count limit in force", async () => {
    const h = await harness({ maxAllocs: 50 });
    await h.finished(allocID(1));
    h.usageFn = () => {
      throw new Error("statfs: EIO");
    };
    const round = await h.gc.collect();
    expect(round.collected).toEqual([]);
    expect(
      h.logs.some((l) => l.level === "warn" && l.message === "failed to read alloc dir disk usage"),
    ).toBe(true);
  });
});

describe("parallelism and stopping", () => {
  it("at most gc_parallel_destroys destroys run at once, and that many do", async () => {
    const h = await harness({ maxAllocs: 0, parallelDestroys: 2 });
    const ids = [1, 2, 3, 4, 5, 6].map(allocID);
    for (const id of ids) {
      await h.finished(id);
      h.clock.advance(1_000);
    }
    // Hold every destroy until the test lets it go, so overlap is observable.
    let inFlight = 0;
    let maxInFlight = 0;
    const held: (() => void)[] = [];
    for (const entry of h.entries.values()) {
      const real = entry.runner.destroy.bind(entry.runner);
      entry.runner.destroy = async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise<void>((resolve) => held.push(resolve));
        await real();
        inFlight--;
      };
    }
    const round = h.gc.collect();
    for (let released = 0; released < ids.length; released++) {
      const expected = Math.min(2, ids.length - released);
      await waitFor(() => held.length === expected && inFlight === expected, `${expected} destroys held`);
      // Give the collector every chance to start a third one.
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      expect(inFlight).toBe(expected);
      held.shift()?.();
    }
    const r = await round;
    expect(r.collected.map((c) => c.allocID)).toEqual(ids);
    expect(maxInFlight).toBe(2);
    for (const id of ids) expect(h.allocDirExists(id)).toBe(false);
  });

  it("stop() cancels the interval and waits for the destroys under way", async () => {
    const h = await harness({ maxAllocs: 0, parallelDestroys: 1 });
    const [a, b] = [allocID(1), allocID(2)];
    await h.finished(a);
    h.clock.advance(1);
    await h.finished(b);
    h.gc.start();
    let finish!: () => void;
    const entry = h.entries.get(a)!;
    const real = entry.runner.destroy.bind(entry.runner);
    entry.runner.destroy = async () => {
      await new Promise<void>((r) => (finish = r));
      await real();
    };
    h.clock.advance(SETTINGS.intervalMs);
    await waitFor(() => h.released.length === 1, "first destroy to start");
    let stopped = false;
    const stopping = h.gc.stop().then(() => (stopped = true));
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    finish();
    await stopping;
    expect(h.released).toEqual([a]); // b is not started after stop
    expect(h.allocDirExists(a)).toBe(false);
    expect(h.clock.pendingTimers()).toBe(0);
  });
});

describe("forced collection", () => {
  it("collectAll takes every terminal allocation whatever the limits; collectAlloc refuses a running one", async () => {
    const h = await harness();
    const [t1, t2, run] = [allocID(1), allocID(2), allocID(3)];
    await h.finished(t2);
    h.clock.advance(1);
    await h.finished(t1);
    await h.running(run);
    expect(await h.gc.collectAlloc(run)).toBe(false);
    expect(await h.gc.collectAlloc("no-such-alloc")).toBe(false);
    const round = await h.gc.collectAll();
    expect(round.collected.map((c) => c.allocID)).toEqual([t2, t1]);
    expect(h.allocDirExists(run)).toBe(true);
  });

  it("collectAlloc destroys one terminal allocation", async () => {
    const h = await harness();
    const t = allocID(1);
    await h.finished(t);
    expect(await h.gc.collectAlloc(t)).toBe(true);
    expect(h.allocDirExists(t)).toBe(false);
    expect(await h.persistedIDs()).toEqual([]);
  });
});

describe("allocGcEligible", () => {
  const task = (state: TaskState["State"]): TaskState => ({ State: state }) as TaskState;
  const status = (ClientStatus: string, states: TaskState["State"][]): AllocClientUpdate => ({
    ID: "a",
    ClientStatus,
    ClientDescription: "",
    TaskStates: Object.fromEntries(states.map((s, i) => [`t${i}`, task(s)])),
    ModifyTime: 0,
  });

  it("client complete, failed and lost are eligible whatever the servers want", () => {
    for (const s of ["complete", "failed", "lost"]) {
      expect(allocGcEligible({ DesiredStatus: "run" }, status(s, ["dead"]))).toBe(true);
    }
  });

  it("a pending or running allocation the servers want running is never eligible", () => {
    expect(allocGcEligible({ DesiredStatus: "run" }, status("running", ["running"]))).toBe(false);
    expect(allocGcEligible({ DesiredStatus: "run" }, status("pending", ["pending"]))).toBe(false);
    expect(allocGcEligible({ DesiredStatus: "run" }, status("running", ["dead", "running"]))).toBe(false);
  });

  it("desired stop is eligible only once every task is dead", () => {
    expect(allocGcEligible({ DesiredStatus: "stop" }, status("running", ["dead", "running"]))).toBe(false);
    expect(allocGcEligible({ DesiredStatus: "stop" }, status("running", ["dead", "dead"]))).toBe(true);
    expect(allocGcEligible({ DesiredStatus: "evict" }, status("pending", ["dead"]))).toBe(true);
  });
});
