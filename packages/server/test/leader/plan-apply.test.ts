import { emptyPlan, type Plan } from "@nomad/structs";
import { describe, expect, it } from "vitest";
import { evaluatePlan, PlanApplier, PlanQueue } from "../../src/leader/index.js";
import { allocOn, LeaderHarness } from "./harness.js";

function setup() {
  const h = new LeaderHarness();
  h.registerNode({ id: "node-1", cpuMHz: 4000 });
  h.registerNode({ id: "node-2", cpuMHz: 4000 });
  const { job } = h.registerJob({ id: "web", count: 1 });
  // 3000 MHz already held on node-1 (committed by an earlier plan).
  const base = emptyPlan("eval-0", "", 50, job);
  base.NodeAllocation["node-1"] = [allocOn(job, "held", "node-1", 3000, [8080])];
  const queue = new PlanQueue(16);
  const applier = new PlanApplier({
    queue,
    snapshot: () => h.state.snapshot(),
    apply: (cmd) => Promise.resolve(h.apply(cmd)),
    nowNs: () => h.clock.nowNs(),
  });
  return { h, job, base, applier, queue };
}

describe("PlanApplier", () => {
  it("rejects an overcommitted node and commits the rest of the plan (partial commit)", async () => {
    const { h, job, base, applier } = setup();
    await applier.applyOne(base);
    const plan: Plan = emptyPlan("eval-1", "", 50, job);
    plan.NodeAllocation["node-1"] = [allocOn(job, "too-big", "node-1", 2000)];
    plan.NodeAllocation["node-2"] = [allocOn(job, "fits", "node-2", 2000)];
    const before = h.state.latestIndex();
    const result = await applier.applyOne(plan);
    expect(result.RejectedNodes).toEqual(["node-1"]);
    expect(Object.keys(result.NodeAllocation)).toEqual(["node-2"]);
    expect(result.AllocIndex).toBeGreaterThan(before);
    expect(result.RefreshIndex).toBeGreaterThanOrEqual(result.AllocIndex);
    const snap = h.state.snapshot();
    expect(snap.allocByID("fits")?.NodeID).toBe("node-2");
    expect(snap.allocByID("fits")?.Job?.ID).toBe("web");
    expect(snap.allocByID("too-big")).toBeUndefined();
    expect(snap.nodeUsage("node-1").cpuMHz).toBe(3000);
  });

  it("with AllAtOnce one rejected node refuses the whole plan and commits nothing", async () => {
    const { h, job, base, applier } = setup();
    await applier.applyOne(base);
    const plan: Plan = { ...emptyPlan("eval-1", "", 50, job), AllAtOnce: true };
    plan.NodeAllocation["node-1"] = [allocOn(job, "too-big", "node-1", 2000)];
    plan.NodeAllocation["node-2"] = [allocOn(job, "fits", "node-2", 2000)];
    const before = h.state.latestIndex();
    const result = await applier.applyOne(plan);
    expect(result.RejectedNodes).toEqual(["node-1"]);
    expect(result.NodeAllocation).toEqual({});
    expect(result.RefreshIndex).toBe(before);
    expect(h.state.latestIndex()).toBe(before);
    expect(h.state.snapshot().allocByID("fits")).toBeUndefined();
  });

  it("rejects a port already held on the node, and accepts it once the holder is stopped in the same plan", async () => {
    const { h, job, base, applier } = setup();
    await applier.applyOne(base);
    const clash = emptyPlan("eval-1", "", 50, job);
    clash.NodeAllocation["node-1"] = [allocOn(job, "clash", "node-1", 100, [8080])];
    expect(evaluatePlan(h.state.snapshot(), clash).rejections).toEqual([
      { nodeID: "node-1", reason: "network: port collision" },
    ]);
    const swap = emptyPlan("eval-2", "", 50, job);
    swap.NodeUpdate["node-1"] = [{ ...h.state.snapshot().allocByID("held")!, DesiredStatus: "stop" }];
    swap.NodeAllocation["node-1"] = [allocOn(job, "clash", "node-1", 100, [8080])];
    const result = await applier.applyOne(swap);
    expect(result.RejectedNodes).toEqual([]);
    expect(h.state.snapshot().allocByID("held")?.DesiredStatus).toBe("stop");
    expect(h.state.snapshot().allocByID("clash")?.DesiredStatus).toBe("run");
  });

  it("rejects placements on a node that is down, ineligible or unknown, but always accepts stops", async () => {
    const { h, job, base, applier } = setup();
    await applier.applyOne(base);
    h.apply({ type: "NodeUpdateStatus", NodeID: "node-1", Status: "down", UpdatedAt: 1, Evals: [] });
    h.apply({
      type: "NodeUpdateEligibility",
      NodeID: "node-2",
      Eligibility: "ineligible",
      UpdatedAt: 1,
      Evals: [],
    });
    const plan = emptyPlan("eval-1", "", 50, job);
    plan.NodeUpdate["node-1"] = [
      { ...h.state.snapshot().allocByID("held")!, DesiredStatus: "stop", ClientStatus: "lost" },
    ];
    plan.NodeAllocation["node-2"] = [allocOn(job, "a", "node-2", 100)];
    plan.NodeAllocation["node-x"] = [allocOn(job, "b", "node-x", 100)];
    const { rejections } = evaluatePlan(h.state.snapshot(), plan);
    expect(rejections).toEqual([
      { nodeID: "node-2", reason: "node is not eligible for placements" },
      { nodeID: "node-x", reason: "node does not exist" },
    ]);
    await applier.applyOne(plan);
    expect(h.state.snapshot().allocByID("held")).toMatchObject({
      DesiredStatus: "stop",
      ClientStatus: "lost",
    });
  });

  it("drains the plan queue in priority order and answers each submitter", async () => {
    const { h, job, applier, queue } = setup();
    queue.setEnabled(true);
    const low = emptyPlan("low", "", 10, job);
    low.NodeAllocation["node-2"] = [allocOn(job, "low-a", "node-2", 3000)];
    const high = emptyPlan("high", "", 90, job);
    high.NodeAllocation["node-2"] = [allocOn(job, "high-a", "node-2", 3000)];
    const lowResult = queue.enqueue(low);
    const highResult = queue.enqueue(high);
    applier.start();
    // Only one of the two fits on node-2: the higher priority plan, applied first, wins.
    expect((await highResult).RejectedNodes).toEqual([]);
    expect((await lowResult).RejectedNodes).toEqual(["node-2"]);
    expect(h.state.snapshot().allocByID("high-a")).toBeDefined();
    queue.setEnabled(false);
    await applier.stopped();
  });
});
