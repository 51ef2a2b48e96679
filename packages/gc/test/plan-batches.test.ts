import { describe, expect, it } from "vitest";
import { computeGcPlan, evalReapBatches, parseServerGcConfig } from "../src/index.js";
import { fixedClock, MemoryGcState } from "../src/testing.js";
import { alloc, evaluation, NOW } from "./fixtures.js";

describe("plan batches", () => {
  it("partitions eval reaps as Nomad does: allocations first, then evaluations, at most N IDs each", () => {
    const allocs = ["a1", "a2", "a3", "a4", "a5"];
    const evals = ["e1", "e2", "e3"];
    expect(evalReapBatches(allocs, evals, 3)).toEqual([
      { kind: "eval-reap", allocIDs: ["a1", "a2", "a3"], evalIDs: [] },
      { kind: "eval-reap", allocIDs: ["a4", "a5"], evalIDs: ["e1"] },
      { kind: "eval-reap", allocIDs: [], evalIDs: ["e2", "e3"] },
    ]);
  });

  it("never exceeds max_ids_per_batch in one Raft entry", () => {
    const s = new MemoryGcState();
    for (let i = 0; i < 100; i++) {
      s.upsertEval(evaluation({ ID: `e${i}`, JobID: "gone" }));
      s.upsertAlloc(alloc({ ID: `a${i}`, JobID: "gone", EvalID: `e${i}` }));
    }
    const c = parseServerGcConfig({ max_ids_per_batch: 7 });
    const plan = computeGcPlan("eval-gc", s, c, fixedClock(NOW));
    expect(plan.counts.evals).toBe(100);
    expect(plan.counts.allocs).toBe(100);
    for (const b of plan.batches) {
      if (b.kind === "eval-reap") expect(b.allocIDs.length + b.evalIDs.length).toBeLessThanOrEqual(7);
    }
  });

  it("an empty state yields an empty plan", () => {
    const plan = computeGcPlan("force-gc", new MemoryGcState(), parseServerGcConfig(), fixedClock(NOW));
    expect(plan.batches).toEqual([]);
  });
});
