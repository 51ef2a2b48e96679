import { describe, expect, it } from "vitest";
import { MISSING_DRIVERS } from "@nomad/scheduler";
import { Harness, liveAllocs, mockEval, mockJob, mockNode } from "@nomad/scheduler/testing";
import { parseNode } from "@nomad/structs";

async function placeOne(h: Harness, job = mockJob()) {
  const stored = h.state.upsertJob(job);
  const res = await h.process(mockEval(stored));
  return { job: stored, res, allocs: liveAllocs(h.state.allocsByJob("default", stored.ID)) };
}

describe("feasibility", () => {
  it("only nodes in the job's datacenters are used; globs match", async () => {
    const h = new Harness();
    h.state.upsertNode(mockNode({ id: "a", datacenter: "us-east" }));
    h.state.upsertNode(mockNode({ id: "b", datacenter: "eu-west" }));
    const { allocs } = await placeOne(h, mockJob({ count: 3, datacenters: ["us-*"] }));
    expect(allocs.map((a) => a.NodeID)).toEqual(["a", "a", "a"]);
  });

  it("down, initializing, ineligible and draining nodes receive nothing", async () => {
    const h = new Harness();
    h.state.upsertNode(mockNode({ id: "down", status: "down" }));
    h.state.upsertNode(mockNode({ id: "init", status: "initializing" }));
    h.state.upsertNode(mockNode({ id: "inel", eligibility: "ineligible" }));
    h.state.upsertNode({
      ...mockNode({ id: "drain" }),
      DrainStrategy: {
        DrainSpec: { Deadline: 0, IgnoreSystemJobs: false },
        ForceDeadline: "",
        StartedAt: "",
      },
    });
    h.state.upsertNode(mockNode({ id: "ok" }));
    const { allocs } = await placeOne(h, mockJob({ count: 4 }));
    expect(new Set(allocs.map((a) => a.NodeID))).toEqual(new Set(["ok"]));
  });

  it("a driver must be detected and healthy; otherwise the node is filtered as missing drivers", async () => {
    const h = new Harness();
    const unhealthy = mockNode({ id: "sick", drivers: ["docker"] });
    h.state.upsertNode(parseNode({ ...unhealthy, Drivers: { docker: { Detected: true, Healthy: false } } }));
    h.state.upsertNode(mockNode({ id: "none", drivers: ["exec"] }));
    const { res, allocs } = await placeOne(h, mockJob({ driver: "docker" }));
    expect(allocs).toHaveLength(0);
    const m = res.evaluation.FailedTGAllocs["web"]!;
    expect(m.NodesFiltered).toBe(2);
    expect(m.ConstraintFiltered[MISSING_DRIVERS]).toBe(2);
    h.state.upsertNode(mockNode({ id: "good", drivers: ["docker"] }));
    const again = await placeOne(h, mockJob({ driver: "docker" }));
    expect(again.allocs.map((a) => a.NodeID)).toEqual(["good"]);
  });

  it("job, group and task constraints with interpolation all filter, and the reason names the constraint", async () => {
    const h = new Harness();
    h.state.upsertNode(mockNode({ id: "old", attributes: { "os.version": "20.04" }, meta: { zone: "a" } }));
    h.state.upsertNode(mockNode({ id: "arm", attributes: { "cpu.arch": "arm64" }, meta: { zone: "a" } }));
    h.state.upsertNode(mockNode({ id: "good", meta: { zone: "a" } }));
    const job = mockJob({
      count: 2,
      constraints: [{ LTarget: "${attr.os.version}", Operand: "version", RTarget: ">= 22.04" }],
      groupConstraints: [{ LTarget: "${attr.cpu.arch}", RTarget: "amd64" }],
      extra: {},
    });
    job.TaskGroups[0]!.Tasks[0]!.Constraints.push({ LTarget: "${meta.zone}", Operand: "=", RTarget: "a" });
    const { allocs } = await placeOne(h, job);
    expect(allocs.map((a) => a.NodeID)).toEqual(["good", "good"]);

    const h2 = new Harness();
    h2.state.upsertNode(mockNode({ id: "old", attributes: { "os.version": "20.04" } }));
    const failed = await placeOne(
      h2,
      mockJob({ constraints: [{ LTarget: "${attr.os.version}", Operand: "version", RTarget: ">= 22.04" }] }),
    );
    expect(failed.res.evaluation.FailedTGAllocs["web"]?.ConstraintFiltered).toEqual({
      "${attr.os.version} version >= 22.04": 1,
    });
  });

  it("feasibility is cached per computed class: the blocked eval records class eligibility", async () => {
    const h = new Harness();
    for (let i = 0; i < 6; i++)
      h.state.upsertNode(mockNode({ nodeClass: i < 3 ? "small" : "big", cpuMHz: 1000 }));
    const job = mockJob({
      count: 1,
      cpuMHz: 2000,
      groupConstraints: [{ LTarget: "${node.class}", RTarget: "big" }],
    });
    const { res } = await placeOne(h, job);
    const blocked = res.blockedEval!;
    const values = Object.values(blocked.ClassEligibility);
    expect(values.filter((v) => v)).toHaveLength(1);
    expect(values.filter((v) => !v)).toHaveLength(1);
    expect(blocked.EscapedComputedClass).toBe(false);
    expect(res.evaluation.FailedTGAllocs["web"]).toMatchObject({ NodesFiltered: 3, NodesExhausted: 3 });
  });

  it("constraints on unique attributes escape the class cache and are checked per node", async () => {
    const h = new Harness();
    for (const id of ["n1", "n2", "n3"]) h.state.upsertNode(mockNode({ id }));
    const { res, allocs } = await placeOne(
      h,
      mockJob({ count: 2, constraints: [{ LTarget: "${node.unique.id}", RTarget: "n2" }] }),
    );
    expect(allocs.map((a) => a.NodeID)).toEqual(["n2", "n2"]);
    expect(res.blockedEval).toBeNull();
    const h2 = new Harness();
    h2.state.upsertNode(mockNode({ id: "n1", cpuMHz: 100 }));
    const r2 = await placeOne(
      h2,
      mockJob({ constraints: [{ LTarget: "${node.unique.id}", RTarget: "n1" }] }),
    );
    expect(r2.res.blockedEval?.EscapedComputedClass).toBe(true);
  });

  it("distinct_hosts puts at most one allocation of the group on a node", async () => {
    const h = new Harness();
    for (let i = 0; i < 3; i++) h.state.upsertNode(mockNode());
    const { allocs, res } = await placeOne(
      h,
      mockJob({ count: 4, groupConstraints: [{ Operand: "distinct_hosts" }] }),
    );
    expect(allocs).toHaveLength(3);
    expect(new Set(allocs.map((a) => a.NodeID)).size).toBe(3);
    expect(res.evaluation.QueuedAllocations["web"]).toBe(1);
    expect(res.evaluation.FailedTGAllocs["web"]?.ConstraintFiltered[" distinct_hosts "]).toBe(3);
  });

  it("distinct_property limits allocations per property value to RTarget", async () => {
    const h = new Harness();
    for (let i = 0; i < 6; i++) h.state.upsertNode(mockNode({ meta: { rack: `r${i % 2}` } }));
    const { allocs } = await placeOne(
      h,
      mockJob({
        count: 6,
        constraints: [{ LTarget: "${meta.rack}", Operand: "distinct_property", RTarget: "2" }],
      }),
    );
    expect(allocs).toHaveLength(4);
    const perRack = new Map<string, number>();
    for (const a of allocs) {
      const rack = h.state.nodeByID(a.NodeID)!.Meta["rack"]!;
      perRack.set(rack, (perRack.get(rack) ?? 0) + 1);
    }
    expect([...perRack.values()]).toEqual([2, 2]);
  });
});
