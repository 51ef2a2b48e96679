import { describe, expect, it } from "vitest";
import { computeGcPlan, type GcPlan } from "../src/index.js";
import { fixedClock, MemoryGcState } from "../src/testing.js";
import { alloc, cfg, evaluation, HOUR, job, MINUTE, NOW } from "./fixtures.js";

function ids(plan: GcPlan): { evals: string[]; allocs: string[] } {
  const evals: string[] = [];
  const allocs: string[] = [];
  for (const b of plan.batches) {
    if (b.kind === "eval-reap") {
      evals.push(...b.evalIDs);
      allocs.push(...b.allocIDs);
    }
  }
  return { evals: evals.sort(), allocs: allocs.sort() };
}

const run = (s: MemoryGcState) => ids(computeGcPlan("eval-gc", s, cfg, fixedClock(NOW)));

describe("eval-gc", () => {
  it("collects a terminal eval older than eval_gc_threshold (1h) with its terminal allocations", () => {
    const s = new MemoryGcState();
    s.upsertJob(job({ ID: "j", Status: "running", Stop: false }));
    s.upsertEval(evaluation({ ID: "e1", JobID: "j", ModifyTime: NOW - 2 * HOUR }));
    s.upsertAlloc(alloc({ ID: "a1", JobID: "j", EvalID: "e1", ModifyTime: NOW - 2 * HOUR }));
    expect(run(s)).toEqual({ evals: ["e1"], allocs: ["a1"] });
  });

  it("keeps an eval modified less than an hour ago", () => {
    const s = new MemoryGcState();
    s.upsertEval(evaluation({ ID: "e1", JobID: "j", ModifyTime: NOW - 59 * MINUTE }));
    expect(run(s)).toEqual({ evals: [], allocs: [] });
  });

  it.each(["pending", "blocked"] as const)("never collects a %s eval, however old", (status) => {
    const s = new MemoryGcState();
    s.upsertEval(evaluation({ ID: "e1", JobID: "j", Status: status, ModifyTime: NOW - 100 * HOUR }));
    expect(run(s)).toEqual({ evals: [], allocs: [] });
  });

  it.each(["complete", "failed", "canceled"] as const)("collects an old %s eval", (status) => {
    const s = new MemoryGcState();
    s.upsertEval(evaluation({ ID: "e1", JobID: "j", Status: status }));
    expect(run(s).evals).toEqual(["e1"]);
  });

  it("keeps the eval while one of its allocations runs, but collects its old terminal ones", () => {
    const s = new MemoryGcState();
    s.upsertJob(job({ ID: "j", Status: "running", Stop: false }));
    s.upsertEval(evaluation({ ID: "e1", JobID: "j" }));
    s.upsertAlloc(alloc({ ID: "done", JobID: "j", EvalID: "e1" }));
    s.upsertAlloc(
      alloc({ ID: "live", JobID: "j", EvalID: "e1", DesiredStatus: "run", ClientStatus: "running" }),
    );
    expect(run(s)).toEqual({ evals: [], allocs: ["done"] });
  });

  it("keeps an allocation still running on its client although desired stop", () => {
    const s = new MemoryGcState();
    s.upsertJob(job({ ID: "j", Status: "running", Stop: false }));
    s.upsertEval(evaluation({ ID: "e1", JobID: "j" }));
    s.upsertAlloc(
      alloc({ ID: "a", JobID: "j", EvalID: "e1", DesiredStatus: "stop", ClientStatus: "running" }),
    );
    expect(run(s)).toEqual({ evals: [], allocs: [] });
  });

  it("keeps a terminal allocation modified within the threshold, and so its eval", () => {
    const s = new MemoryGcState();
    s.upsertEval(evaluation({ ID: "e1", JobID: "j" }));
    s.upsertAlloc(alloc({ ID: "a", JobID: "j", EvalID: "e1", ModifyTime: NOW - 10 * MINUTE }));
    expect(run(s)).toEqual({ evals: [], allocs: [] });
  });

  describe("batch evaluations (batch_eval_gc_threshold 24h)", () => {
    it("keeps a batch eval of a deleted job younger than 24h, collects it after", () => {
      const s = new MemoryGcState();
      s.upsertEval(evaluation({ ID: "young", JobID: "gone", Type: "batch", ModifyTime: NOW - 23 * HOUR }));
      s.upsertEval(evaluation({ ID: "old", JobID: "gone", Type: "batch", ModifyTime: NOW - 25 * HOUR }));
      expect(run(s).evals).toEqual(["old"]);
    });

    it("keeps a running batch job's current-version allocations (the record that the work is done)", () => {
      const s = new MemoryGcState();
      s.upsertJob(job({ ID: "b", Type: "batch", Status: "running", Stop: false, JobModifyIndex: 100 }));
      s.upsertEval(evaluation({ ID: "e", JobID: "b", Type: "batch", ModifyTime: NOW - 48 * HOUR }));
      s.upsertAlloc(
        alloc({ ID: "cur", JobID: "b", EvalID: "e", CreateIndex: 150, ModifyTime: NOW - 48 * HOUR }),
      );
      expect(run(s)).toEqual({ evals: [], allocs: [] });
    });

    it("collects a running batch job's allocations of older versions, and the eval once none is left", () => {
      const s = new MemoryGcState();
      s.upsertJob(job({ ID: "b", Type: "batch", Status: "running", Stop: false, JobModifyIndex: 100 }));
      s.upsertEval(evaluation({ ID: "e", JobID: "b", Type: "batch", ModifyTime: NOW - 48 * HOUR }));
      s.upsertAlloc(
        alloc({ ID: "v0", JobID: "b", EvalID: "e", CreateIndex: 50, ModifyTime: NOW - 48 * HOUR }),
      );
      expect(run(s)).toEqual({ evals: ["e"], allocs: ["v0"] });
    });

    it("leaves a dead, unstopped batch job's evals to job-gc (eval-gc does not take them)", () => {
      const s = new MemoryGcState();
      s.upsertJob(job({ ID: "b", Type: "batch", Status: "dead", Stop: false, JobModifyIndex: 100 }));
      s.upsertEval(evaluation({ ID: "e", JobID: "b", Type: "batch", ModifyTime: NOW - 48 * HOUR }));
      s.upsertAlloc(
        alloc({ ID: "a", JobID: "b", EvalID: "e", CreateIndex: 150, ModifyTime: NOW - 48 * HOUR }),
      );
      expect(run(s)).toEqual({ evals: [], allocs: [] });
    });

    it("collects a stopped batch job's evals and allocations after 24h", () => {
      const s = new MemoryGcState();
      s.upsertJob(job({ ID: "b", Type: "batch", Status: "dead", Stop: true, JobModifyIndex: 100 }));
      s.upsertEval(evaluation({ ID: "e", JobID: "b", Type: "batch", ModifyTime: NOW - 25 * HOUR }));
      s.upsertAlloc(
        alloc({ ID: "a", JobID: "b", EvalID: "e", CreateIndex: 150, ModifyTime: NOW - 25 * HOUR }),
      );
      expect(run(s)).toEqual({ evals: ["e"], allocs: ["a"] });
    });
  });

  describe("failed allocations the scheduler may still reschedule", () => {
    const policy = { Attempts: 2, Interval: 24 * HOUR, Unlimited: false };

    function state(p: Partial<Parameters<typeof alloc>[0]>, reschedule = policy): MemoryGcState {
      const s = new MemoryGcState();
      s.upsertJob(
        job({
          ID: "j",
          Status: "running",
          Stop: false,
          TaskGroups: [{ Name: "web", ReschedulePolicy: reschedule }],
        }),
      );
      s.upsertEval(evaluation({ ID: "e", JobID: "j" }));
      s.upsertAlloc(
        alloc({ ID: "f", JobID: "j", EvalID: "e", DesiredStatus: "run", ClientStatus: "failed", ...p }),
      );
      return s;
    }

    it("keeps a failed allocation with no reschedule attempt yet", () => {
      expect(run(state({}))).toEqual({ evals: [], allocs: [] });
    });

    it("collects it once its replacement exists (NextAllocation)", () => {
      expect(run(state({ NextAllocation: "next" })).allocs).toEqual(["f"]);
    });

    it("collects it when rescheduling is disabled (Attempts 0)", () => {
      expect(run(state({}, { Attempts: 0, Interval: 0, Unlimited: false })).allocs).toEqual(["f"]);
    });

    it("keeps it under an unlimited policy until replaced", () => {
      expect(run(state({}, { Attempts: 0, Interval: 0, Unlimited: true })).allocs).toEqual([]);
    });

    it("keeps it while the last reschedule is inside the policy interval, collects it after", () => {
      const recent = { Events: [{ RescheduleTime: NOW - 2 * HOUR }] };
      const old = { Events: [{ RescheduleTime: NOW - 25 * HOUR }] };
      expect(run(state({ RescheduleTracker: recent })).allocs).toEqual([]);
      expect(run(state({ RescheduleTracker: old })).allocs).toEqual(["f"]);
    });

    it("collects it once desired stop (a job update replaced it)", () => {
      expect(run(state({ DesiredStatus: "stop" })).allocs).toEqual(["f"]);
    });
  });
});

describe("eval-gc regressions", () => {
  it("a running batch job's older-version allocation still running on its client stays (found by fast-check)", () => {
    const s = new MemoryGcState();
    s.upsertJob(job({ ID: "b", Type: "batch", Status: "running", Stop: false, JobModifyIndex: 100 }));
    s.upsertEval(evaluation({ ID: "e", JobID: "b", Type: "batch", ModifyTime: NOW - 48 * HOUR }));
    s.upsertAlloc(
      alloc({
        ID: "v0",
        JobID: "b",
        EvalID: "e",
        CreateIndex: 50,
        ClientStatus: "running",
        ModifyTime: NOW - 48 * HOUR,
      }),
    );
    expect(run(s)).toEqual({ evals: [], allocs: [] });
  });
});
