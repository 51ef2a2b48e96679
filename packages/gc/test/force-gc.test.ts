import { describe, expect, it } from "vitest";
import { computeGcPlan } from "../src/index.js";
import { fixedClock, MemoryGcState } from "../src/testing.js";
import { alloc, cfg, deployment, evaluation, job, node, NOW, NS_PER_S } from "./fixtures.js";

describe("force-gc (nomad system gc)", () => {
  it("ignores thresholds: collects what finished a second ago", () => {
    const s = new MemoryGcState();
    const justNow = NOW - NS_PER_S;
    s.upsertJob(job({ ID: "j", SubmitTime: justNow }));
    s.upsertEval(evaluation({ ID: "e", JobID: "j", ModifyTime: justNow }));
    s.upsertAlloc(alloc({ ID: "a", JobID: "j", EvalID: "e", ModifyTime: justNow }));
    s.upsertEval(evaluation({ ID: "e2", JobID: "other", ModifyTime: justNow }));
    s.upsertDeployment(deployment({ ID: "d", JobID: "other", ModifyTime: justNow }));
    s.upsertNode(node({ ID: "n", StatusUpdatedAt: NOW / NS_PER_S - 1 }));
    expect(computeGcPlan("force-gc", s, cfg, fixedClock(NOW)).counts).toEqual({
      nodes: 1,
      jobs: 1,
      evals: 2,
      allocs: 1,
      deployments: 1,
    });
  });

  it("still never collects anything non-terminal", () => {
    const s = new MemoryGcState();
    s.upsertJob(job({ ID: "j", Status: "running", Stop: false }));
    s.upsertEval(evaluation({ ID: "e", JobID: "j", Status: "pending" }));
    s.upsertAlloc(alloc({ ID: "a", JobID: "j", EvalID: "e", DesiredStatus: "run", ClientStatus: "running" }));
    s.upsertDeployment(deployment({ ID: "d", JobID: "j", Status: "running" }));
    s.upsertNode(node({ ID: "n", Status: "ready" }));
    expect(computeGcPlan("force-gc", s, cfg, fixedClock(NOW)).batches).toEqual([]);
  });

  it("lists each object once and collects nodes last", () => {
    const s = new MemoryGcState();
    s.upsertJob(job({ ID: "j" }));
    s.upsertEval(evaluation({ ID: "e", JobID: "j" }));
    s.upsertAlloc(alloc({ ID: "a", JobID: "j", EvalID: "e", NodeID: "n" }));
    s.upsertDeployment(deployment({ ID: "d", JobID: "j" }));
    s.upsertNode(node({ ID: "n" }));
    const plan = computeGcPlan("force-gc", s, cfg, fixedClock(NOW));
    expect(plan.counts).toEqual({ nodes: 1, jobs: 1, evals: 1, allocs: 1, deployments: 1 });
    expect(plan.batches.map((b) => b.kind)).toEqual([
      "eval-reap",
      "job-purge",
      "deployment-reap",
      "node-deregister",
    ]);
  });
});
