// Signals delivered to a real `nomad agent -dev` process (real server and client behind it).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const agentDir = fileURLToPath(new URL("../..", import.meta.url));

class Agent {
  out = "";
  readonly exited: Promise<number | null>;
  constructor(readonly child: ChildProcess) {
    child.stdout?.on("data", (d: Buffer) => (this.out += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (this.out += d.toString()));
    this.exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  }
  /** Polls the output until it matches (the agent prints as it goes). */
  async waitFor(re: RegExp, timeoutMs = 90_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = re.exec(this.out);
      if (m !== null) return m;
      if (this.child.exitCode !== null || Date.now() > deadline)
        throw new Error(`no ${String(re)} in:\n${this.out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

let dir: string;
const agents: Agent[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "agent-signals-"));
});
afterEach(async () => {
  for (const a of agents.splice(0)) {
    if (a.child.exitCode === null && a.child.signalCode === null) a.child.kill("SIGKILL");
    await a.exited;
  }
  await rm(dir, { recursive: true, force: true });
});

async function startDev(extraConfig = ""): Promise<{ agent: Agent; http: string }> {
  const cfg = join(dir, "agent.hcl");
  await writeFile(cfg, `ports {\n  http = 0\n  rpc = 0\n  serf = 0\n}\n${extraConfig}`);
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=@nomad/source", "src/main.ts", "agent", "-dev", `-config=${cfg}`],
    {
      cwd: agentDir,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const agent = new Agent(child);
  agents.push(agent);
  const m = await agent.waitFor(/Bind Addrs: HTTP: \[([^\]]+)\]/);
  await agent.waitFor(/==> Nomad agent started! Log data will stream in below:\n\n/);
  return { agent, http: `http://${m[1]!}` };
}

describe("nomad agent -dev and signals (real process)", { timeout: 240_000 }, () => {
  it("SIGHUP reloads and keeps serving; SIGINT then stops it with exit code 1", async () => {
    const { agent, http } = await startDev();
    agent.child.kill("SIGHUP");
    await agent.waitFor(/==> Caught signal: hangup\n==> Reloading configuration...\n/);
    await agent.waitFor(/reloaded configuration: log_level=DEBUG/);
    expect((await fetch(`${http}/v1/agent/health`)).status).toBe(200);
    agent.child.kill("SIGINT");
    expect(await agent.exited).toBe(1);
    expect(agent.out).toContain("==> Caught signal: interrupt\n");
    expect(agent.out).not.toContain("Gracefully shutting down");
  });

  it("SIGTERM with leave_on_terminate leaves gracefully and exits 0", async () => {
    const { agent } = await startDev("leave_on_terminate = true\n");
    agent.child.kill("SIGTERM");
    expect(await agent.exited).toBe(0);
    expect(agent.out).toContain("==> Caught signal: terminated\n==> Gracefully shutting down agent...\n");
  });
});
