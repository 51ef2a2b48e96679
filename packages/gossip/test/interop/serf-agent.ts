// Starts and drives a real `serf agent` (Debian's serf 0.9.4) on 127.0.0.1 for interop tests.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

export function serfBinary(): string {
  const r = spawnSync("sh", ["-c", "command -v serf"], { encoding: "utf8" });
  const path = r.stdout.trim();
  if (r.status !== 0 || path === "") {
    throw new Error(
      "the `serf` binary is not installed: interop tests need the real HashiCorp Serf. " +
        "Install it with `apt-get update && apt-get install -y serf` (CI does this in .ci/run).",
    );
  }
  return path;
}

/** A port free for both TCP and (very likely) UDP on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface SerfMember {
  name: string;
  addr: string;
  status: string;
  tags: Record<string, string>;
}

export class SerfAgent {
  readonly log: string[] = [];
  private constructor(
    readonly name: string,
    readonly bindPort: number,
    readonly rpcPort: number,
    readonly proc: ChildProcess,
  ) {
    proc.stdout?.on("data", (d: Buffer) => this.log.push(d.toString()));
    proc.stderr?.on("data", (d: Buffer) => this.log.push(d.toString()));
  }

  static async start(
    name: string,
    opts: { join?: string; encrypt?: string; tags?: Record<string, string>; eventHandler?: string } = {},
  ): Promise<SerfAgent> {
    const bin = serfBinary();
    const bindPort = await freePort();
    const rpcPort = await freePort();
    const args = [
      "agent",
      `-node=${name}`,
      `-bind=127.0.0.1:${bindPort}`,
      `-rpc-addr=127.0.0.1:${rpcPort}`,
      "-log-level=debug",
    ];
    if (opts.join !== undefined) args.push(`-join=${opts.join}`);
    if (opts.encrypt !== undefined) args.push(`-encrypt=${opts.encrypt}`);
    if (opts.eventHandler !== undefined) args.push(`-event-handler=${opts.eventHandler}`);
    for (const [k, v] of Object.entries(opts.tags ?? {})) args.push("-tag", `${k}=${v}`);
    const proc = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    const agent = new SerfAgent(name, bindPort, rpcPort, proc);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (agent.members() !== null) return agent;
      await new Promise((r) => setTimeout(r, 100));
    }
    agent.kill();
    throw new Error(`serf agent ${name} did not start:\n${agent.log.join("")}`);
  }

  get addr(): string {
    return `127.0.0.1:${this.bindPort}`;
  }

  /** `serf members -format=json`, or null when the agent's RPC does not answer. */
  members(): SerfMember[] | null {
    const r = spawnSync(serfBinary(), ["members", "-format=json", `-rpc-addr=127.0.0.1:${this.rpcPort}`], {
      encoding: "utf8",
      timeout: 5000,
    });
    if (r.status !== 0) return null;
    try {
      return (JSON.parse(r.stdout) as { members: SerfMember[] }).members;
    } catch {
      return null;
    }
  }

  status(of: string): string | undefined {
    return this.members()?.find((m) => m.name === of)?.status;
  }

  rpc(...args: string[]): string {
    // Go's flag parsing stops at the first positional argument: the address goes right after the command.
    const [cmd = "", ...rest] = args;
    const r = spawnSync(serfBinary(), [cmd, `-rpc-addr=127.0.0.1:${this.rpcPort}`, ...rest], {
      encoding: "utf8",
      timeout: 10_000,
    });
    if (r.status !== 0) throw new Error(`serf ${args.join(" ")} failed: ${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  /** Like rpc() but without blocking our event loop (needed when our node must answer, e.g. queries). */
  rpcAsync(...args: string[]): Promise<string> {
    const [cmd = "", ...rest] = args;
    return new Promise((resolve, reject) => {
      const p = spawn(serfBinary(), [cmd, `-rpc-addr=127.0.0.1:${this.rpcPort}`, ...rest], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      p.stdout.on("data", (d: Buffer) => (out += d.toString()));
      p.stderr.on("data", (d: Buffer) => (out += d.toString()));
      p.on("error", reject);
      p.on("close", (code) =>
        code === 0 ? resolve(out) : reject(new Error(`serf ${args.join(" ")} failed: ${out}`)),
      );
    });
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    if (this.proc.exitCode === null) this.proc.kill(signal);
  }
}

export async function waitFor(
  pred: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await pred()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
}
