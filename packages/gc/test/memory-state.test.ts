import { describe, expect, it } from "vitest";
import { MemoryGcState } from "../src/testing.js";
import { alloc, deployment, evaluation, job, node } from "./fixtures.js";

describe("MemoryGcState", () => {
  it("upserting an existing ID replaces the object and its index entries", () => {
    const s = new MemoryGcState();
    s.upsertEval(evaluation({ ID: "e", JobID: "a" }));
    s.upsertEval(evaluation({ ID: "e", JobID: "b", Status: "pending" }));
    s.upsertAlloc(alloc({ ID: "x", JobID: "a", EvalID: "e", NodeID: "n1" }));
    s.upsertAlloc(alloc({ ID: "x", JobID: "b", EvalID: "e", NodeID: "n2" }));
    s.upsertJob(job({ ID: "c", ParentID: "p1" }));
    s.upsertJob(job({ ID: "c", ParentID: "p2" }));
    expect([...s.evals()].map((e) => e.Status)).toEqual(["pending"]);
    expect(s.evalsByJob("default", "a")).toEqual([]);
    expect(s.evalsByJob("default", "b")).toHaveLength(1);
    expect(s.allocsByJob("default", "a")).toEqual([]);
    expect(s.allocsByNode("n1")).toEqual([]);
    expect(s.allocsByNode("n2").map((a) => a.ID)).toEqual(["x"]);
    expect(s.childJobs("default", "p1")).toEqual([]);
    expect(s.childJobs("default", "p2").map((j) => j.ID)).toEqual(["c"]);
    expect(s.sizes()).toEqual({ nodes: 0, jobs: 1, evals: 1, allocs: 1, deployments: 0 });
  });

  it("lookups stay right in any order, after deletes, and for IDs referenced but absent", () => {
    const s = new MemoryGcState();
    for (let i = 0; i < 40; i++) {
      s.upsertEval(evaluation({ ID: `e${i}`, JobID: "j" }));
      s.insertAlloc(alloc({ ID: `a${i}`, JobID: "j", EvalID: `e${i}` }));
    }
    s.insertAlloc(alloc({ ID: "orphan", JobID: "j", EvalID: "missing" }));
    const order = [3, 39, 0, 1, 2, 20, 21, 5, 38];
    for (const i of order) expect(s.allocsByEval(`e${i}`).map((a) => a.ID)).toEqual([`a${i}`]);
    expect(s.allocsByEval("missing").map((a) => a.ID)).toEqual(["orphan"]);
    s.apply({ batches: [{ kind: "eval-reap", allocIDs: ["a5"], evalIDs: ["e4", "e5"] }] });
    expect([...s.evals()]).toHaveLength(38);
    for (const i of [3, 6, 39]) expect(s.allocsByEval(`e${i}`).map((a) => a.ID)).toEqual([`a${i}`]);
    expect(s.allocsByEval("e4").map((a) => a.ID)).toEqual(["a4"]); // eval gone, its alloc stays
    expect(s.allocsByEval("e5")).toEqual([]);
    expect(s.hasAlloc("a5")).toBe(false);
  });

  it("a job purge takes the job's deployments along (Nomad's DeleteJobTxn)", () => {
    const s = new MemoryGcState();
    s.upsertJob(job({ ID: "j" }));
    s.upsertDeployment(deployment({ ID: "d", JobID: "j" }));
    s.upsertNode(node({ ID: "n" }));
    const r = s.apply({ batches: [{ kind: "job-purge", jobs: [{ Namespace: "default", ID: "j" }] }] });
    expect(r).toEqual({ nodes: 0, jobs: 1, evals: 0, allocs: 0, deployments: 1 });
    expect(s.hasDeployment("d")).toBe(false);
    expect(s.hasNode("n")).toBe(true);
  });
});
