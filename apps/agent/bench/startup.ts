// `pnpm --filter @nomad/agent bench`: time from exec of `nomad agent -dev` (no config file, so on
// Nomad's default ports 4646-4648, which must be free) until a leader exists and the node is
// `ready` (polled over the HTTP API every 5 ms), then the idle RSS after 15 s.
// `--config-file` adds an HCL config (free ports picked), which also pays for the HCL parser.
// Runs the compiled agent (`bin/nomad.js` -> dist/), as a user would; build first (`pnpm build`).
// One JSON line per run, then a summary line.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const agentDir = fileURLToPath(new URL("..", import.meta.url));
const bin = join(agentDir, "bin", "nomad.js");
const runs = Number(process.argv.find((a) => a.startsWith("--runs="))?.slice(7) ?? 5);
const idleMs = Number(process.argv.find((a) => a.startsWith("--idle-ms="))?.slice(10) ?? 15_000);

if (!existsSync(join(agentDir, "dist", "main.js"))) {
  console.error("apps/agent/dist is missing: run `pnpm build` first");
  process.exit(1);
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a !== null ? a.port : 0));
    });
  });
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function poll(url: string, ok: (body: unknown) => boolean): Promise<void> {
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok && ok(await res.json())) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

const withConfig = process.argv.includes("--config-file");

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer()
      .once("error", () => resolve(false))
      .listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

if (!withConfig) {
  for (const p of [4646, 4647, 4648]) {
    if (!(await portFree(p))) {
      console.error(`port ${p} is busy: stop the agent using it, or pass --config-file`);
      process.exit(1);
    }
  }
}

const results: Array<{ readyMs: number; leaderMs: number; rssMiB: number }> = [];
for (let i = 0; i < runs; i++) {
  const dir = mkdtempSync(join(tmpdir(), "nomad-bench-"));
  const [http, rpc, serf] = withConfig
    ? [await freePort(), await freePort(), await freePort()]
    : [4646, 4647, 4648];
  const cfg = join(dir, "ports.hcl");
  writeFileSync(cfg, `ports {\n  http = ${http}\n  rpc = ${rpc}\n  serf = ${serf}\n}\n`);
  const args = withConfig ? ["agent", "-dev", `-config=${cfg}`] : ["agent", "-dev"];
  const t0 = performance.now();
  const child = spawn(process.execPath, [bin, ...args], { stdio: "ignore" });
  const base = `http://127.0.0.1:${http}`;
  await poll(`${base}/v1/status/leader`, (b) => typeof b === "string" && b !== "");
  const leaderMs = performance.now() - t0;
  await poll(
    `${base}/v1/nodes`,
    (b) => Array.isArray(b) && b.some((n: { Status?: string }) => n.Status === "ready"),
  );
  const readyMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, idleMs));
  const rss = rssMiB(child.pid ?? 0);
  child.kill("SIGKILL");
  await new Promise((r) => child.on("exit", r));
  rmSync(dir, { recursive: true, force: true });
  const r = {
    readyMs: Math.round(readyMs),
    leaderMs: Math.round(leaderMs),
    rssMiB: Math.round(rss * 10) / 10,
  };
  results.push(r);
  console.log(JSON.stringify({ scenario: "agent-dev-startup", run: i + 1, ...r }));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
console.log(
  JSON.stringify({
    scenario: "agent-dev-startup-summary",
    configFile: withConfig,
    runs,
    readyMsMedian: median(results.map((r) => r.readyMs)),
    readyMsMax: Math.max(...results.map((r) => r.readyMs)),
    leaderMsMedian: median(results.map((r) => r.leaderMs)),
    idleRssMiBMedian: median(results.map((r) => r.rssMiB)),
    idleRssMiBMax: Math.max(...results.map((r) => r.rssMiB)),
  }),
);
