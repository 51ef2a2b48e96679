// Scheduler throughput benchmark: one JSON line per scenario (placements/s, peak memory).
// Run: pnpm --filter @nomad/scheduler bench            (all scenarios)
//      pnpm --filter @nomad/scheduler bench -- c1m     (one scenario by name)
// Everything runs in one process on one core: scheduler + in-memory state + plan applier.
import { performance } from "node:perf_hooks";
import { cpus } from "node:os";
import { Harness, mockEval, mockJob, mockNode } from "../src/testing.js";

interface Scenario {
  name: string;
  nodes: number;
  jobs: number;
  count: number;
  type: "service" | "batch" | "system";
}

const scenarios: Scenario[] = [
  { name: "service-10k-on-5k", nodes: 5_000, jobs: 1, count: 10_000, type: "service" },
  { name: "c1m", nodes: 5_000, jobs: 1_000, count: 1_000, type: "service" },
  { name: "system-on-10k", nodes: 10_000, jobs: 1, count: 1, type: "system" },
];

function run(s: Scenario): Record<string, unknown> {
  const h = new Harness({ seed: 42, scoreMetaDataLimit: 5 });
  for (let i = 0; i < s.nodes; i++) {
    h.state.upsertNode(
      mockNode({
        id: `node-${i}`,
        cpuMHz: 16_000,
        cores: 16,
        memoryMB: 32_768,
        diskMB: 200_000,
        datacenter: `dc${i % 3}`,
      }),
    );
  }
  const jobs = [];
  for (let j = 0; j < s.jobs; j++) {
    jobs.push(
      h.state.upsertJob(
        mockJob({
          id: `job-${j}`,
          type: s.type,
          count: s.count,
          cpuMHz: 50,
          memoryMB: 64,
          diskMB: 10,
          datacenters: ["dc0", "dc1", "dc2"],
        }),
      ),
    );
  }
  let peakRss = process.memoryUsage().rss;
  let peakHeap = process.memoryUsage().heapUsed;
  let placed = 0;
  let unplaced = 0;
  const start = performance.now();
  return (async () => {
    for (const job of jobs) {
      const res = await h.process(mockEval(job));
      for (const p of res.plans) for (const l of Object.values(p.result.NodeAllocation)) placed += l.length;
      unplaced += Object.values(res.evaluation.QueuedAllocations).reduce((a, b) => a + b, 0);
      h.plans.length = 0; // the harness keeps history; the bench measures the scheduler, not that log
      h.results.length = 0;
      h.updatedEvals.length = 0;
      const m = process.memoryUsage();
      if (m.rss > peakRss) peakRss = m.rss;
      if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
    }
    const seconds = (performance.now() - start) / 1000;
    return {
      scenario: s.name,
      nodes: s.nodes,
      jobs: s.jobs,
      countPerJob: s.count,
      placed,
      unplaced,
      seconds: Number(seconds.toFixed(2)),
      placementsPerSecond: Math.round(placed / seconds),
      peakRssMB: Math.round(peakRss / 2 ** 20),
      peakHeapMB: Math.round(peakHeap / 2 ** 20),
      date: new Date().toISOString(),
      node: process.version,
      cpu: cpus()[0]?.model ?? "unknown",
    };
  })() as unknown as Record<string, unknown>;
}

const only = process.argv.slice(2).filter((a) => a !== "--");
for (const s of scenarios) {
  if (only.length > 0 && !only.includes(s.name)) continue;
  console.log(JSON.stringify(await (run(s) as unknown as Promise<Record<string, unknown>>)));
}
