// raft-bench: @nomad/raft measured the way bench/raft-go measures hashicorp/raft (see its README):
// 3 nodes in one process over WsTransport on 127.0.0.1, memory or durable (fsync'd) stores,
// 100-byte commands applied by C in-process clients on the leader, nearest-rank percentiles,
// first leader / first apply, failover rounds. Plus "big_log": 1,000,000 entries through a
// durable cluster with default snapshotting, reporting peak RSS. One JSON line per scenario on
// stdout, progress on stderr.
//
//   pnpm --filter @nomad/raft bench                       # everything (about 3 minutes)
//   pnpm --filter @nomad/raft bench --store durable --clients 64 --duration 3 --scenarios load
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parseRaftConfig, type RaftConfigInput } from "../src/runtime/config.js";
import { BenchCluster, sleep, type StoreKind } from "./bench-cluster.js";
import { makeCommand } from "./bench-kv.js";
import { median, percentile, roundMs, Samples } from "./bench-stats.js";

const { values: flags } = parseArgs({
  options: {
    store: { type: "string", default: "memory,durable" },
    clients: { type: "string", default: "1,16,64" },
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "1" },
    size: { type: "string", default: "100" },
    failover: { type: "string", default: "5" },
    settle: { type: "string", default: "1" },
    dir: { type: "string", default: "/var/tmp" },
    scenarios: { type: "string", default: "load,failover,big_log" },
    "log-entries": { type: "string", default: "1000000" },
    "log-clients": { type: "string", default: "64" },
    /** JSON overrides of the RaftNode config (the Go harness's -heartbeat, -election ... flags). */
    config: { type: "string", default: "{}" },
  },
});

const durationS = Number(flags.duration);
const warmupS = Number(flags.warmup);
const size = Number(flags.size);
const rounds = Number(flags.failover);
const settleS = Number(flags.settle);
const scenarios = new Set(flags.scenarios!.split(","));
const stores = flags.store!.split(",").filter(Boolean) as StoreKind[];
const clientCounts = flags.clients!.split(",").filter(Boolean).map(Number);
// Library defaults unless overridden, as the Go harness.
const config = JSON.parse(flags.config!) as RaftConfigInput;
const effective = parseRaftConfig(config);

function loadavg1(): string {
  try {
    return readFileSync("/proc/loadavg", "utf8").split(" ")[0] ?? "";
  } catch {
    return "";
  }
}

function emit(store: string, scenario: string, fields: Record<string, unknown>, la0: string): void {
  const line = {
    impl: "@nomad/raft",
    scenario,
    store,
    fsync: store === "durable",
    nodes: 3,
    cmd_bytes: size,
    node: process.version,
    num_cpu: cpus().length,
    ...fields,
    config: {
      heartbeatTimeoutMs: effective.heartbeatTimeoutMs,
      electionTimeoutMs: effective.electionTimeoutMs,
      commitTimeoutMs: effective.commitTimeoutMs,
      leaderLeaseTimeoutMs: effective.leaderLeaseTimeoutMs,
      maxAppendEntries: effective.maxAppendEntries,
      snapshotThreshold: effective.snapshotThreshold,
      snapshotIntervalMs: effective.snapshotIntervalMs,
      trailingLogs: effective.trailingLogs,
      transport: "WsTransport 127.0.0.1:0",
    },
    timestamp: new Date().toISOString(),
    loadavg_start_end: [la0, loadavg1()],
  };
  process.stdout.write(JSON.stringify(line) + "\n");
}

function log(line: string): void {
  process.stderr.write(`[raft-bench] ${line}\n`);
}

async function runLoad(c: BenchCluster, clients: number, warmupMs: number, durMs: number) {
  let cur = await c.waitLeader(undefined, 30_000);
  let errors = 0;
  const samples = new Samples();
  let sum = 0;
  const start = performance.now();
  const from = start + warmupMs;
  const end = from + durMs;
  const client = async (ci: number) => {
    for (;;) {
      const t0 = performance.now();
      if (t0 >= end) return;
      try {
        await cur.node!.apply(makeCommand(size, ci), { timeoutMs: 10_000 });
      } catch {
        errors++;
        cur = await c.waitLeader(undefined, 5_000).catch(() => cur);
        continue;
      }
      const t1 = performance.now();
      if (t1 >= from && t1 <= end) {
        samples.push(t1 - t0);
        sum += t1 - t0;
      }
    }
  };
  // CPU time of the whole process over the measured window: comparable across noisy runs.
  let cpuFrom: NodeJS.CpuUsage | undefined;
  let cpuTo: NodeJS.CpuUsage | undefined;
  const marks = [
    setTimeout(() => (cpuFrom = process.cpuUsage()), warmupMs),
    setTimeout(() => (cpuTo = process.cpuUsage()), warmupMs + durMs),
  ];
  await Promise.all(Array.from({ length: clients }, (_, i) => client(i)));
  for (const m of marks) clearTimeout(m);
  // The last client may return a moment before the end mark fires.
  cpuTo ??= process.cpuUsage();
  const userUs = cpuFrom !== undefined ? cpuTo.user - cpuFrom.user : undefined;
  const systemUs = cpuFrom !== undefined ? cpuTo.system - cpuFrom.system : undefined;
  const sorted = samples.sorted();
  const n = sorted.length;
  return {
    clients,
    duration_s: durMs / 1000,
    warmup_s: warmupMs / 1000,
    ops: n,
    ops_per_s: Math.round((n / (durMs / 1000)) * 10) / 10,
    p50_ms: roundMs(percentile(sorted, 0.5)),
    p99_ms: roundMs(percentile(sorted, 0.99)),
    max_ms: roundMs(n > 0 ? sorted[n - 1]! : 0),
    mean_ms: roundMs(n > 0 ? sum / n : 0),
    errors,
    // user+system CPU µs per acknowledged op (all 3 nodes and the clients share the process)
    cpu_user_us_per_op: userUs !== undefined && n > 0 ? Math.round(userUs / n) : null,
    cpu_system_us_per_op: systemUs !== undefined && n > 0 ? Math.round(systemUs / n) : null,
  };
}

async function runStore(kind: StoreKind): Promise<void> {
  const la0 = loadavg1();
  const dir = mkdtempSync(join(flags.dir!, "raft-bench-"));
  const c = new BenchCluster(kind, dir, config);
  try {
    // (a) first leader: the clock starts before the transports are bound.
    const t0 = performance.now();
    await c.start();
    const l = await c.waitLeader(undefined, 60_000);
    const firstLeader = performance.now() - t0;
    await c.applyUntilOk(undefined, makeCommand(size, 0), 30_000);
    const firstApply = performance.now() - t0;
    log(
      `${kind}: first leader ${l.id} after ${firstLeader.toFixed(1)} ms, first apply after ${firstApply.toFixed(1)} ms`,
    );
    emit(
      kind,
      "first_leader",
      { first_leader_ms: roundMs(firstLeader), first_apply_ms: roundMs(firstApply) },
      la0,
    );
    await c.waitCaughtUp(10_000);

    // (b) throughput, one phase per client count in the same cluster.
    if (scenarios.has("load")) {
      for (const clients of clientCounts) {
        const la = loadavg1();
        const r = await runLoad(c, clients, warmupS * 1000, durationS * 1000);
        log(
          `${kind} clients=${clients}: ${r.ops_per_s} ops/s, p50 ${r.p50_ms} ms, p99 ${r.p99_ms} ms, errors ${r.errors}`,
        );
        emit(kind, "load", r, la);
        await c.waitCaughtUp(30_000);
      }
    }

    // (c) failover: crash the leader, time a new leader and its first successful apply, restart.
    if (scenarios.has("failover") && rounds > 0) {
      const la = loadavg1();
      const electionMs: number[] = [];
      const applyMs: number[] = [];
      for (let i = 0; i < rounds; i++) {
        if (!(await c.waitCaughtUp(60_000))) throw new Error(`failover ${i + 1}: cluster did not catch up`);
        await sleep(settleS * 1000);
        const old = await c.waitLeader(undefined, 30_000);
        const f0 = performance.now();
        await old.stop();
        const next = await c.waitLeader(old, 60_000);
        const te = performance.now() - f0;
        await c.applyUntilOk(old, makeCommand(size, 0), 60_000);
        const ta = performance.now() - f0;
        electionMs.push(roundMs(te));
        applyMs.push(roundMs(ta));
        log(
          `${kind} failover ${i + 1}: ${old.id} down, ${next.id} leader after ${te.toFixed(1)} ms, apply ok after ${ta.toFixed(1)} ms`,
        );
        await c.restart(old);
      }
      emit(
        kind,
        "failover",
        {
          rounds,
          election_ms: electionMs,
          apply_ms: applyMs,
          median_election_ms: roundMs(median(electionMs)),
          median_apply_ms: roundMs(median(applyMs)),
        },
        la,
      );
    }
  } finally {
    await c.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** 1,000,000 entries through a durable cluster with default snapshotting; peak RSS of the process. */
async function runBigLog(): Promise<void> {
  const la0 = loadavg1();
  const total = Number(flags["log-entries"]);
  const clients = Number(flags["log-clients"]);
  const dir = mkdtempSync(join(flags.dir!, "raft-bench-biglog-"));
  const c = new BenchCluster("durable", dir, config);
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 100);
  try {
    await c.start();
    let cur = await c.waitLeader(undefined, 60_000);
    let done = 0;
    let issued = 0;
    let errors = 0;
    const t0 = performance.now();
    const client = async (ci: number) => {
      while (issued < total) {
        issued++;
        try {
          await cur.node!.apply(makeCommand(size, ci), { timeoutMs: 10_000 });
          done++;
          if (done % 100_000 === 0) {
            log(`big_log: ${done} applied, rss ${(process.memoryUsage.rss() / 2 ** 20).toFixed(0)} MB`);
          }
        } catch {
          errors++;
          issued--;
          cur = await c.waitLeader(undefined, 5_000).catch(() => cur);
        }
      }
    };
    await Promise.all(Array.from({ length: clients }, (_, i) => client(i)));
    const elapsed = (performance.now() - t0) / 1000;
    await c.waitCaughtUp(60_000);
    peak = Math.max(peak, process.memoryUsage.rss());
    const stats = c.nodes.map((n) => n.node!.stats());
    emit(
      "durable",
      "big_log",
      {
        entries: done,
        clients,
        errors,
        seconds: Math.round(elapsed * 10) / 10,
        ops_per_s: Math.round((done / elapsed) * 10) / 10,
        rss_peak_mb: Math.round(peak / 2 ** 20),
        rss_end_mb: Math.round(process.memoryUsage.rss() / 2 ** 20),
        heap_used_end_mb: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
        snapshots_taken: stats.map((s) => s.snapshotsTaken),
        last_snapshot_index: stats.map((s) => s.lastSnapshotIndex),
      },
      la0,
    );
  } finally {
    clearInterval(sampler);
    await c.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  log(
    `@nomad/raft, node ${process.version}, stores=${stores.join(",")}, clients=${clientCounts.join(",")}, ` +
      `duration=${durationS}s warmup=${warmupS}s, scenarios=${[...scenarios].join(",")}`,
  );
  for (const kind of stores) await runStore(kind);
  if (scenarios.has("big_log")) await runBigLog();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    log(`failed: ${(e as Error).stack ?? String(e)}`);
    process.exit(1);
  },
);
