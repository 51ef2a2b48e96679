// GC planning benchmark: one JSON line per scenario.
//   pnpm --filter @nomad/gc bench                 all scenarios
//   pnpm --filter @nomad/gc bench eval-gc force-gc  some, by name
// Builds one state of 10,000 nodes, 100,000 jobs, 1,000,000 evaluations and 1,000,000
// allocations (plus 50,000 deployments), then computes each core job's plan against it.
// Reported per scenario: wall and CPU milliseconds (the machine is shared, so CPU time is
// the honest single-core figure), the heap and RSS growth while computing (what GC costs
// beyond the state it reads), and what the plan selected.
import { cpus, loadavg } from "node:os";
import {
  computeGcPlan,
  parseServerGcConfig,
  type GcAlloc,
  type GcJob,
  type GcTaskGroup,
} from "../src/index.js";
import { fixedClock, MemoryGcState } from "../src/testing.js";

const NODES = 10_000;
const JOBS = 100_000;
const EVALS_PER_JOB = 10; // 1,000,000 evaluations
const ALLOCS_PER_JOB = 10; // 1,000,000 allocations, one per evaluation
const DEPLOYMENTS = 50_000;
const PERIODIC_PARENTS = 1_000;
const CHILDREN_PER_PARENT = 10;

const H = 3600e9;
const NOW = 1_767_225_600e9;
const gc = (globalThis as { gc?: () => void }).gc;
const MB = 1024 * 1024;

// Deterministic PRNG (mulberry32): the same state on every run.
let seed = 42;
function rand(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const hex = (n: number, width: number): string => n.toString(16).padStart(width, "0").slice(-width);
/**
 * UUID-shaped IDs, 36 characters like Nomad's, so the strings cost what real ones do.
 * Written into a buffer and decoded once: a template literal would leave a rope of nine
 * pieces behind every ID and inflate the state.
 */
const idBuf = Buffer.alloc(36);
function uuid(kind: number, i: number): string {
  const r = Math.floor(rand() * 0xffffffff);
  const text = `${hex(r, 8)}-${hex(kind, 4)}-4${hex(i >>> 24, 3)}-8${hex(i >>> 12, 3)}-${hex(i, 6)}${hex(r >>> 8, 6)}`;
  idBuf.write(text, 0, "latin1");
  return idBuf.toString("latin1", 0, 36);
}
const hoursAgo = (lo: number, hi: number): number => NOW - (lo + rand() * (hi - lo)) * H;

const TASK_GROUPS: readonly GcTaskGroup[] = [
  { Name: "web", ReschedulePolicy: { Attempts: 0, Interval: 0, Unlimited: true } },
];
const BATCH_GROUPS: readonly GcTaskGroup[] = [
  { Name: "web", ReschedulePolicy: { Attempts: 1, Interval: 24 * H, Unlimited: false } },
];
const PERIODIC = { Enabled: true };

function memory(): { heap: number; rss: number } {
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

function buildState(): MemoryGcState {
  const s = new MemoryGcState();
  const nodeIDs: string[] = [];
  const nodeDown: boolean[] = [];
  for (let i = 0; i < NODES; i++) {
    const id = uuid(1, i);
    nodeIDs.push(id);
    const down = rand() < 0.05;
    nodeDown.push(down);
    s.upsertNode({ ID: id, Status: down ? "down" : "ready", StatusUpdatedAt: hoursAgo(0, 72) / 1e9 });
  }
  const parents: string[] = [];
  for (let j = 0; j < JOBS; j++) {
    const id = uuid(2, j);
    const r = rand();
    let job: GcJob;
    if (j < PERIODIC_PARENTS) {
      parents.push(id);
      const stopped = rand() < 0.3;
      job = {
        ID: id,
        Namespace: "default",
        Type: "batch",
        Status: stopped ? "dead" : "running",
        Stop: stopped,
        SubmitTime: hoursAgo(0, 96),
        ParentID: "",
        JobModifyIndex: 10,
        TaskGroups: BATCH_GROUPS,
        Periodic: PERIODIC,
      };
    } else if (j < PERIODIC_PARENTS * (1 + CHILDREN_PER_PARENT)) {
      const dead = rand() < 0.9;
      job = {
        ID: id,
        Namespace: "default",
        Type: "batch",
        Status: dead ? "dead" : "running",
        Stop: false,
        SubmitTime: hoursAgo(0, 96),
        ParentID: parents[j % PERIODIC_PARENTS] ?? "",
        JobModifyIndex: 10,
        TaskGroups: BATCH_GROUPS,
      };
    } else if (r < 0.6) {
      job = {
        ID: id,
        Namespace: "default",
        Type: "service",
        Status: "running",
        Stop: false,
        SubmitTime: hoursAgo(0, 500),
        ParentID: "",
        JobModifyIndex: 10,
        TaskGroups: TASK_GROUPS,
      };
    } else if (r < 0.8) {
      job = {
        ID: id,
        Namespace: "default",
        Type: "service",
        Status: "dead",
        Stop: true,
        SubmitTime: hoursAgo(0, 12),
        ParentID: "",
        JobModifyIndex: 10,
        TaskGroups: TASK_GROUPS,
      };
    } else {
      const dead = r < 0.95;
      job = {
        ID: id,
        Namespace: "default",
        Type: "batch",
        Status: dead ? "dead" : "running",
        Stop: false,
        SubmitTime: hoursAgo(0, 48),
        ParentID: "",
        JobModifyIndex: 10,
        TaskGroups: BATCH_GROUPS,
      };
    }
    s.upsertJob(job);
    const finished = job.Status === "dead";
    for (let k = 0; k < EVALS_PER_JOB; k++) {
      const evalID = uuid(3, j * EVALS_PER_JOB + k);
      const evalTime = finished ? hoursAgo(0, 30) : hoursAgo(0, 200);
      const pending = !finished && k === EVALS_PER_JOB - 1 && rand() < 0.1;
      s.upsertEval({
        ID: evalID,
        Namespace: "default",
        JobID: id,
        Type: job.Type,
        Status: pending ? "pending" : "complete",
        ModifyTime: evalTime,
      });
      if (k >= ALLOCS_PER_JOB) continue;
      const n = Math.floor(rand() * NODES);
      // Allocations on a down node were marked lost by the scheduler (Nomad does so).
      const onDownNode = nodeDown[n] === true;
      const live = !finished && k >= EVALS_PER_JOB - 3 && !onDownNode;
      const a: GcAlloc = {
        ID: uuid(4, j * ALLOCS_PER_JOB + k),
        Namespace: "default",
        EvalID: evalID,
        JobID: id,
        NodeID: nodeIDs[n] ?? "",
        TaskGroup: "web",
        DesiredStatus: live ? "run" : "stop",
        ClientStatus: live ? "running" : "complete",
        CreateIndex: k < 5 ? 5 : 15,
        ModifyTime: live ? evalTime : Math.min(NOW, evalTime + rand() * H),
        NextAllocation: "",
        DeploymentID: "",
        RescheduleTracker: null,
      };
      s.insertAlloc(a);
    }
    if (j < DEPLOYMENTS && job.Type === "service") {
      s.upsertDeployment({
        ID: uuid(5, j),
        Namespace: "default",
        JobID: id,
        Status: finished || rand() < 0.8 ? "successful" : "running",
        ModifyTime: hoursAgo(0, 48),
      });
    }
  }
  return s;
}

function line(o: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(o)}\n`);
}

const round = (n: number): number => Math.round(n * 10) / 10;

async function main(): Promise<void> {
  const cfg = parseServerGcConfig();
  const clock = fixedClock(NOW);
  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model ?? "?", node: process.version };
  await settle();
  const before = memory();
  const t0 = process.hrtime.bigint();
  const state = buildState();
  const buildMs = Number(process.hrtime.bigint() - t0) / 1e6;
  await settle();
  const built = memory();
  line({
    scenario: "build-state",
    date: new Date().toISOString(),
    loadavg: loadavg().map(round),
    ...machine,
    ...state.sizes(),
    buildMs: Math.round(buildMs),
    stateHeapMB: round((built.heap - before.heap) / MB),
    stateRssMB: round((built.rss - before.rss) / MB),
  });

  const scenarios: { name: string; jobs: string[] }[] = [
    { name: "eval-gc", jobs: ["eval-gc"] },
    { name: "job-gc", jobs: ["job-gc"] },
    { name: "node-gc", jobs: ["node-gc"] },
    { name: "deployment-gc", jobs: ["deployment-gc"] },
    { name: "all-periodic", jobs: ["job-gc", "eval-gc", "deployment-gc", "node-gc"] },
    { name: "force-gc", jobs: ["force-gc"] },
  ];
  const only = process.argv.slice(2);
  for (const sc of scenarios) {
    if (only.length > 0 && !only.includes(sc.name)) continue;
    // Run twice: the first run includes JIT warm-up; the leader runs these every 5 minutes,
    // so the second (warm) run is the steady state.
    const cold = await measure(sc.jobs, state, cfg, clock);
    const warm = await measure(sc.jobs, state, cfg, clock);
    line({
      scenario: sc.name,
      coldWallMs: cold.wallMs,
      coldCpuMs: cold.cpuMs,
      warmWallMs: warm.wallMs,
      warmCpuMs: warm.cpuMs,
      extraHeapPeakMB: Math.max(cold.extraHeapPeakMB, warm.extraHeapPeakMB),
      extraRssPeakMB: Math.max(cold.extraRssPeakMB, warm.extraRssPeakMB),
      planRetainedMB: warm.planRetainedMB,
      ...warm.counts,
      loadavg: loadavg().map(round),
    });
  }
}

interface Measured {
  wallMs: number;
  cpuMs: number;
  extraHeapPeakMB: number;
  extraRssPeakMB: number;
  planRetainedMB: number;
  counts: Record<string, number>;
}

/** gc() returns before the sweeper threads finish; their CPU time must not land in a scenario. */
async function settle(): Promise<void> {
  gc?.();
  await new Promise((resolve) => setTimeout(resolve, 300));
}

async function measure(
  jobs: readonly string[],
  state: MemoryGcState,
  cfg: ReturnType<typeof parseServerGcConfig>,
  clock: ReturnType<typeof fixedClock>,
): Promise<Measured> {
  await settle();
  const m0 = memory();
  const c0 = process.cpuUsage();
  const w0 = process.hrtime.bigint();
  let peakHeap = m0.heap;
  let peakRss = m0.rss;
  const plans = jobs.map((j) => {
    const p = computeGcPlan(j, state, cfg, clock);
    const m = memory();
    peakHeap = Math.max(peakHeap, m.heap);
    peakRss = Math.max(peakRss, m.rss);
    return p;
  });
  const wallMs = Number(process.hrtime.bigint() - w0) / 1e6;
  const cpu = process.cpuUsage(c0);
  gc?.();
  const retained = memory().heap - m0.heap;
  const counts = { nodes: 0, jobs: 0, evals: 0, allocs: 0, deployments: 0, batches: 0 };
  for (const p of plans) {
    counts.nodes += p.counts.nodes;
    counts.jobs += p.counts.jobs;
    counts.evals += p.counts.evals;
    counts.allocs += p.counts.allocs;
    counts.deployments += p.counts.deployments;
    counts.batches += p.batches.length;
  }
  return {
    wallMs: Math.round(wallMs),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    extraHeapPeakMB: round((peakHeap - m0.heap) / MB),
    extraRssPeakMB: round((peakRss - m0.rss) / MB),
    planRetainedMB: round(retained / MB),
    counts,
  };
}

await main();
