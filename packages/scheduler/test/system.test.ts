import { describe, expect, it } from "vitest";
import { ALLOC_LOST, ALLOC_NOT_NEEDED } from "@nomad/scheduler";
import { Harness, liveAllocs, mockEval, mockJob, mockNode } from "@nomad/scheduler/testing";
import type { Allocation, Job } from "@nomad/structs";

const live = (h: Harness, job: Job): Allocation[] => liveAllocs(h.state.allocsByJob("default", job.ID));

describe("system scheduler", () => {
  it("places one allocation on every ready, eligible, feasible node", async () => {
    const h = new Harness();
    for (let i = 0; i < 5; i++) h.state.upsertNode(mockNode({ id: `n${i}` }));
    h.state.upsertNode(mockNode({ id: "down", status: "down" }));
    h.state.upsertNode(mockNode({ id: "inel", eligibility: "ineligible" }));
    h.state.upsertNode(mockNode({ id: "win", attributes: { "kernel.name": "windows" } }));
    const job = h.state.upsertJob(
      mockJob({
        id: "agent",
        type: "system",
        constraints: [{ LTarget: "${attr.kernel.name}", RTarget: "linux" }],
      }),
    );
    const res = await h.process(mockEval(job));
    expect(
      live(h, job)
        .map((a) => a.NodeID)
        .sort(),
    ).toEqual(["n0", "n1", "n2", "n3", "n4"]);
    expect(live(h, job).every((a) => a.Name === "agent.web[0]")).toBe(true);
    expect(res.evaluation.FailedTGAllocs).toEqual({}); // filtered nodes are not failures
  });

  it("a node that joins later gets an allocation on the next evaluation, others are untouched", async () => {
    const h = new Harness();
    for (let i = 0; i < 3; i++) h.state.upsertNode(mockNode({ id: `n${i}` }));
    const job = h.state.upsertJob(mockJob({ id: "agent", type: "system" }));
    await h.process(mockEval(job));
    const before = live(h, job).map((a) => a.ID);
    h.state.upsertNode(mockNode({ id: "n3" }));
    await h.process(mockEval(job, "node-update"));
    const after = live(h, job);
    expect(after).toHaveLength(4);
    expect(after.map((a) => a.ID)).toEqual(expect.arrayContaining(before));
  });

  it("allocations on a down node are marked lost and not moved", async () => {
    const h = new Harness();
    for (let i = 0; i < 3; i++) h.state.upsertNode(mockNode({ id: `n${i}` }));
    const job = h.state.upsertJob(mockJob({ id: "agent", type: "system" }));
    await h.process(mockEval(job));
    const onN2 = live(h, job).find((a) => a.NodeID === "n2")!;
    h.state.updateNode("n2", { Status: "down" });
    await h.process(mockEval(job, "node-update"));
    expect(h.state.allocByID(onN2.ID)).toMatchObject({
      ClientStatus: "lost",
      DesiredDescription: ALLOC_LOST,
    });
    expect(
      live(h, job)
        .map((a) => a.NodeID)
        .sort(),
    ).toEqual(["n0", "n1"]);
  });

  it("a node that stops matching the constraints loses its allocation", async () => {
    const h = new Harness();
    h.state.upsertNode(mockNode({ id: "n0", nodeClass: "edge" }));
    h.state.upsertNode(mockNode({ id: "n1", nodeClass: "edge" }));
    const job = h.state.upsertJob(
      mockJob({ id: "agent", type: "system", constraints: [{ LTarget: "${node.class}", RTarget: "edge" }] }),
    );
    await h.process(mockEval(job));
    h.state.updateNode("n1", { NodeClass: "core" });
    await h.process(mockEval(job, "node-update"));
    expect(live(h, job).map((a) => a.NodeID)).toEqual(["n0"]);
    expect(Object.values(h.lastPlan().NodeUpdate).flat()[0]?.DesiredDescription).toBe(ALLOC_NOT_NEEDED);
  });

  it("a node without room records an exhaustion failure and queued allocation", async () => {
    const h = new Harness();
    h.state.upsertNode(mockNode({ id: "n0" }));
    h.state.upsertNode(mockNode({ id: "tiny", cpuMHz: 100 }));
    const job = h.state.upsertJob(mockJob({ id: "agent", type: "system", cpuMHz: 500 }));
    const res = await h.process(mockEval(job));
    expect(live(h, job).map((a) => a.NodeID)).toEqual(["n0"]);
    expect(res.evaluation.QueuedAllocations["web"]).toBe(1);
    expect(res.evaluation.FailedTGAllocs["web"]?.DimensionExhausted).toEqual({ cpu: 1 });
  });

  it("sysbatch: a node where the job completed is not given another allocation", async () => {
    const h = new Harness();
    for (let i = 0; i < 2; i++) h.state.upsertNode(mockNode({ id: `n${i}` }));
    const job = h.state.upsertJob(mockJob({ id: "sweep", type: "sysbatch" }));
    await h.process(mockEval(job));
    for (const a of live(h, job)) h.state.setClientStatus(a.ID, "complete");
    h.state.upsertNode(mockNode({ id: "n2" }));
    await h.process(mockEval(job, "node-update"));
    expect(live(h, job).map((a) => a.NodeID)).toEqual(["n2"]);
  });

  it("a job update replaces system allocations in place or destructively on the same node", async () => {
    const h = new Harness();
    for (let i = 0; i < 2; i++) h.state.upsertNode(mockNode({ id: `n${i}` }));
    const job = h.state.upsertJob(mockJob({ id: "agent", type: "system" }));
    await h.process(mockEval(job));
    const before = live(h, job);
    const g = job.TaskGroups[0]!;
    const v2 = h.state.upsertJob({
      ...job,
      TaskGroups: [{ ...g, Tasks: [{ ...g.Tasks[0]!, Env: { A: "1" } }] }],
    });
    await h.process(mockEval(v2));
    const after = live(h, job);
    expect(after.map((a) => a.NodeID).sort()).toEqual(["n0", "n1"]);
    expect(after.map((a) => a.PreviousAllocation).sort()).toEqual(before.map((a) => a.ID).sort());
  });
});
