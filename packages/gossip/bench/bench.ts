// Benchmark: the measures of ../../../shared/bench/serf (form, +1 join, failure after kill -9,
// graceful leave, user event to everyone, idle CPU and RSS) on N gossip-agent processes, and
// simulated clusters on the virtual clock. Prints one JSON line per scenario.
//   pnpm --filter @nomad/gossip bench [--sizes 5,20,50] [--runs 1] [--sim 1000,10000] [--profile lan]
//     [--sim-wire] [--sim-max-wall-s 600] [--events 40 --event-gap-ms 500]
//     (--sizes "" runs the simulator alone)
import { spawn, type ChildProcess } from "node:child_process";
import { build } from "esbuild";
import { readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { simulate } from "./simulate.js";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "5,20,50" },
    runs: { type: "string", default: "1" },
    sim: { type: "string", default: "1000" },
    // run the simulator through the real codec (every packet encoded and decoded)
    "sim-wire": { type: "boolean", default: false },
    "sim-max-wall-s": { type: "string", default: "600" },
    "sim-max-heap-mib": { type: "string", default: "6000" },
    // "storm": all join one seed at time 0; "staggered": one join every --sim-stagger-ms
    "sim-join": { type: "string", default: "storm" },
    "sim-stagger-ms": { type: "string", default: "10" },
    "sim-progress-s": { type: "string", default: "0" },
    // kill the victim after this many virtual seconds even if not converged
    "sim-converge-max-s": { type: "string", default: "1800" },
    profile: { type: "string", default: "lan" },
    "retransmit-floor": { type: "string", default: "0" },
    "base-port": { type: "string", default: "24000" },
    // more user events per cluster after the first (rotating origins, --event-gap-ms apart), as
    // measure.py --event-trials: one event's max latency spreads over ~2 gossip rounds, so
    // single events cannot tell two implementations apart within 10 %
    events: { type: "string", default: "1" },
    "event-gap-ms": { type: "string", default: "500" },
    // "compiled": bundle the example once (esbuild) and run agents on plain node (what a user ships);
    // "tsx": transpile at start-up (slower start, ~30 MiB more RSS)
    runner: { type: "string", default: "compiled" },
  },
});
const pkgDir = fileURLToPath(new URL("../", import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now() / 1000;

interface Agent {
  name: string;
  bind: number;
  http: number;
  proc: ChildProcess;
  /** event type -> member name -> first time seen (s) */
  seen: Map<string, Map<string, number>>;
}

const compiled = values.runner === "compiled" && values.sizes !== "";
if (compiled) {
  // One bundled file, as a user ships an agent: Node's ESM loader then reads one file instead of
  // ~130 modules (~90 of them zod's: ~6 MiB more RSS per agent unbundled, ~1 MiB bundled). The
  // workspace's sources come in through the @nomad/source condition (no dist needed), and the
  // dependencies (zod) are bundled in with them.
  await build({
    entryPoints: [`${pkgDir}examples/gossip-agent.ts`],
    outfile: `${pkgDir}.bench-build/gossip-agent.mjs`,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["@nomad/source"],
    logLevel: "warning",
  });
}

function startAgent(i: number, base: number, join: string | null): Agent {
  const name = `g${i}`;
  const bind = base + i;
  const http = base + 1000 + i;
  const entry = compiled
    ? [".bench-build/gossip-agent.mjs"]
    : ["--import", "tsx", "--conditions=@nomad/source", "examples/gossip-agent.ts"];
  const args = [...entry, "--node", name];
  args.push("--bind", `127.0.0.1:${bind}`, "--http", `127.0.0.1:${http}`, "--profile", values.profile);
  args.push("--retransmit-floor", values["retransmit-floor"]);
  if (join !== null) args.push("--join", join);
  const proc = spawn(process.execPath, args, { cwd: pkgDir, stdio: ["ignore", "pipe", "inherit"] });
  const a: Agent = { name, bind, http, proc, seen: new Map() };
  let buf = "";
  proc.stdout?.on("data", (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split("\n");
    buf = lines.pop() ?? "";
    const t = now();
    for (const l of lines) {
      try {
        const e = JSON.parse(l) as { type: string; name?: string; members?: { Name: string }[] };
        const key = e.type === "user" ? `user:${e.name}` : e.type;
        const m = a.seen.get(key) ?? new Map<string, number>();
        for (const who of e.members?.map((x) => x.Name) ?? [e.name ?? ""]) if (!m.has(who)) m.set(who, t);
        a.seen.set(key, m);
      } catch {
        // not an event line
      }
    }
  });
  return a;
}

async function httpUp(a: Agent, timeoutS: number): Promise<void> {
  const end = now() + timeoutS;
  while (now() < end) {
    try {
      if ((await fetch(`http://127.0.0.1:${a.http}/members`)).ok) return;
    } catch {
      // not yet
    }
    await sleep(50);
  }
  throw new Error(`${a.name} did not start`);
}

async function waitAll(pred: () => boolean, timeoutS: number): Promise<boolean> {
  const end = now() + timeoutS;
  while (now() < end) {
    if (pred()) return true;
    await sleep(20);
  }
  return pred();
}

function procStats(pid: number): { cpuTicks: number; rssMiB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  const cpuTicks = Number(stat[11]) + Number(stat[12]);
  const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return { cpuTicks, rssMiB: Number(rss?.[1] ?? 0) / 1024 };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : (s[Math.min(s.length - 1, Math.floor(p * s.length))] as number);
};
const r2 = (x: number) => Math.round(x * 100) / 100;

/**
 * `count` more user events from rotating origins, `gapMs` apart, without waiting in between
 * (measure.py's --event-trials); then up to 40 s for the stragglers (push/pull repairs). Per
 * event: the latest arrival at the other members, from just before its POST.
 */
async function eventTrials(agents: Agent[], run: number, count: number, gapMs: number) {
  if (count <= 0) return {};
  const sent: { ev: string; origin: Agent; t: number }[] = [];
  for (let k = 1; k <= count; k++) {
    const origin = agents[k % agents.length] as Agent;
    const ev = `bench${run}-${k}`;
    const t = now();
    await fetch(`http://127.0.0.1:${origin.http}/event`, {
      method: "POST",
      body: JSON.stringify({ name: ev, payload: "x" }),
    });
    sent.push({ ev, origin, t });
    await sleep(gapMs);
  }
  const arrivals = (s: (typeof sent)[number]) =>
    agents
      .filter((a) => a !== s.origin)
      .map((a) => (a.seen.get(`user:${s.ev}`)?.get(s.ev) ?? Infinity) - s.t);
  await waitAll(() => sent.every((s) => arrivals(s).every((x) => x < Infinity)), 40);
  const maxes = sent.map((s) => Math.max(...arrivals(s)));
  const p50s = sent.map((s) => pct(arrivals(s), 0.5));
  return {
    event_trials: count,
    event_trials_max_p50_s: r2(pct(maxes, 0.5)),
    event_trials_max_p90_s: r2(pct(maxes, 0.9)),
    event_trials_p50_p50_s: r2(pct(p50s, 0.5)),
    event_trials_late_gt5s: sent.reduce((c, s) => c + arrivals(s).filter((x) => x > 5).length, 0),
  };
}

async function cluster(n: number, run: number): Promise<void> {
  const base = Number(values["base-port"]) + run * 200;
  const agents: Agent[] = [];
  try {
    agents.push(startAgent(0, base, null));
    await httpUp(agents[0] as Agent, 60);
    const seed = `127.0.0.1:${base}`;
    let t0 = 0;
    for (let i = 1; i < n; i++) {
      t0 = now();
      agents.push(startAgent(i, base, seed));
    }
    const names = agents.map((a) => a.name);
    const joinedAll = (a: Agent) => names.every((x) => a.seen.get("member-join")?.has(x));
    if (!(await waitAll(() => agents.every(joinedAll), 300))) throw new Error("cluster did not form");
    const formTimes = agents.map(
      (a) => Math.max(...names.map((x) => a.seen.get("member-join")?.get(x) ?? 0)) - t0,
    );
    // Idle CPU / RSS over two 10 s windows: 5-15 s after forming (Serf's measure.py samples
    // about then; for Node it still includes V8's background JIT compiling the hot paths) and
    // 25-35 s (warm: what an idle agent costs for the rest of its life). Go has no warm-up.
    const idleWindow = async (): Promise<{ cpu: number[]; rss: number[] }> => {
      const before = agents.map((a) => procStats(a.proc.pid as number));
      await sleep(10_000);
      const after = agents.map((a) => procStats(a.proc.pid as number));
      const hz = 100;
      const cpu = after.map(
        (s, i) => ((s.cpuTicks - (before[i] as { cpuTicks: number }).cpuTicks) / hz / 10) * 100,
      );
      return { cpu, rss: after.map((s) => s.rssMiB) };
    };
    await sleep(5000);
    const early = await idleWindow();
    await sleep(10_000);
    const warm = await idleWindow();
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    // user event from g0 to everyone
    const ev = `bench${run}`;
    const te = now();
    await fetch(`http://127.0.0.1:${agents[0]?.http}/event`, {
      method: "POST",
      body: JSON.stringify({ name: ev, payload: "x" }),
    });
    const others = agents.slice(1);
    await waitAll(() => others.every((a) => a.seen.has(`user:${ev}`)), 60);
    const evTimes = others.map((a) => (a.seen.get(`user:${ev}`)?.get(ev) ?? Infinity) - te);
    const trials = await eventTrials(agents, run, Number(values.events) - 1, Number(values["event-gap-ms"]));
    // failure: kill -9 the last agent
    const victim = agents[n - 1] as Agent;
    const survivors = agents.slice(0, n - 1);
    const tf = now();
    victim.proc.kill("SIGKILL");
    await waitAll(() => survivors.every((a) => a.seen.get("member-failed")?.has(victim.name)), 120);
    const failTimes = survivors.map((a) => (a.seen.get("member-failed")?.get(victim.name) ?? Infinity) - tf);
    // graceful leave of the next-to-last
    const leaver = agents[n - 2] as Agent;
    const stay = agents.slice(0, n - 2);
    const tl = now();
    await fetch(`http://127.0.0.1:${leaver.http}/leave`, { method: "POST" });
    await waitAll(() => stay.every((a) => a.seen.get("member-leave")?.has(leaver.name)), 60);
    const leaveTimes = stay.map((a) => (a.seen.get("member-leave")?.get(leaver.name) ?? Infinity) - tl);
    // +1 join: a fresh agent
    const tj = now();
    const fresh = startAgent(n, base, seed);
    agents.push(fresh);
    await waitAll(() => stay.every((a) => a.seen.get("member-join")?.has(fresh.name)), 120);
    const joinTimes = stay.map((a) => (a.seen.get("member-join")?.get(fresh.name) ?? Infinity) - tj);
    console.log(
      JSON.stringify({
        scenario: "processes",
        n,
        run,
        profile: values.profile,
        runner: values.runner,
        retransmitFloor: Number(values["retransmit-floor"]),
        form_max_s: r2(Math.max(...formTimes)),
        form_p50_s: r2(pct(formTimes, 0.5)),
        join1_max_s_incl_startup: r2(Math.max(...joinTimes)),
        fail_max_s: r2(Math.max(...failTimes)),
        fail_p50_s: r2(pct(failTimes, 0.5)),
        leave_max_s: r2(Math.max(...leaveTimes)),
        leave_p50_s: r2(pct(leaveTimes, 0.5)),
        event_max_s: r2(Math.max(...evTimes)),
        event_p50_s: r2(pct(evTimes, 0.5)),
        ...trials,
        idle_cpu_pct_per_agent: r2(mean(early.cpu)),
        idle_cpu_pct_per_agent_warm: r2(mean(warm.cpu)),
        idle_cpu_pct_per_agent_warm_p50: r2(pct(warm.cpu, 0.5)),
        rss_mib_per_agent: r2(mean(early.rss)),
        rss_mib_per_agent_warm: r2(mean(warm.rss)),
        rss_mib_per_agent_warm_max: r2(Math.max(...warm.rss)),
      }),
    );
  } finally {
    for (const a of agents) if (a.proc.exitCode === null) a.proc.kill("SIGKILL");
    await sleep(500);
  }
}

for (const n of values.sim
  .split(",")
  .filter((x) => x !== "")
  .map(Number)) {
  const result = simulate({
    n,
    wire: values["sim-wire"] === true,
    join: values["sim-join"] === "staggered" ? "staggered" : "storm",
    staggerMs: Number(values["sim-stagger-ms"]),
    maxWallS: Number(values["sim-max-wall-s"]),
    maxHeapMiB: Number(values["sim-max-heap-mib"]),
    progressEveryS: Number(values["sim-progress-s"]),
    convergeMaxS: Number(values["sim-converge-max-s"]),
  });
  console.log(JSON.stringify(result));
}
try {
  for (const n of values.sizes
    .split(",")
    .filter((x) => x !== "")
    .map(Number)) {
    for (let run = 0; run < Number(values.runs); run++) await cluster(n, run);
  }
} finally {
  // the compiled agent lives next to the package only while the bench runs (lint/format skip it then)
  if (compiled) rmSync(`${pkgDir}.bench-build`, { recursive: true, force: true });
}
