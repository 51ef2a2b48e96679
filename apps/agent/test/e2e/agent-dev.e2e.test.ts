import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  AgentProcess,
  freePorts,
  isAlive,
  killProcessesUnder,
  nomad,
  portsConfig,
  tempDir,
} from "./agent-process.js";
import { RAW_EXEC_PLUGIN, tickerJob } from "./jobs.js";

interface AllocStub {
  ID: string;
  ClientStatus: string;
  DesiredStatus: string;
  TaskStates: Record<string, { State: string; Restarts: number; Events: Array<{ Type: string }> }> | null;
}

const agents: AgentProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop("SIGKILL");
  for (const d of dirs.splice(0)) {
    killProcessesUnder(d);
    rmSync(d, { recursive: true, force: true });
  }
});

function scratch(prefix: string): string {
  const d = tempDir(prefix);
  dirs.push(d);
  return d;
}

async function runningAlloc(agent: AgentProcess, job: string): Promise<AllocStub> {
  return agent.until(`a running allocation of ${job}`, async () => {
    const allocs = await agent.get<AllocStub[]>(`/v1/job/${job}/allocations`);
    return allocs.find((a) => a.ClientStatus === "running");
  });
}

function taskPid(dataOrAllocDir: string, allocID: string): number {
  return Number(readFileSync(join(dataOrAllocDir, allocID, "ticker", "local", "pid"), "utf8").trim());
}

describe("nomad agent, end to end", { timeout: 240_000 }, () => {
  it("runs a raw_exec job from an HCL file, shows its logs, and stops it", async () => {
    const dir = scratch("nomad-e2e-dev-");
    const ports = await freePorts();
    const agent = AgentProcess.start(["-dev", `-config=${portsConfig(dir, ports)}`], ports);
    agents.push(agent);
    await agent.ready();
    expect(agent.stdout).toContain("==> Nomad agent started! Log data will stream in below:");

    const run = await nomad(agent.address, ["job", "run", tickerJob(dir)]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/==> .*Monitoring evaluation "[0-9a-f]{8}"/);
    expect(run.stdout).toMatch(/Evaluation "[0-9a-f]{8}" finished with status "complete"/);

    const alloc = await runningAlloc(agent, "ticker");
    const status = await nomad(agent.address, ["job", "status", "ticker"]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/Status\s+= running/);
    expect(status.stdout).toContain(alloc.ID.slice(0, 8));

    const logs = await agent.until("the task's output in nomad alloc logs", async () => {
      const r = await nomad(agent.address, ["alloc", "logs", alloc.ID.slice(0, 8)]);
      return r.code === 0 && r.stdout.includes("tick 3") ? r : undefined;
    });
    expect(logs.stdout.startsWith("hello-from-task\n")).toBe(true);

    const stop = await nomad(agent.address, ["job", "stop", "ticker"]);
    expect(stop.code, stop.stdout + stop.stderr).toBe(0);
    await agent.until("the allocation to stop", async () => {
      const a = await agent.get<AllocStub>(`/v1/allocation/${alloc.ID}`);
      return a.ClientStatus === "complete" && a.DesiredStatus === "stop" ? true : undefined;
    });
    const job = await agent.get<{ Status: string; Stop: boolean }>("/v1/job/ticker");
    expect(job).toMatchObject({ Stop: true, Status: "dead" });
  });

  it("a server restarted from its data dir (non-dev) still has the job", async () => {
    const dir = scratch("nomad-e2e-restart-");
    const ports = await freePorts();
    const args = [
      "-server",
      "-client",
      "-bind=127.0.0.1",
      "-bootstrap-expect=1",
      `-data-dir=${join(dir, "data")}`,
      `-config=${portsConfig(dir, ports, RAW_EXEC_PLUGIN)}`,
    ];
    const first = AgentProcess.start(args, ports);
    agents.push(first);
    await first.ready();
    const run = await nomad(first.address, ["job", "run", tickerJob(dir)]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    await runningAlloc(first, "ticker");
    first.child.kill("SIGINT");
    expect((await first.exited).code).toBe(1); // Nomad: an interrupt without leave_on_interrupt exits 1
    expect(first.stdout).toContain("==> Caught signal: interrupt");

    const second = AgentProcess.start(args, ports);
    agents.push(second);
    await second.ready();
    const status = await nomad(second.address, ["job", "status", "ticker"]);
    expect(status.code, status.stdout + status.stderr).toBe(0);
    expect(status.stdout).toMatch(/ID\s+= ticker/);
    await runningAlloc(second, "ticker");
    await nomad(second.address, ["job", "stop", "-purge", "ticker"]);
  });

  it("re-attaches to a raw_exec task that outlived a SIGKILLed agent instead of starting it again", async () => {
    const dir = scratch("nomad-e2e-reattach-");
    const ports = await freePorts();
    const dataDir = join(dir, "data");
    const args = [
      "-server",
      "-client",
      "-bind=127.0.0.1",
      "-bootstrap-expect=1",
      `-data-dir=${dataDir}`,
      `-config=${portsConfig(dir, ports, RAW_EXEC_PLUGIN)}`,
    ];
    const first = AgentProcess.start(args, ports);
    agents.push(first);
    await first.ready();
    expect((await nomad(first.address, ["job", "run", tickerJob(dir)])).code).toBe(0);
    const alloc = await runningAlloc(first, "ticker");
    const allocDir = join(dataDir, "alloc");
    const pid = await first.until("the task's pid file", async () => {
      const p = taskPid(allocDir, alloc.ID);
      return Number.isInteger(p) && p > 0 ? p : undefined;
    });

    await first.stop("SIGKILL");
    expect(await first.httpGone()).toBe(true); // the agent itself is gone
    expect(isAlive(pid)).toBe(true); // the task does not depend on the agent
    const logFile = join(allocDir, alloc.ID, "alloc", "logs", "ticker.stdout.0");
    const sizeWhileDown = readFileSync(logFile).length;
    await new Promise((r) => setTimeout(r, 1000));
    expect(readFileSync(logFile).length).toBeGreaterThan(sizeWhileDown); // logs still collected

    const second = AgentProcess.start(args, ports);
    agents.push(second);
    await second.ready();
    const after = await runningAlloc(second, "ticker");
    expect(after.ID).toBe(alloc.ID);
    expect(taskPid(allocDir, alloc.ID)).toBe(pid);
    expect(isAlive(pid)).toBe(true);
    const task = after.TaskStates?.["ticker"];
    expect(task?.Restarts).toBe(0);
    expect(task?.Events.filter((e) => e.Type === "Started")).toHaveLength(1);

    const logs = await nomad(second.address, ["alloc", "logs", alloc.ID]);
    expect(logs.stdout.match(/^hello-from-task$/gm)).toHaveLength(1); // started once
    const stop = await nomad(second.address, ["job", "stop", "-purge", "ticker"]);
    expect(stop.code).toBe(0);
    await second.until("the task to be killed", async () => (isAlive(pid) ? undefined : true));
  });
});
