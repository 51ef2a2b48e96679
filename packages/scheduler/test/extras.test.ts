import { describe, expect, it } from "vitest";
import { computeNodeUsage } from "@nomad/scheduler";
import { applyPlan, Harness, liveAllocs, mockEval, mockJob, mockNode } from "@nomad/scheduler/testing";
import { emptyPlan, type Job } from "@nomad/structs";

const live = (h: Harness, job: Job) => liveAllocs(h.state.allocsByJob("default", job.ID));

describe("more placement rules", () => {
  it("task-level ports are granted in the task's networks and collide like group ports", async () => {
    const h = new Harness();
    h.state.upsertNode(mockNode({ id: "a" }));
    h.state.upsertNode(mockNode({ id: "b" }));
    const base = mockJob({ id: "t", count: 3, cpuMHz: 10, memoryMB: 10 });
    const g = base.TaskGroups[0]!;
    const task = g.Tasks[0]!;
    const net = {
      Mode: "host",
      Device: "",
      CIDR: "",
      IP: "",
      Hostname: "",
      MBits: 0,
      ReservedPorts: [{ Label: "http", Value: 9000, To: 0, HostNetwork: "default", IgnoreCollision: false }],
      DynamicPorts: [{ Label: "rpc", Value: 0, To: -1, HostNetwork: "default", IgnoreCollision: false }],
    };
    const job = h.state.upsertJob({
      ...base,
      TaskGroups: [{ ...g, Tasks: [{ ...task, Resources: { ...task.Resources, Networks: [net] } }] }],
    });
    const res = await h.process(mockEval(job));
    const allocs = live(h, job);
    expect(allocs.map((a) => a.NodeID).sort()).toEqual(["a", "b"]);
    expect(res.evaluation.QueuedAllocations["web"]).toBe(1);
    const n = allocs[0]!.AllocatedResources!.Tasks["app"]!.Networks[0]!;
    expect(n.ReservedPorts[0]?.Value).toBe(9000);
    expect(n.DynamicPorts[0]!.Value).toBeGreaterThanOrEqual(20000);
    expect(n.DynamicPorts[0]!.To).toBe(n.DynamicPorts[0]!.Value); // to = -1 maps to the host port
    expect([...computeNodeUsage(h.state.allocsByNode("a")).ports]).toContain(9000);
  });

  it("a negative affinity steers placements away from matching nodes", async () => {
    const h = new Harness();
    for (let i = 0; i < 4; i++)
      h.state.upsertNode(
        mockNode({ id: `n${i}`, nodeClass: i === 0 ? "ok" : "spot", cpuMHz: 100_000, memoryMB: 100_000 }),
      );
    const job = h.state.upsertJob(
      mockJob({
        id: "x",
        count: 1,
        affinities: [{ LTarget: "${node.class}", RTarget: "spot", Weight: -100 }],
      }),
    );
    await h.process(mockEval(job));
    expect(live(h, job)[0]!.NodeID).toBe("n0");
  });

  it("every task group of a job is placed, each with its own slots", async () => {
    const h = new Harness();
    for (let i = 0; i < 3; i++) h.state.upsertNode(mockNode());
    const job = h.state.upsertJob(mockJob({ id: "multi", count: 2, groups: 3 }));
    const res = await h.process(mockEval(job));
    expect(
      live(h, job)
        .map((a) => a.Name)
        .sort(),
    ).toEqual([
      "multi.web1[0]",
      "multi.web1[1]",
      "multi.web2[0]",
      "multi.web2[1]",
      "multi.web[0]",
      "multi.web[1]",
    ]);
    expect(res.evaluation.QueuedAllocations).toEqual({ web: 0, web1: 0, web2: 0 });
  });

  it("the plan applier rejects a whole AllAtOnce plan when any node no longer fits", async () => {
    const h = new Harness();
    h.state.upsertNode(mockNode({ id: "a" }));
    h.state.upsertNode(mockNode({ id: "b", cpuMHz: 100 }));
    const job = h.state.upsertJob(mockJob({ id: "aao", count: 1, cpuMHz: 500 }));
    const first = await h.process(mockEval(job));
    const good = first.plans[0]!.plan.NodeAllocation["a"]![0]!;
    const plan = emptyPlan("e", "t", 50, { ...job, AllAtOnce: true });
    plan.AllAtOnce = true;
    plan.NodeAllocation["a"] = [{ ...good, ID: "new-a" }];
    plan.NodeAllocation["b"] = [{ ...good, ID: "new-b", NodeID: "b" }];
    const result = applyPlan(h.state, plan);
    expect(result.RejectedNodes).toEqual(["b"]);
    expect(result.RefreshIndex).toBeGreaterThan(0);
    expect(h.state.allocByID("new-a")).toBeUndefined();
  });
});
