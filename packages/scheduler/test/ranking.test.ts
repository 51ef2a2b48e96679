import { describe, expect, it } from "vitest";
import { affinityScore, antiAffinityScore, candidateLimit, fitScore, nodeCapacity } from "@nomad/scheduler";
import { Harness, liveAllocs, mockEval, mockJob, mockNode, type JobFixture } from "@nomad/scheduler/testing";

async function run(h: Harness, f: JobFixture) {
  const job = h.state.upsertJob(mockJob(f));
  const res = await h.process(mockEval(job));
  return { job, res, allocs: liveAllocs(h.state.allocsByJob("default", job.ID)) };
}

describe("scores", () => {
  const cap = nodeCapacity(mockNode({ cpuMHz: 1000, memoryMB: 1000 }));

  it("binpack: an empty node scores 0, a full one 18/18; spread is the mirror image", () => {
    expect(fitScore(cap, 0, 0, "binpack")).toBe(0);
    expect(fitScore(cap, 1000, 1000, "binpack")).toBe(1);
    expect(fitScore(cap, 500, 500, "binpack")).toBeCloseTo((20 - 2 * Math.sqrt(10)) / 18, 10);
    expect(fitScore(cap, 0, 0, "spread")).toBe(1);
    expect(fitScore(cap, 1000, 1000, "spread")).toBe(0);
  });

  it("job anti-affinity is -(collisions+1)/count and absent without collisions", () => {
    expect(antiAffinityScore(0, 10)).toBeNull();
    expect(antiAffinityScore(1, 10)).toBeCloseTo(-0.2);
  });

  it("affinity score is matching weight over total weight", () => {
    const node = mockNode({ nodeClass: "big", meta: { rack: "r1" } });
    const aff = [
      { LTarget: "${node.class}", RTarget: "big", Operand: "=", Weight: 50 },
      { LTarget: "${meta.rack}", RTarget: "r2", Operand: "=", Weight: 50 },
    ];
    expect(affinityScore(aff, node)).toBe(0.5);
    expect(
      affinityScore([{ LTarget: "${node.class}", RTarget: "big", Operand: "=", Weight: -100 }], node),
    ).toBe(-1);
  });

  it("candidate limit: 2 for batch, ceil(log2 n) (at least 2) for service", () => {
    expect(candidateLimit("batch", 5000)).toBe(2);
    expect(candidateLimit("service", 5000)).toBe(13);
    expect(candidateLimit("service", 3)).toBe(2);
  });
});

describe("placement preferences", () => {
  it("binpack fills a partly used node before an empty one", async () => {
    const h = new Harness();
    h.state.upsertNode(mockNode({ id: "busy" }));
    h.state.upsertNode(mockNode({ id: "idle" }));
    await run(h, {
      count: 1,
      cpuMHz: 2000,
      memoryMB: 4000,
      extra: { Constraints: [{ LTarget: "${node.unique.id}", RTarget: "busy" }] },
    });
    const { allocs } = await run(h, { count: 1, cpuMHz: 200, memoryMB: 200 });
    expect(allocs[0]!.NodeID).toBe("busy");
  });

  it("the spread algorithm prefers the emptier node", async () => {
    const h = new Harness({ algorithm: "spread" });
    h.state.upsertNode(mockNode({ id: "busy" }));
    h.state.upsertNode(mockNode({ id: "idle" }));
    await run(h, {
      count: 1,
      cpuMHz: 2000,
      memoryMB: 4000,
      extra: { Constraints: [{ LTarget: "${node.unique.id}", RTarget: "busy" }] },
    });
    const { allocs } = await run(h, { count: 1, cpuMHz: 200, memoryMB: 200 });
    expect(allocs[0]!.NodeID).toBe("idle");
  });

  it("job anti-affinity spreads a group's allocations when nodes are otherwise equal", async () => {
    const h = new Harness();
    for (let i = 0; i < 4; i++) h.state.upsertNode(mockNode({ cpuMHz: 100_000, memoryMB: 100_000 }));
    const { allocs } = await run(h, { count: 4, cpuMHz: 10, memoryMB: 10 });
    expect(new Set(allocs.map((a) => a.NodeID)).size).toBe(4);
    const meta = allocs[1]!.Metrics!.ScoreMetaData;
    expect(meta.length).toBeGreaterThan(0);
    expect(Object.keys(meta[0]!.Scores)).toContain("binpack");
  });

  it("a node affinity attracts placements to matching nodes", async () => {
    const h = new Harness();
    for (let i = 0; i < 6; i++)
      h.state.upsertNode(
        mockNode({ id: `n${i}`, nodeClass: i === 4 ? "fast" : "slow", cpuMHz: 100_000, memoryMB: 100_000 }),
      );
    const { allocs } = await run(h, {
      count: 1,
      affinities: [{ LTarget: "${node.class}", RTarget: "fast", Weight: 100 }],
    });
    expect(allocs[0]!.NodeID).toBe("n4");
    expect(allocs[0]!.Metrics!.ScoreMetaData[0]!.Scores["node-affinity"]).toBe(1);
  });

  it("a spread block with targets divides allocations by percentage", async () => {
    const h = new Harness();
    for (let i = 0; i < 10; i++)
      h.state.upsertNode(mockNode({ datacenter: i < 5 ? "dc1" : "dc2", cpuMHz: 100_000, memoryMB: 100_000 }));
    const { allocs } = await run(h, {
      count: 10,
      datacenters: ["dc1", "dc2"],
      spreads: [
        {
          Attribute: "${node.datacenter}",
          Weight: 100,
          SpreadTarget: [
            { Value: "dc1", Percent: 70 },
            { Value: "dc2", Percent: 30 },
          ],
        },
      ],
    });
    const dc1 = allocs.filter((a) => h.state.nodeByID(a.NodeID)!.Datacenter === "dc1").length;
    expect(dc1).toBe(7);
  });

  it("a spread block without targets spreads evenly over the attribute's values", async () => {
    const h = new Harness();
    for (let i = 0; i < 9; i++)
      h.state.upsertNode(mockNode({ meta: { rack: `r${i % 3}` }, cpuMHz: 100_000, memoryMB: 100_000 }));
    const { allocs } = await run(h, { count: 9, spreads: [{ Attribute: "${meta.rack}", Weight: 100 }] });
    const perRack = new Map<string, number>();
    for (const a of allocs) {
      const r = h.state.nodeByID(a.NodeID)!.Meta["rack"]!;
      perRack.set(r, (perRack.get(r) ?? 0) + 1);
    }
    expect([...perRack.values()]).toEqual([3, 3, 3]);
  });
});

describe("candidate limit in practice", () => {
  it("a service placement ranks ceil(log2 n) feasible nodes, a batch placement 2", async () => {
    for (const [type, expected] of [
      ["service", 6],
      ["batch", 2],
    ] as const) {
      const h = new Harness({ seed: 5 });
      for (let i = 0; i < 64; i++) h.state.upsertNode(mockNode({ cpuMHz: 100_000, memoryMB: 100_000 }));
      const { allocs } = await run(h, { count: 1, type });
      expect(allocs[0]!.Metrics!.NodesEvaluated).toBe(expected);
    }
  });

  it("infeasible nodes do not count toward the limit: the scan continues until enough candidates", async () => {
    const h = new Harness({ seed: 5 });
    for (let i = 0; i < 64; i++)
      h.state.upsertNode(
        mockNode({ nodeClass: i % 2 === 0 ? "a" : "b", cpuMHz: 100_000, memoryMB: 100_000 }),
      );
    const { allocs } = await run(h, { count: 1, constraints: [{ LTarget: "${node.class}", RTarget: "a" }] });
    const m = allocs[0]!.Metrics!;
    expect(m.NodesEvaluated - m.NodesFiltered).toBe(6);
  });
});
