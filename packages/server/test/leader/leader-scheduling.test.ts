import { describe, expect, it } from "vitest";
import { LeaderHarness } from "./harness.js";

describe("Leader: scheduling through the broker, a worker and the plan applier", () => {
  it("a registered job is scheduled by a worker and its allocations are committed through the FSM", async () => {
    const h = new LeaderHarness();
    h.registerNode({ id: "node-a" });
    h.registerNode({ id: "node-b" });
    await h.leader.start();
    const { eval: ev } = h.registerJob({ id: "web", count: 3, cpuMHz: 500, memoryMB: 256 });
    await h.until(() => h.evalByID(ev.ID)?.Status === "complete", "eval complete");
    const allocs = h.liveAllocs("web");
    expect(allocs).toHaveLength(3);
    for (const a of allocs) {
      expect(["node-a", "node-b"]).toContain(a.NodeID);
      expect(a.EvalID).toBe(ev.ID);
      expect(a.Job?.ID).toBe("web");
      expect(a.CreateIndex).toBeGreaterThan(0);
    }
    expect(h.commands.some((c) => c.type === "ApplyPlanResults")).toBe(true);
    expect(h.leader.brokerStats()).toMatchObject({ TotalReady: 0, TotalUnacked: 0 });
    await h.leader.stop();
    expect(h.clock.pending()).toBe(0);
  });

  it("restores pending evals from the state on start", async () => {
    const h = new LeaderHarness();
    h.registerNode({ id: "node-a" });
    const { eval: ev } = h.registerJob({ id: "api", count: 2 });
    expect(h.evalByID(ev.ID)?.Status).toBe("pending");
    await h.leader.start();
    await h.until(() => h.evalByID(ev.ID)?.Status === "complete", "restored eval processed");
    expect(h.liveAllocs("api")).toHaveLength(2);
    await h.leader.stop();
  });

  it("an eval that cannot place everything leaves a blocked eval, unblocked when a node joins", async () => {
    const h = new LeaderHarness();
    h.registerNode({ id: "small", cpuMHz: 1000 });
    await h.leader.start();
    const { eval: ev } = h.registerJob({ id: "big", count: 2, cpuMHz: 800 });
    await h.until(() => h.evalByID(ev.ID)?.Status === "complete", "first eval");
    expect(h.liveAllocs("big")).toHaveLength(1);
    const blockedID = h.evalByID(ev.ID)!.BlockedEval;
    expect(h.evalByID(blockedID)?.Status).toBe("blocked");
    expect(h.leader.brokerStats().TotalBlocked).toBe(1);
    h.registerNode({ id: "second", cpuMHz: 1000 });
    await h.until(() => h.liveAllocs("big").length === 2, "second alloc placed after unblock");
    expect(
      h
        .liveAllocs("big")
        .map((a) => a.NodeID)
        .sort(),
    ).toEqual(["second", "small"]);
    await h.until(() => h.evalByID(blockedID)?.Status === "complete", "unblocked eval completes");
    await h.leader.stop();
  });

  it("stopping a job cancels its blocked eval", async () => {
    const h = new LeaderHarness();
    h.registerNode({ id: "small", cpuMHz: 1000 });
    await h.leader.start();
    const { eval: ev } = h.registerJob({ id: "big", count: 2, cpuMHz: 800 });
    await h.until(() => h.evalByID(ev.ID)?.Status === "complete", "first eval");
    const blockedID = h.evalByID(ev.ID)!.BlockedEval;
    expect(h.evalByID(blockedID)?.Status).toBe("blocked");
    const { parseEvaluation } = await import("@nomad/structs");
    const stopEval = parseEvaluation({
      ID: h.newID(),
      JobID: "big",
      Type: "service",
      TriggeredBy: "job-deregister",
      Status: "pending",
    });
    h.apply({ type: "JobDeregister", Namespace: "default", JobID: "big", Purge: false, Eval: stopEval });
    await h.until(() => h.evalByID(blockedID)?.Status === "canceled", "blocked eval canceled");
    expect(h.evalByID(blockedID)?.StatusDescription).toBe("job was stopped");
    await h.until(() => h.evalByID(stopEval.ID)?.Status === "complete", "stop eval processed");
    expect(h.liveAllocs("big")).toHaveLength(0);
    expect(h.leader.brokerStats().TotalBlocked).toBe(0);
    await h.leader.stop();
  });

  it("Job.Plan reports desired updates and failed groups without committing anything", async () => {
    const h = new LeaderHarness();
    h.registerNode({ id: "node-a", cpuMHz: 1000 });
    await h.leader.start();
    const before = h.state.latestIndex();
    const { mockJob } = await import("@nomad/scheduler/testing");
    const plan = await h.leader.planJob(mockJob({ id: "planned", count: 3, cpuMHz: 400 }));
    expect(plan.Annotations?.DesiredTGUpdates["web"]).toMatchObject({ Place: 3, Stop: 0 });
    expect(plan.FailedTGAllocs?.["web"]).toBeDefined();
    expect(h.state.latestIndex()).toBe(before);
    expect(h.state.snapshot().jobByID("default", "planned")).toBeUndefined();
    await h.leader.stop();
  });
});
