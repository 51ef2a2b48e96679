import { describe, expect, it } from "vitest";
import { process, UnsupportedEvalTypeError } from "@nomad/scheduler";
import { Harness, liveAllocs, mockEval, mockJob, mockNode } from "@nomad/scheduler/testing";

describe("placement failures and blocked evaluations", () => {
  it("unplaceable allocations produce AllocMetric, queued counts and a blocked eval", async () => {
    const h = new Harness();
    h.state.upsertNode(mockNode({ id: "n0", memoryMB: 1024 }));
    h.state.upsertNode(mockNode({ id: "n1", datacenter: "dc9" }));
    const job = h.state.upsertJob(mockJob({ id: "big", count: 3, cpuMHz: 100, memoryMB: 600 }));
    const res = await h.process(mockEval(job));
    expect(liveAllocs(h.state.allocsByJob("default", "big"))).toHaveLength(1);
    expect(res.evaluation).toMatchObject({ Status: "complete", QueuedAllocations: { web: 2 } });
    expect(res.evaluation.FailedTGAllocs["web"]).toMatchObject({
      NodesEvaluated: 1,
      NodesExhausted: 1,
      DimensionExhausted: { memory: 1 },
      NodesAvailable: { dc1: 1 },
      NodesInPool: 2,
      CoalescedFailures: 1,
    });
    const blocked = res.blockedEval!;
    expect(blocked).toMatchObject({
      Status: "blocked",
      JobID: "big",
      PreviousEval: res.evaluation.ID,
      TriggeredBy: "job-register",
    });
    expect(res.evaluation.BlockedEval).toBe(blocked.ID);
    expect(h.createdEvals).toContainEqual(blocked);
  });

  it("a blocked eval that still cannot place everything is re-blocked, and completes once capacity appears", async () => {
    const h = new Harness();
    h.state.upsertNode(mockNode({ id: "n0", memoryMB: 1024 }));
    const job = h.state.upsertJob(mockJob({ id: "big", count: 2, memoryMB: 600 }));
    const first = await h.process(mockEval(job));
    const blocked = first.blockedEval!;
    const again = await h.process(blocked);
    expect(h.reblockedEvals).toHaveLength(1);
    expect(again.evaluation.Status).toBe("blocked");
    h.state.upsertNode(mockNode({ id: "n1", memoryMB: 1024 }));
    const done = await h.process(h.reblockedEvals[0]!);
    expect(done.evaluation.Status).toBe("complete");
    expect(liveAllocs(h.state.allocsByJob("default", "big"))).toHaveLength(2);
  });

  it("a partially rejected plan is retried against the refreshed state", async () => {
    const h = new Harness();
    for (let i = 0; i < 3; i++) h.state.upsertNode(mockNode({ id: `n${i}` }));
    const job = h.state.upsertJob(mockJob({ id: "web", count: 6, memoryMB: 100 }));
    h.rejectNodes = new Set(["n0", "n1", "n2"]);
    h.rejectTimes = 1;
    const res = await h.process(mockEval(job));
    expect(res.plans).toHaveLength(2);
    expect(res.plans[0]!.result.RefreshIndex).toBeGreaterThan(0);
    expect(liveAllocs(h.state.allocsByJob("default", "web"))).toHaveLength(6);
    expect(res.evaluation.Status).toBe("complete");
  });

  it("after the attempt limit the eval fails and a max-plan-attempts blocked eval is created (batch: 2)", async () => {
    const h = new Harness();
    h.state.upsertNode(mockNode({ id: "n0" }));
    const job = h.state.upsertJob(mockJob({ id: "b", type: "batch", count: 1 }));
    h.rejectNodes = new Set(["n0"]);
    h.rejectTimes = 10;
    const res = await h.process(mockEval(job));
    expect(res.plans).toHaveLength(2);
    expect(res.evaluation).toMatchObject({
      Status: "failed",
      StatusDescription: "maximum attempts reached (2)",
    });
    expect(res.blockedEval?.TriggeredBy).toBe("max-plan-attempts");
  });

  it("_core evaluations are not this package's business", async () => {
    const h = new Harness();
    const job = mockJob({ id: "x" });
    await expect(process({ ...mockEval(job), Type: "_core" }, h.state, h, h.deps)).rejects.toBeInstanceOf(
      UnsupportedEvalTypeError,
    );
  });
});
