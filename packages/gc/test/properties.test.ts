import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  computeGcPlan,
  CORE_JOB_NAMES,
  deploymentIsActive,
  jobIsGcCandidate,
  parseServerGcConfig,
  type GcPlan,
} from "../src/index.js";
import { fixedClock, type MemoryGcState } from "../src/testing.js";
import { buildState, stateSpec } from "./arbitrary-state.js";
import { NOW } from "./fixtures.js";

// GC_PROPERTY_RUNS=5000 for a deeper search; 300 keeps the suite fast.
const RUNS = { numRuns: Number(process.env["GC_PROPERTY_RUNS"] ?? 300) };
const coreJob = fc.constantFrom(...CORE_JOB_NAMES);
const batchSize = fc.integer({ min: 1, max: 8 });

function planFor(s: MemoryGcState, job: string, maxIds: number): GcPlan {
  const cfg = parseServerGcConfig({ max_ids_per_batch: maxIds, max_jobs_per_batch: maxIds });
  return computeGcPlan(job, s, cfg, fixedClock(NOW));
}

interface Listed {
  nodes: Set<string>;
  jobs: Set<string>;
  evals: Set<string>;
  allocs: Set<string>;
  deployments: Set<string>;
}

function listed(plan: GcPlan): Listed {
  const l: Listed = {
    nodes: new Set(),
    jobs: new Set(),
    evals: new Set(),
    allocs: new Set(),
    deployments: new Set(),
  };
  for (const b of plan.batches) {
    if (b.kind === "eval-reap") {
      b.evalIDs.forEach((id) => l.evals.add(id));
      b.allocIDs.forEach((id) => l.allocs.add(id));
    } else if (b.kind === "job-purge") b.jobs.forEach((j) => l.jobs.add(`${j.Namespace}/${j.ID}`));
    else if (b.kind === "deployment-reap") b.deploymentIDs.forEach((id) => l.deployments.add(id));
    else b.nodeIDs.forEach((id) => l.nodes.add(id));
  }
  return l;
}

describe("GC properties", () => {
  it("nothing non-terminal is ever collected, by any core job", () => {
    fc.assert(
      fc.property(stateSpec, coreJob, batchSize, (spec, job, max) => {
        const l = listed(planFor(buildState(spec), job, max));
        for (const n of spec.nodes) if (l.nodes.has(n.ID)) expect(n.Status).toBe("down");
        for (const e of spec.evals)
          if (l.evals.has(e.ID)) expect(["complete", "failed", "canceled"]).toContain(e.Status);
        for (const a of spec.allocs) {
          if (!l.allocs.has(a.ID)) continue;
          expect(a.DesiredStatus !== "run" || ["complete", "failed", "lost"].includes(a.ClientStatus)).toBe(
            true,
          );
          expect(a.ClientStatus).not.toBe("running");
        }
        for (const d of spec.deployments)
          if (l.deployments.has(d.ID)) expect(deploymentIsActive(d)).toBe(false);
        for (const j of spec.jobs)
          if (l.jobs.has(`${j.Namespace}/${j.ID}`)) expect(jobIsGcCandidate(j)).toBe(true);
        // A collected node has no allocation that is still wanted.
        for (const a of spec.allocs) {
          if (l.nodes.has(a.NodeID))
            expect(a.DesiredStatus !== "run" || a.ClientStatus !== "running").toBe(true);
        }
      }),
      RUNS,
    );
  });

  it("a collected job's evaluations, allocations and deployments are collected with it, and its children before it", () => {
    fc.assert(
      fc.property(stateSpec, fc.constantFrom("job-gc", "force-gc"), (spec, job) => {
        const plan = planFor(buildState(spec), job, 4);
        const l = listed(plan);
        for (const j of spec.jobs) {
          if (!l.jobs.has(`${j.Namespace}/${j.ID}`)) continue;
          const mine = (x: { Namespace: string; JobID: string }) =>
            x.Namespace === j.Namespace && x.JobID === j.ID;
          for (const e of spec.evals.filter(mine)) expect(l.evals.has(e.ID)).toBe(true);
          for (const a of spec.allocs.filter(mine)) expect(l.allocs.has(a.ID)).toBe(true);
          for (const d of spec.deployments.filter(mine)) expect(l.deployments.has(d.ID)).toBe(true);
          for (const c of spec.jobs.filter((c) => c.Namespace === j.Namespace && c.ParentID === j.ID)) {
            expect(l.jobs.has(`${c.Namespace}/${c.ID}`)).toBe(true);
          }
        }
      }),
      RUNS,
    );
  });

  it("a plan applied twice is a no-op the second time, and the first apply removes exactly what it lists", () => {
    fc.assert(
      fc.property(stateSpec, coreJob, batchSize, (spec, job, max) => {
        const s = buildState(spec);
        const plan = planFor(s, job, max);
        const first = s.apply(plan);
        expect(first).toEqual(plan.counts);
        const sizes = s.sizes();
        expect(s.apply(plan)).toEqual({ nodes: 0, jobs: 0, evals: 0, allocs: 0, deployments: 0 });
        expect(s.sizes()).toEqual(sizes);
      }),
      RUNS,
    );
  });

  it("plans are deterministic and every batch respects its bound", () => {
    fc.assert(
      fc.property(stateSpec, coreJob, batchSize, (spec, job, max) => {
        const a = planFor(buildState(spec), job, max);
        expect(planFor(buildState(spec), job, max)).toEqual(a);
        for (const b of a.batches) {
          const size =
            b.kind === "eval-reap"
              ? b.allocIDs.length + b.evalIDs.length
              : b.kind === "job-purge"
                ? b.jobs.length
                : b.kind === "deployment-reap"
                  ? b.deploymentIDs.length
                  : b.nodeIDs.length;
          expect(size).toBeGreaterThan(0);
          expect(size).toBeLessThanOrEqual(max);
        }
      }),
      RUNS,
    );
  });

  it("after force-gc and its apply, no remaining evaluation, allocation or deployment points at a purged job", () => {
    fc.assert(
      fc.property(stateSpec, (spec) => {
        const s = buildState(spec);
        const plan = planFor(s, "force-gc", 5);
        const purged = listed(plan).jobs;
        s.apply(plan);
        for (const k of purged) {
          const [ns = "", id = ""] = k.split("/");
          expect(s.evalsByJob(ns, id)).toHaveLength(0);
          expect(s.allocsByJob(ns, id)).toHaveLength(0);
          expect(s.deploymentsByJob(ns, id)).toHaveLength(0);
          expect(s.hasJob(ns, id)).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it("the generator reaches collectable states (the properties above are not vacuous)", () => {
    const specs = fc.sample(stateSpec, { numRuns: 300, seed: 7 });
    let withJobs = 0;
    let withEvals = 0;
    let withNodes = 0;
    for (const spec of specs) {
      const c = planFor(buildState(spec), "force-gc", 8).counts;
      if (c.jobs > 0) withJobs++;
      if (c.evals > 0) withEvals++;
      if (c.nodes > 0) withNodes++;
    }
    expect(withJobs).toBeGreaterThan(30);
    expect(withEvals).toBeGreaterThan(60);
    expect(withNodes).toBeGreaterThan(60);
  });
});
