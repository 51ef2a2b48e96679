import { describe, expect, it } from "vitest";
import type { FsmEvent } from "../../src/fsm/index.js";
import { alloc, emptyPlan, evaluation, FsmDriver, job, node } from "../state/fixtures.js";

function withNode(): FsmDriver {
  const d = new FsmDriver();
  d.ok({ type: "NodeRegister", Node: node("n1") });
  return d;
}

describe("JobRegister", () => {
  it("stores a new job at the entry's index with a summary and its eval", () => {
    const d = withNode();
    const j = job("web", {}, 2);
    const idx = d.ok({ type: "JobRegister", Job: j, Eval: evaluation(j, "e1") });
    const s = d.state;
    const stored = s.jobByID("default", "web")!;
    expect(stored).toMatchObject({ CreateIndex: idx, ModifyIndex: idx, JobModifyIndex: idx, Version: 0 });
    expect(stored.Status).toBe("pending");
    expect(s.jobSummary("default", "web")).toEqual({
      JobID: "web",
      Namespace: "default",
      Summary: { web: { Queued: 0, Complete: 0, Failed: 0, Running: 0, Starting: 0, Lost: 0, Unknown: 0 } },
      Children: { Pending: 0, Running: 0, Dead: 0 },
      CreateIndex: idx,
      ModifyIndex: idx,
    });
    expect(s.evalByID("e1")).toMatchObject({ CreateIndex: idx, ModifyIndex: idx, JobModifyIndex: idx });
    expect(s.jobVersions("default", "web").map((v) => v.Version)).toEqual([0]);
  });

  it("an unchanged spec writes no new version; a changed one bumps Version and JobModifyIndex", () => {
    const d = withNode();
    const first = d.ok({ type: "JobRegister", Job: job("web") });
    d.ok({ type: "JobRegister", Job: { ...job("web"), SubmitTime: 999 } });
    expect(d.state.jobByID("default", "web")).toMatchObject({
      Version: 0,
      JobModifyIndex: first,
      ModifyIndex: first,
    });
    const second = d.ok({ type: "JobRegister", Job: job("web", { Meta: { a: "b" } }) });
    expect(d.state.jobByID("default", "web")).toMatchObject({
      Version: 1,
      CreateIndex: first,
      JobModifyIndex: second,
      ModifyIndex: second,
    });
    expect(d.state.jobVersions("default", "web").map((v) => v.Version)).toEqual([1, 0]);
  });

  it("the eval of an unchanged re-register refers to the stored job version", () => {
    const d = withNode();
    const first = d.ok({ type: "JobRegister", Job: job("web") });
    d.ok({ type: "JobRegister", Job: job("web"), Eval: evaluation(job("web"), "e2") });
    expect(d.state.evalByID("e2")?.JobModifyIndex).toBe(first);
  });

  it("emits job and evals events after the apply", () => {
    const d = withNode();
    const seen: FsmEvent[] = [];
    d.fsm.events.subscribe((e) => seen.push(e));
    const j = job("web");
    const idx = d.ok({ type: "JobRegister", Job: j, Eval: evaluation(j, "e1") });
    expect(seen.map((e) => e.type)).toEqual(["job", "evals"]);
    expect(seen.every((e) => e.index === idx)).toBe(true);
    const evals = seen[1] as Extract<FsmEvent, { type: "evals" }>;
    expect(evals.evals.map((e) => e.ID)).toEqual(["e1"]);
  });
});

describe("job status (pending / running / dead)", () => {
  it("moves pending -> running -> dead with its evals and allocs", () => {
    const d = withNode();
    const j = job("web");
    d.ok({ type: "JobRegister", Job: j, Eval: evaluation(j, "e1") });
    expect(d.state.jobByID("default", "web")?.Status).toBe("pending");
    const stored = d.state.jobByID("default", "web")!;
    const placed = d.ok({
      ...emptyPlan(stored, "e1"),
      AllocsPlaced: [{ ...alloc({ id: "a1", job: stored, nodeID: "n1", evalID: "e1" }), Job: null }],
    });
    expect(d.state.jobByID("default", "web")).toMatchObject({ Status: "running", ModifyIndex: placed });
    d.ok({ type: "EvalUpdate", Evals: [{ ...evaluation(j, "e1"), Status: "complete" }] });
    expect(d.state.jobByID("default", "web")?.Status).toBe("running");
    d.ok({
      type: "AllocClientUpdate",
      Allocs: [
        { ID: "a1", ClientStatus: "complete", ClientDescription: "done", TaskStates: {}, ModifyTime: 5 },
      ],
      Evals: [],
    });
    expect(d.state.jobByID("default", "web")?.Status).toBe("dead");
  });

  it("a job whose evals were all garbage collected is dead", () => {
    const d = withNode();
    const j = job("web");
    d.ok({ type: "JobRegister", Job: j, Eval: evaluation(j, "e1") });
    d.ok({ type: "EvalDelete", Evals: ["e1"], Allocs: [] });
    expect(d.state.jobByID("default", "web")?.Status).toBe("dead");
  });

  it("system jobs are running until stopped, then dead", () => {
    const d = withNode();
    d.ok({ type: "JobRegister", Job: { ...job("sys"), Type: "system" } });
    expect(d.state.jobByID("default", "sys")?.Status).toBe("running");
    d.ok({ type: "JobDeregister", Namespace: "default", JobID: "sys", Purge: false });
    expect(d.state.jobByID("default", "sys")?.Status).toBe("dead");
  });

  it("a child job's status is counted in its parent's summary Children", () => {
    const d = withNode();
    d.ok({ type: "JobRegister", Job: { ...job("parent"), Type: "batch", Periodic: { Enabled: true } } });
    const child = { ...job("parent/periodic-1"), Type: "batch" as const, ParentID: "parent" };
    d.ok({ type: "JobRegister", Job: child, Eval: evaluation(child, "e1") });
    expect(d.state.jobSummary("default", "parent")?.Children).toEqual({ Pending: 1, Running: 0, Dead: 0 });
    expect(d.state.childJobs("default", "parent").map((j) => j.ID)).toEqual(["parent/periodic-1"]);
    d.ok({ type: "EvalDelete", Evals: ["e1"], Allocs: [] });
    expect(d.state.jobSummary("default", "parent")?.Children).toEqual({ Pending: 0, Running: 0, Dead: 1 });
    d.ok({
      type: "JobBatchDeregister",
      Jobs: [{ Namespace: "default", ID: "parent/periodic-1" }],
      Evals: [],
    });
    expect(d.state.jobSummary("default", "parent")?.Children).toEqual({ Pending: 0, Running: 0, Dead: 0 });
  });
});

describe("job summary", () => {
  it("counts allocs through starting, running, failed, complete, lost; Queued from evals", () => {
    const d = withNode();
    const j = job("web", {}, 4);
    d.ok({ type: "JobRegister", Job: j });
    d.ok({ type: "EvalUpdate", Evals: [{ ...evaluation(j, "e1"), QueuedAllocations: { web: 4 } }] });
    const tg = () => d.state.jobSummary("default", "web")!.Summary["web"];
    expect(tg()?.Queued).toBe(4);
    const stored = d.state.jobByID("default", "web")!;
    const allocs = ["a1", "a2", "a3", "a4"].map((id, i) =>
      alloc({ id, job: stored, nodeID: "n1", index: i }),
    );
    d.ok({ ...emptyPlan(stored, "e1"), AllocsPlaced: allocs });
    expect(tg()).toMatchObject({ Queued: 0, Starting: 4, Running: 0 });
    const report = (id: string, status: string) => ({
      ID: id,
      ClientStatus: status,
      ClientDescription: "",
      TaskStates: {},
      ModifyTime: 1,
    });
    d.ok({
      type: "AllocClientUpdate",
      Allocs: ["a1", "a2", "a3", "a4"].map((id) => report(id, "running")),
      Evals: [],
    });
    expect(tg()).toMatchObject({ Starting: 0, Running: 4 });
    d.ok({
      type: "AllocClientUpdate",
      Allocs: [report("a1", "failed"), report("a2", "complete")],
      Evals: [],
    });
    expect(tg()).toMatchObject({ Running: 2, Failed: 1, Complete: 1 });
    // The scheduler marks an alloc lost (node down) through a plan stop.
    d.ok({
      ...emptyPlan(stored, "e2"),
      AllocsStopped: [
        { ...d.state.allocByID("a3")!, ClientStatus: "lost", DesiredDescription: "alloc is lost" },
      ],
    });
    expect(tg()).toMatchObject({ Running: 1, Lost: 1 });
    d.ok({ type: "AllocClientUpdate", Allocs: [report("a4", "unknown")], Evals: [] });
    expect(tg()).toMatchObject({ Running: 0, Unknown: 1, Lost: 1, Failed: 1, Complete: 1, Starting: 0 });
  });

  it("a job that gains a task group gains a summary entry", () => {
    const d = withNode();
    d.ok({ type: "JobRegister", Job: job("web") });
    d.ok({
      type: "JobRegister",
      Job: {
        ...job("web"),
        TaskGroups: [...job("web").TaskGroups, { ...job("web").TaskGroups[0]!, Name: "api" }],
      },
    });
    expect(Object.keys(d.state.jobSummary("default", "web")!.Summary).sort()).toEqual(["api", "web"]);
  });
});

describe("JobDeregister / JobBatchDeregister", () => {
  it("stop marks the job stopped as a new version with the given SubmitTime", () => {
    const d = withNode();
    d.ok({ type: "JobRegister", Job: job("web") });
    const j = job("web");
    const idx = d.ok({
      type: "JobDeregister",
      Namespace: "default",
      JobID: "web",
      Purge: false,
      SubmitTime: 1234,
      Eval: { ...evaluation(j, "e2"), TriggeredBy: "job-deregister" },
    });
    expect(d.state.jobByID("default", "web")).toMatchObject({
      Stop: true,
      Version: 1,
      SubmitTime: 1234,
      JobModifyIndex: idx,
    });
    expect(d.state.evalByID("e2")?.JobModifyIndex).toBe(idx);
  });

  it("purge removes the job, its versions and its summary but keeps its evals", () => {
    const d = withNode();
    const j = job("web");
    d.ok({ type: "JobRegister", Job: j });
    d.ok({
      type: "JobDeregister",
      Namespace: "default",
      JobID: "web",
      Purge: true,
      Eval: evaluation(j, "e2"),
    });
    const s = d.state;
    expect(s.jobByID("default", "web")).toBeUndefined();
    expect(s.jobVersions("default", "web")).toEqual([]);
    expect(s.jobSummary("default", "web")).toBeUndefined();
    expect(s.evalByID("e2")).toBeDefined();
  });

  it("deregistering an unknown job is refused and changes nothing (not even the eval)", () => {
    const d = withNode();
    const before = d.state;
    const r = d.apply({
      type: "JobDeregister",
      Namespace: "default",
      JobID: "nope",
      Purge: false,
      Eval: evaluation(job("nope"), "e9"),
    });
    expect(r.error).toMatch(/doesn't exist to be deregistered/);
    expect(d.state).toBe(before);
  });

  it("batch deregister purges every listed job and upserts the evals", () => {
    const d = withNode();
    d.ok({ type: "JobRegister", Job: job("a") });
    d.ok({ type: "JobRegister", Job: job("b") });
    d.ok({
      type: "JobBatchDeregister",
      Jobs: [
        { Namespace: "default", ID: "a" },
        { Namespace: "default", ID: "missing" },
      ],
      Evals: [evaluation(job("a"), "e3")],
    });
    expect(d.state.jobs().map((j) => j.ID)).toEqual(["b"]);
    expect(d.state.evalByID("e3")).toBeDefined();
  });
});

describe("EvalUpdate / EvalDelete", () => {
  it("an update keeps CreateIndex and moves ModifyIndex", () => {
    const d = withNode();
    const j = job("web");
    const first = d.ok({ type: "EvalUpdate", Evals: [evaluation(j, "e1")] });
    const second = d.ok({ type: "EvalUpdate", Evals: [{ ...evaluation(j, "e1"), Status: "complete" }] });
    expect(d.state.evalByID("e1")).toMatchObject({
      CreateIndex: first,
      ModifyIndex: second,
      Status: "complete",
    });
  });

  it("a successful complete eval cancels the job's blocked evals", () => {
    const d = withNode();
    const j = job("web");
    d.ok({ type: "JobRegister", Job: j });
    d.ok({ type: "EvalUpdate", Evals: [{ ...evaluation(j, "blocked1"), Status: "blocked" }] });
    d.ok({ type: "EvalUpdate", Evals: [{ ...evaluation(j, "e2"), Status: "complete", ModifyTime: 77 }] });
    expect(d.state.evalByID("blocked1")).toMatchObject({
      Status: "canceled",
      StatusDescription: 'evaluation "e2" successful',
      ModifyTime: 77,
    });
  });

  it("a complete eval that still failed to place some groups leaves blocked evals alone", () => {
    const d = withNode();
    const j = job("web");
    d.ok({ type: "EvalUpdate", Evals: [{ ...evaluation(j, "blocked1"), Status: "blocked" }] });
    d.ok({
      type: "EvalUpdate",
      Evals: [{ ...evaluation(j, "e2"), Status: "complete", FailedTGAllocs: { web: {} as never } }],
    });
    expect(d.state.evalByID("blocked1")?.Status).toBe("blocked");
  });

  it("EvalDelete removes evals and allocs by ID and skips missing ones", () => {
    const d = withNode();
    const j = job("web");
    d.ok({ type: "JobRegister", Job: j, Eval: evaluation(j, "e1") });
    const stored = d.state.jobByID("default", "web")!;
    d.ok({
      ...emptyPlan(stored, "e1"),
      AllocsPlaced: [alloc({ id: "a1", job: stored, nodeID: "n1", evalID: "e1" })],
    });
    d.ok({ type: "EvalDelete", Evals: ["e1", "zz"], Allocs: ["a1", "yy"] });
    expect(d.state.evals()).toEqual([]);
    expect(d.state.allocs()).toEqual([]);
    expect(d.state.allocsByNode("n1")).toEqual([]);
    expect(d.state.nodeUsage("n1").cpuMHz).toBe(0);
  });
});
