import { describe, expect, it } from "vitest";
import { computeGcPlan, type GcPlan } from "../src/index.js";
import { fixedClock, MemoryGcState } from "../src/testing.js";
import { alloc, cfg, deployment, evaluation, HOUR, job, NOW } from "./fixtures.js";

function jobsOf(plan: GcPlan): string[] {
  return plan.batches.flatMap((b) => (b.kind === "job-purge" ? b.jobs.map((j) => j.ID) : []));
}

const run = (s: MemoryGcState) => computeGcPlan("job-gc", s, cfg, fixedClock(NOW));

/** A stopped job with one old terminal eval and alloc. */
function finished(s: MemoryGcState, id: string, p: Partial<Parameters<typeof job>[0]> = {}): void {
  s.upsertJob(job({ ID: id, ...p }));
  s.upsertEval(evaluation({ ID: `${id}-e`, JobID: id }));
  s.upsertAlloc(alloc({ ID: `${id}-a`, JobID: id, EvalID: `${id}-e` }));
}

describe("job-gc", () => {
  it("collects a stopped, dead job older than job_gc_threshold (4h) with its evals, allocs and deployments", () => {
    const s = new MemoryGcState();
    finished(s, "web");
    s.upsertDeployment(deployment({ ID: "d", JobID: "web" }));
    const plan = run(s);
    expect(jobsOf(plan)).toEqual(["web"]);
    expect(plan.counts).toEqual({ nodes: 0, jobs: 1, evals: 1, allocs: 1, deployments: 1 });
    // Evals and allocs go before the job (a crash in between leaves nothing orphaned).
    expect(plan.batches.map((b) => b.kind)).toEqual(["eval-reap", "job-purge", "deployment-reap"]);
  });

  it("keeps a job submitted less than 4h ago", () => {
    const s = new MemoryGcState();
    finished(s, "web", { SubmitTime: NOW - 3 * HOUR });
    expect(jobsOf(run(s))).toEqual([]);
  });

  it("keeps a running service job, and a dead service job that was not stopped", () => {
    const s = new MemoryGcState();
    finished(s, "running", { Status: "running", Stop: false });
    finished(s, "dead-unstopped", { Status: "dead", Stop: false });
    expect(jobsOf(run(s))).toEqual([]);
  });

  it.each(["batch", "sysbatch"] as const)("collects a finished %s job without a stop", (type) => {
    const s = new MemoryGcState();
    s.upsertJob(job({ ID: "b", Type: type, Status: "dead", Stop: false }));
    s.upsertEval(evaluation({ ID: "e", JobID: "b", Type: type }));
    s.upsertAlloc(
      alloc({ ID: "a", JobID: "b", EvalID: "e", DesiredStatus: "run", ClientStatus: "complete" }),
    );
    expect(jobsOf(run(s))).toEqual(["b"]);
  });

  it("keeps a job with a non-terminal eval", () => {
    const s = new MemoryGcState();
    finished(s, "web");
    s.upsertEval(evaluation({ ID: "pending", JobID: "web", Status: "pending" }));
    expect(jobsOf(run(s))).toEqual([]);
  });

  it("keeps a job with a recent eval (the eval's age counts too)", () => {
    const s = new MemoryGcState();
    finished(s, "web");
    s.upsertEval(evaluation({ ID: "recent", JobID: "web", ModifyTime: NOW - HOUR }));
    expect(jobsOf(run(s))).toEqual([]);
  });

  it("keeps a job with a running allocation, even one attached to no eval of the job", () => {
    const s = new MemoryGcState();
    finished(s, "web");
    s.upsertAlloc(
      alloc({ ID: "live", JobID: "web", EvalID: "other", DesiredStatus: "run", ClientStatus: "running" }),
    );
    expect(jobsOf(run(s))).toEqual([]);
  });

  it("keeps a job with an active deployment", () => {
    const s = new MemoryGcState();
    finished(s, "web");
    s.upsertDeployment(deployment({ ID: "d", JobID: "web", Status: "running" }));
    expect(jobsOf(run(s))).toEqual([]);
  });

  it("keeps a job with a tagged version", () => {
    const s = new MemoryGcState();
    finished(s, "web");
    finished(s, "tagged-field", { VersionTag: { Name: "v1" } });
    s.tagJobVersion("default", "web");
    expect(jobsOf(run(s))).toEqual([]);
  });

  it("distinguishes namespaces", () => {
    const s = new MemoryGcState();
    finished(s, "web");
    s.upsertJob(job({ ID: "web", Namespace: "prod", Status: "running", Stop: false }));
    expect(run(s).batches.find((b) => b.kind === "job-purge")).toEqual({
      kind: "job-purge",
      jobs: [{ Namespace: "default", ID: "web" }],
    });
  });

  describe("periodic and parameterized parents", () => {
    it("keeps a running periodic parent, even with no evals at all", () => {
      const s = new MemoryGcState();
      s.upsertJob(
        job({ ID: "cron", Type: "batch", Status: "running", Stop: false, Periodic: { Enabled: true } }),
      );
      expect(jobsOf(run(s))).toEqual([]);
    });

    it("keeps a stopped parameterized parent while a child job still runs", () => {
      const s = new MemoryGcState();
      s.upsertJob(job({ ID: "p", Type: "batch", ParameterizedJob: {} }));
      finished(s, "p/dispatch-1", { ParentID: "p", Type: "batch", Status: "running", Stop: false });
      expect(jobsOf(run(s))).toEqual([]);
    });

    it("keeps a stopped periodic parent while a finished child is too young to go", () => {
      const s = new MemoryGcState();
      s.upsertJob(job({ ID: "cron", Type: "batch", Periodic: { Enabled: true } }));
      finished(s, "cron/periodic-1", {
        ParentID: "cron",
        Type: "batch",
        Stop: false,
        SubmitTime: NOW - HOUR,
      });
      expect(jobsOf(run(s))).toEqual([]);
    });

    it("collects a stopped parent together with its finished children, children first", () => {
      const s = new MemoryGcState();
      s.upsertJob(job({ ID: "cron", Type: "batch", Periodic: { Enabled: true } }));
      finished(s, "cron/periodic-1", { ParentID: "cron", Type: "batch", Stop: false });
      finished(s, "cron/periodic-2", { ParentID: "cron", Type: "batch", Stop: false });
      expect(jobsOf(run(s))).toEqual(["cron/periodic-1", "cron/periodic-2", "cron"]);
    });

    it("a disabled periodic block does not make a parent", () => {
      const s = new MemoryGcState();
      finished(s, "j", { Periodic: { Enabled: false }, Type: "batch", Stop: false });
      expect(jobsOf(run(s))).toEqual(["j"]);
    });

    it("collects nested parents bottom-up", () => {
      const s = new MemoryGcState();
      s.upsertJob(job({ ID: "top", Type: "batch", ParameterizedJob: {} }));
      s.upsertJob(job({ ID: "mid", ParentID: "top", Type: "batch", Periodic: { Enabled: true } }));
      finished(s, "leaf", { ParentID: "mid", Type: "batch", Stop: false });
      expect(jobsOf(run(s))).toEqual(["leaf", "mid", "top"]);
    });
  });
});
