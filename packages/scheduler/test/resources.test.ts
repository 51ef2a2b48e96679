import { describe, expect, it } from "vitest";
import { DIM_CORES, DIM_CPU, DIM_DISK, DIM_MEMORY, DIM_PORT_COLLISION } from "@nomad/scheduler";
import { Harness, liveAllocs, mockEval, mockJob, mockNode, type JobFixture } from "@nomad/scheduler/testing";

async function run(h: Harness, f: JobFixture) {
  const job = h.state.upsertJob(mockJob(f));
  const res = await h.process(mockEval(job));
  return { job, res, allocs: liveAllocs(h.state.allocsByJob("default", job.ID)) };
}

describe("resource fit", () => {
  it("CPU exhaustion is reported with Nomad's dimension name", async () => {
    const h = new Harness();
    h.state.upsertNode(mockNode({ cpuMHz: 1000 }));
    const { allocs, res } = await run(h, { count: 3, cpuMHz: 400, memoryMB: 10 });
    expect(allocs).toHaveLength(2);
    expect(res.evaluation.FailedTGAllocs["web"]?.DimensionExhausted).toEqual({ [DIM_CPU]: 1 });
    expect(res.evaluation.FailedTGAllocs["web"]?.CoalescedFailures).toBe(0);
  });

  it("memory and disk exhaustion, with the client's reserved resources taken off first", async () => {
    const h = new Harness();
    h.state.upsertNode(mockNode({ memoryMB: 1024, reservedMemoryMB: 512 }));
    const mem = await run(h, { count: 3, cpuMHz: 10, memoryMB: 200 });
    expect(mem.allocs).toHaveLength(2);
    expect(mem.res.evaluation.FailedTGAllocs["web"]?.DimensionExhausted[DIM_MEMORY]).toBe(1);

    const h2 = new Harness();
    h2.state.upsertNode(mockNode({ diskMB: 1000 }));
    const disk = await run(h2, { count: 3, cpuMHz: 10, memoryMB: 10, diskMB: 400 });
    expect(disk.allocs).toHaveLength(2);
    expect(disk.res.evaluation.FailedTGAllocs["web"]?.DimensionExhausted[DIM_DISK]).toBe(1);
  });

  it("reserved CPU on the node counts against capacity", async () => {
    const h = new Harness();
    h.state.upsertNode(mockNode({ cpuMHz: 1000, reservedCpuMHz: 600 }));
    const { allocs } = await run(h, { count: 2, cpuMHz: 300, memoryMB: 10 });
    expect(allocs).toHaveLength(1);
  });

  it("cores are reserved exclusively, charged at the node's MHz per core, and never shared", async () => {
    const h = new Harness();
    h.state.upsertNode(mockNode({ cpuMHz: 4000, cores: 4 }));
    const { allocs, res } = await run(h, { count: 3, cores: 2, memoryMB: 10 });
    expect(allocs).toHaveLength(2);
    const granted = allocs.flatMap((a) => a.AllocatedResources!.Tasks["app"]!.Cpu.ReservedCores);
    expect(new Set(granted).size).toBe(4);
    expect(allocs[0]!.AllocatedResources!.Tasks["app"]!.Cpu.CpuShares).toBe(2000);
    const dims = res.evaluation.FailedTGAllocs["web"]!.DimensionExhausted;
    expect(dims[DIM_CORES] ?? dims[DIM_CPU]).toBe(1);
  });

  it("static ports collide with each other and with the client's reserved ports", async () => {
    const h = new Harness();
    h.state.upsertNode(mockNode({ id: "a", reservedPorts: "22,8080" }));
    h.state.upsertNode(mockNode({ id: "b" }));
    const { allocs, res } = await run(h, { count: 2, cpuMHz: 10, memoryMB: 10, staticPorts: [8080] });
    expect(allocs.map((a) => a.NodeID)).toEqual(["b"]);
    expect(res.evaluation.FailedTGAllocs["web"]?.DimensionExhausted).toEqual({ [DIM_PORT_COLLISION]: 2 });
    expect(allocs[0]!.AllocatedResources!.Shared.Ports).toEqual([
      { Label: "s0", Value: 8080, To: 0, HostIP: "" },
    ]);
  });

  it("dynamic ports come from 20000-32000 and never repeat on a node", async () => {
    const h = new Harness();
    h.state.upsertNode(mockNode());
    const { allocs } = await run(h, { count: 8, cpuMHz: 10, memoryMB: 10, dynamicPorts: 3 });
    expect(allocs).toHaveLength(8);
    const ports = allocs.flatMap((a) => a.AllocatedResources!.Shared.Ports.map((p) => p.Value));
    expect(ports).toHaveLength(24);
    expect(new Set(ports).size).toBe(24);
    for (const p of ports) expect(p >= 20000 && p <= 32000).toBe(true);
  });

  it("existing allocations' usage is respected across evaluations", async () => {
    const h = new Harness();
    h.state.upsertNode(mockNode({ cpuMHz: 1000 }));
    await run(h, { count: 2, cpuMHz: 400, memoryMB: 10 });
    const second = await run(h, { count: 2, cpuMHz: 400, memoryMB: 10 });
    expect(second.allocs).toHaveLength(0);
    expect(second.res.blockedEval).not.toBeNull();
  });
});
