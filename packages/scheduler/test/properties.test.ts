import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkConstraint, computeNodeUsage, nodeCapacity } from "@nomad/scheduler";
import { Harness, liveAllocs, mockEval, mockJob, mockNode } from "@nomad/scheduler/testing";
import { nodeAcceptsPlacements, parsePortSpec, type Allocation, type Job, type Node } from "@nomad/structs";
import { groupAsk } from "../src/core/ask.js";
import { datacenterMatcher, driverHealthy } from "../src/core/feasibility.js";
import { checkFit } from "../src/core/fit.js";

const nodeArb = fc.record({
  cpuMHz: fc.integer({ min: 500, max: 8000 }),
  memoryMB: fc.integer({ min: 256, max: 16384 }),
  diskMB: fc.integer({ min: 500, max: 20000 }),
  cores: fc.integer({ min: 1, max: 8 }),
  dc: fc.constantFrom("dc1", "dc2"),
  cls: fc.constantFrom("a", "b"),
  rack: fc.constantFrom("r0", "r1", "r2"),
  reserved: fc.constantFrom("", "80", "22,8080"),
  state: fc.constantFrom("ready", "ready", "ready", "ready", "down", "ineligible"),
  docker: fc.boolean(),
});

const constraintArb = fc.constantFrom(
  null,
  { LTarget: "${meta.rack}", RTarget: "r1" },
  { LTarget: "${node.class}", Operand: "!=", RTarget: "b" },
  { LTarget: "${attr.cpu.arch}", Operand: "regexp", RTarget: "^amd" },
  { Operand: "distinct_hosts" },
);

const jobArb = fc.record({
  type: fc.constantFrom("service", "service", "batch", "system"),
  count: fc.integer({ min: 0, max: 8 }),
  cpuMHz: fc.integer({ min: 50, max: 2000 }),
  memoryMB: fc.integer({ min: 32, max: 4096 }),
  diskMB: fc.integer({ min: 10, max: 2000 }),
  cores: fc.constantFrom(0, 0, 0, 1, 2),
  staticPorts: fc.subarray([80, 443, 8080]),
  dynamicPorts: fc.integer({ min: 0, max: 2 }),
  constraint: constraintArb,
  dcs: fc.constantFrom(["dc1"], ["dc2"], ["dc1", "dc2"], ["*"]),
  driver: fc.constantFrom("exec", "exec", "docker"),
});

type NodeSpec = typeof nodeArb extends fc.Arbitrary<infer T> ? T : never;
type JobSpec = typeof jobArb extends fc.Arbitrary<infer T> ? T : never;

function buildNode(spec: NodeSpec, i: number): Node {
  return mockNode({
    id: `n${i}`,
    cpuMHz: spec.cpuMHz,
    memoryMB: spec.memoryMB,
    diskMB: spec.diskMB,
    cores: spec.cores,
    datacenter: spec.dc,
    nodeClass: spec.cls,
    meta: { rack: spec.rack },
    reservedPorts: spec.reserved,
    status: spec.state === "down" ? "down" : "ready",
    eligibility: spec.state === "ineligible" ? "ineligible" : "eligible",
    drivers: spec.docker ? ["exec", "docker"] : ["exec"],
  });
}

function buildJob(spec: JobSpec, i: number): Job {
  const c = spec.constraint;
  const system = spec.type === "system";
  return mockJob({
    id: `j${i}`,
    type: spec.type as Job["Type"],
    count: system ? 1 : spec.count,
    cpuMHz: spec.cpuMHz,
    cores: spec.cores,
    memoryMB: spec.memoryMB,
    diskMB: spec.diskMB,
    staticPorts: spec.staticPorts,
    dynamicPorts: spec.dynamicPorts,
    datacenters: [...spec.dcs],
    driver: spec.driver,
    ...(c === null || (system && c.Operand === "distinct_hosts") ? {} : { groupConstraints: [c] }),
  });
}

const staticallyFeasible = (job: Job, node: Node): boolean => {
  const g = job.TaskGroups[0]!;
  if (!nodeAcceptsPlacements(node) || !datacenterMatcher(job)(node)) return false;
  if (!g.Tasks.every((t) => driverHealthy(node, t.Driver))) return false;
  return job.Constraints.concat(g.Constraints)
    .filter((c) => c.Operand !== "distinct_hosts")
    .every((c) => checkConstraint(c, node));
};

/** The state store's incremental usage must equal a fresh sum (the SchedulerState contract). */
function checkUsageContract(h: Harness): void {
  for (const node of h.state.nodes()) {
    const fresh = computeNodeUsage(h.state.allocsByNode(node.ID));
    const kept = h.state.nodeUsage(node.ID);
    expect([kept.cpuMHz, kept.memoryMB, kept.diskMB]).toEqual([fresh.cpuMHz, fresh.memoryMB, fresh.diskMB]);
    expect([...kept.ports].sort()).toEqual([...fresh.ports].sort());
    expect([...kept.cores].sort()).toEqual([...fresh.cores].sort());
  }
}

function checkNoOvercommit(h: Harness): void {
  const byNode = new Map<string, Allocation[]>();
  for (const a of h.state.allAllocs()) {
    if (a.DesiredStatus !== "run" || ["complete", "failed", "lost"].includes(a.ClientStatus)) continue;
    const l = byNode.get(a.NodeID) ?? [];
    l.push(a);
    byNode.set(a.NodeID, l);
  }
  for (const [nodeID, allocs] of byNode) {
    const node = h.state.nodeByID(nodeID)!;
    const cap = nodeCapacity(node);
    let cpu = 0;
    let mem = 0;
    let disk = 0;
    const ports: number[] = [];
    const cores: number[] = [];
    for (const a of allocs) {
      const ar = a.AllocatedResources!;
      for (const t of Object.values(ar.Tasks)) {
        cpu += t.Cpu.CpuShares;
        mem += t.Memory.MemoryMB;
        cores.push(...t.Cpu.ReservedCores);
      }
      disk += ar.Shared.DiskMB;
      ports.push(...ar.Shared.Ports.map((p) => p.Value));
    }
    expect(cpu, `cpu on ${nodeID}`).toBeLessThanOrEqual(cap.cpuMHz);
    expect(mem, `memory on ${nodeID}`).toBeLessThanOrEqual(cap.memoryMB);
    expect(disk, `disk on ${nodeID}`).toBeLessThanOrEqual(cap.diskMB);
    expect(new Set(ports).size, `port collision on ${nodeID}`).toBe(ports.length);
    expect(new Set(cores).size, `core shared on ${nodeID}`).toBe(cores.length);
    for (const c of cores) expect(cap.reservableCores).toContain(c);
    const reserved = new Set(parsePortSpec(node.ReservedResources.Networks.ReservedHostPorts));
    for (const p of ports) expect(reserved.has(p), `reserved port ${p} on ${nodeID}`).toBe(false);
  }
}

describe("scheduler properties on random clusters and jobs", () => {
  it("no over-commit, no port collision, constraints hold, count met when capacity exists, system jobs everywhere, usage index exact", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(nodeArb, { minLength: 1, maxLength: 10 }),
        fc.array(jobArb, { minLength: 1, maxLength: 4 }),
        fc.integer(),
        async (nodeSpecs, jobSpecs, seed) => {
          const h = new Harness({ seed });
          nodeSpecs.forEach((s, i) => h.state.upsertNode(buildNode(s, i)));
          for (const [i, spec] of jobSpecs.entries()) {
            const job = h.state.upsertJob(buildJob(spec, i));
            const res = await h.process(mockEval(job));
            const g = job.TaskGroups[0]!;
            const mine = liveAllocs(h.state.allocsByJob("default", job.ID));
            const distinct = g.Constraints.some((c) => c.Operand === "distinct_hosts");

            for (const a of mine) {
              const node = h.state.nodeByID(a.NodeID)!;
              expect(staticallyFeasible(job, node), `alloc ${a.Name} on infeasible node ${node.ID}`).toBe(
                true,
              );
            }
            if (distinct) expect(new Set(mine.map((a) => a.NodeID)).size).toBe(mine.length);

            const queued = res.evaluation.QueuedAllocations[g.Name] ?? 0;
            if (job.Type !== "system") {
              expect(mine.length + queued).toBe(g.Count);
            }
            // Capacity existed => placed: when something is queued, no feasible node can take one more.
            if (queued > 0 && job.Type !== "system") {
              const ask = groupAsk(g);
              for (const node of h.state.nodes()) {
                if (!staticallyFeasible(job, node)) continue;
                if (distinct && mine.some((a) => a.NodeID === node.ID)) continue;
                expect(
                  checkFit(node, h.state.nodeUsage(node.ID), ask),
                  `room left on ${node.ID}`,
                ).not.toBeNull();
              }
            }
            if (job.Type === "system") {
              const ask = groupAsk(g);
              for (const node of h.state.nodes()) {
                if (!staticallyFeasible(job, node)) continue;
                const here = mine.filter((a) => a.NodeID === node.ID).length;
                if (here === 0)
                  expect(
                    checkFit(node, h.state.nodeUsage(node.ID), ask),
                    `system job missing on ${node.ID}`,
                  ).not.toBeNull();
                else expect(here).toBe(1);
              }
            }
          }
          checkNoOvercommit(h);
          checkUsageContract(h);

          // Then a node fails: lost allocations are replaced and nothing is over-committed.
          const victim = h.state.nodes().find((n) => n.Status === "ready");
          if (victim !== undefined) {
            h.state.updateNode(victim.ID, { Status: "down" });
            for (const [i] of jobSpecs.entries()) {
              const job = h.state.jobByID("default", `j${i}`)!;
              await h.process(mockEval(job, "node-update"));
              const mine = liveAllocs(h.state.allocsByJob("default", job.ID));
              expect(mine.some((a) => a.NodeID === victim.ID)).toBe(false);
            }
            checkNoOvercommit(h);
            checkUsageContract(h);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
