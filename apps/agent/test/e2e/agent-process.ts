// Drives real `nomad` processes for the end-to-end tests: the agent started from source through
// tsx (no build needed), CLI commands run the same way, and HTTP polling for conditions.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const agentDir = fileURLToPath(new URL("../..", import.meta.url));
const main = join(agentDir, "src", "main.ts");
// One process per agent (tsx as a loader, not its wrapper CLI, which would fork a second one):
// a signal sent to `child.pid` reaches the agent itself.
const nodeArgs = ["--import", "tsx", "--conditions=@nomad/source", main];

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface Ports {
  readonly http: number;
  readonly rpc: number;
  readonly serf: number;
}

export async function freePorts(): Promise<Ports> {
  return { http: await freePort(), rpc: await freePort(), serf: await freePort() };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A config file giving the agent our ports (and anything else in `extra`, HCL). */
export function portsConfig(dir: string, ports: Ports, extra = ""): string {
  const file = join(dir, "ports.hcl");
  writeFileSync(
    file,
    `ports {\n  http = ${ports.http}\n  rpc  = ${ports.rpc}\n  serf = ${ports.serf}\n}\n${extra}`,
  );
  return file;
}

export class AgentProcess {
  stdout = "";
  stderr = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly child: ChildProcess,
    readonly address: string,
  ) {
    child.stdout?.on("data", (d: Buffer) => (this.stdout += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  }

  static start(args: readonly string[], ports: Ports): AgentProcess {
    const child = spawn(process.execPath, [...nodeArgs, "agent", ...args], {
      cwd: agentDir,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NOMAD_ADDR: `http://127.0.0.1:${ports.http}` },
    });
    return new AgentProcess(child, `http://127.0.0.1:${ports.http}`);
  }

  async get<T>(path: string): Promise<T> {
    const res = await fetch(this.address + path);
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  /** Polls `check` until it returns a value (not undefined) or the time is up. */
  async until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null)
        throw new Error(`agent exited while waiting for ${what}:\n${this.output()}`);
      try {
        const v = await check();
        if (v !== undefined) return v;
      } catch (e) {
        last = e;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`timed out waiting for ${what} (last error: ${String(last)})\n${this.output()}`);
  }

  /** A leader exists and at least one node is ready. */
  async ready(timeoutMs = 60_000): Promise<string> {
    await this.until(
      "a leader",
      async () => ((await this.get<string>("/v1/status/leader")) !== "" ? true : undefined),
      timeoutMs,
    );
    return this.until(
      "a ready node",
      async () =>
        (await this.get<Array<{ ID: string; Status: string }>>("/v1/nodes")).find((n) => n.Status === "ready")
          ?.ID,
      timeoutMs,
    );
  }

  output(): string {
    return `--- stdout ---\n${this.stdout.slice(-6000)}\n--- stderr ---\n${this.stderr.slice(-4000)}`;
  }

  async stop(
    signal: NodeJS.Signals = "SIGKILL",
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }

  /** True once nothing answers on the agent's HTTP port any more. */
  async httpGone(): Promise<boolean> {
    try {
      await fetch(this.address + "/v1/agent/self", { signal: AbortSignal.timeout(2000) });
      return false;
    } catch {
      return true;
    }
  }
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `nomad <args>` against the agent at `address`. */
export async function nomad(
  address: string,
  args: readonly string[],
  timeoutMs = 120_000,
): Promise<CliResult> {
  const child = spawn(process.execPath, [...nodeArgs, ...args], {
    cwd: agentDir,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NOMAD_ADDR: address },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/**
 * Kills every process started under `dir`: task supervisors (their command line names a path in
 * the alloc dir) and tasks (their environment does, through NOMAD_ALLOC_DIR). Tasks outlive the
 * agent by design, so a test that SIGKILLs its agents must clean them up itself.
 */
export function killProcessesUnder(dir: string): number {
  let killed = 0;
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let mentions = false;
    for (const file of ["cmdline", "environ"]) {
      try {
        if (readFileSync(`/proc/${pid}/${file}`).includes(dir)) mentions = true;
      } catch {
        // gone, or not ours to read
      }
    }
    if (!mentions) continue;
    try {
      process.kill(pid, "SIGKILL");
      killed++;
    } catch {
      // already gone
    }
  }
  return killed;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
