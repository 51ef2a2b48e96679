import { describe, expect, it } from "vitest";
import {
  computeGcPlan,
  CORE_JOB_PRIORITY,
  CoreGcSchedule,
  coreJobEval,
  GcError,
  parseServerGcConfig,
} from "../src/index.js";
import { fixedClock, MemoryGcState } from "../src/testing.js";
import { cfg, MINUTE, node, NOW } from "./fixtures.js";

describe("_core jobs", () => {
  it("a core eval is Nomad's: type _core, namespace -, priority MaxInt16, triggered by scheduled", () => {
    const ev = coreJobEval("node-gc", { id: "11111111-2222-3333-4444-555555555555", modifyIndex: 42 });
    expect(ev).toMatchObject({
      ID: "11111111-2222-3333-4444-555555555555",
      Namespace: "-",
      Type: "_core",
      Priority: 32767,
      TriggeredBy: "scheduled",
      JobID: "node-gc",
      Status: "pending",
      ModifyIndex: 42,
    });
    expect(CORE_JOB_PRIORITY).toBeGreaterThan(100); // above job_max_priority
  });

  it("each periodic GC is due every 5m by default, from when leadership started", () => {
    const sched = new CoreGcSchedule(cfg, 0);
    expect(sched.due(5 * MINUTE - 1)).toEqual([]);
    expect(sched.due(5 * MINUTE).sort()).toEqual(["deployment-gc", "eval-gc", "job-gc", "node-gc"]);
    expect(sched.due(5 * MINUTE)).toEqual([]);
    expect(sched.nextDueNs()).toBe(10 * MINUTE);
  });

  it("a late tick fires once, not once per missed period (like a Go ticker)", () => {
    const sched = new CoreGcSchedule(cfg, 0);
    expect(sched.due(31 * MINUTE)).toHaveLength(4);
    expect(sched.nextDueNs()).toBe(35 * MINUTE);
  });

  it("job_gc_interval moves job-gc alone", () => {
    const sched = new CoreGcSchedule(parseServerGcConfig({ job_gc_interval: "1m" }), 0);
    expect(sched.due(MINUTE)).toEqual(["job-gc"]);
  });

  it("the plan follows the eval's JobID, ignoring extra data after ':'", () => {
    const s = new MemoryGcState();
    s.upsertNode(node({ ID: "n" }));
    expect(computeGcPlan("node-gc:extra", s, cfg, fixedClock(NOW)).counts.nodes).toBe(1);
  });

  it("an unknown core job is a typed error", () => {
    expect(() => computeGcPlan("csi-plugin-gc", new MemoryGcState(), cfg, fixedClock(NOW))).toThrow(GcError);
  });
});
