// Scheduler throughput benchmark: one JSON line per scenario.
//   pnpm --filter @nomad/scheduler bench               all scenarios
//   pnpm --filter @nomad/scheduler bench c1m           one scenario by name
// One process, one thread: scheduler + in-memory state store + plan applier (Harness).
// Reported: placements per wall-clock second and per CPU second (the machine is shared, so
// CPU time is the honest "one core" figure), peak RSS / heap, and the heap retained after a
// full GC (what the allocations really cost).
import { spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
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

const gc = (globalThis as { gc?: () => void }).gc;

async function run(s: Scenario): Promise<Record<string, unknown>> {
  const h = new Harness({ seed: 42 });
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
    const job = mockJob({
      id: `job-${j}`,
      type: s.type,
      count: s.count,
      cpuMHz: 50,
      memoryMB: 64,
      diskMB: 10,
      datacenters: ["dc0", "dc1", "dc2"],
    });
    jobs.push(h.state.upsertJob(job));
  }
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let peakRss = process.memoryUsage().rss;
  let peakHeap = heapBefore;
  let placed = 0;
  let unplaced = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const job of jobs) {
    const res = await h.process(mockEval(job));
    for (const p of res.plans) for (const l of Object.values(p.result.NodeAllocation)) placed += l.length;
    for (const n of Object.values(res.evaluation.QueuedAllocations)) unplaced += n;
    // The harness keeps a log of plans and evals for assertions; the bench measures the scheduler and state.
    h.plans.length = 0;
    h.results.length = 0;
    h.updatedEvals.length = 0;
    const m = process.memoryUsage();
    if (m.rss > peakRss) peakRss = m.rss;
    if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
  }
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(cpu0);
  const cpuSeconds = (c.user + c.system) / 1e6;
  gc?.();
  const retained = process.memoryUsage().heapUsed - heapBefore;
  return {
    scenario: s.name,
    nodes: s.nodes,
    jobs: s.jobs,
    countPerJob: s.count,
    placed,
    unplaced,
    wallSeconds: Number(wall.toFixed(2)),
    cpuSeconds: Number(cpuSeconds.toFixed(2)),
    placementsPerWallSecond: Math.round(placed / wall),
    placementsPerCpuSecond: Math.round(placed / cpuSeconds),
    peakRssMB: Math.round(peakRss / 2 ** 20),
    peakHeapMB: Math.round(peakHeap / 2 ** 20),
    retainedHeapMB: gc === undefined ? null : Math.round(retained / 2 ** 20),
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? "unknown",
  };
}

// Each scenario runs in its own child process so peak RSS belongs to that scenario alone.
const only = process.argv.slice(2).filter((a) => a !== "--");
if (only.length === 0) {
  for (const s of scenarios) {
    const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), s.name], {
      stdio: ["ignore", "inherit", "inherit"],
    });
    if (child.status !== 0) process.exitCode = 1;
  }
} else {
  for (const s of scenarios) if (only.includes(s.name)) console.log(JSON.stringify(await run(s)));
}
