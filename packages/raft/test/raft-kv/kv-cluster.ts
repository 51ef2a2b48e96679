// Three real raft-kv processes on free loopback ports, driven over HTTP, for the end-to-end tests.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = fileURLToPath(new URL("../../", import.meta.url));

export interface KvProcess {
  readonly id: string;
  readonly raft: string;
  readonly http: string;
  readonly dir: string;
  child: ChildProcess | undefined;
  output: string;
}

async function freePort(): Promise<number> {
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

export interface HttpReply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export class KvCluster {
  readonly nodes: KvProcess[] = [];
  private readonly root = mkdtempSync(join(tmpdir(), "raft-kv-e2e-"));
  private peers = "";

  static async start(n = 3): Promise<KvCluster> {
    const c = new KvCluster();
    for (let i = 1; i <= n; i++) {
      const id = `n${i}`;
      c.nodes.push({
        id,
        raft: `127.0.0.1:${await freePort()}`,
        http: `127.0.0.1:${await freePort()}`,
        dir: join(c.root, id),
        child: undefined,
        output: "",
      });
    }
    c.peers = c.nodes.map((p) => `${p.id}=${p.raft}`).join(",");
    for (const p of c.nodes) c.launch(p);
    await Promise.all(c.nodes.map((p) => c.waitHttp(p)));
    return c;
  }

  node(id: string): KvProcess {
    const p = this.nodes.find((x) => x.id === id);
    if (p === undefined) throw new Error(`no node ${id}`);
    return p;
  }

  launch(p: KvProcess): void {
    const args = [
      "--import",
      "tsx",
      "--conditions=@nomad/source",
      "examples/raft-kv/main.ts",
      ...["--id", p.id, "--dir", p.dir, "--raft", p.raft, "--http", p.http],
      ...["--peers", this.peers, "--profile", "test"],
    ];
    const child = spawn(process.execPath, args, { cwd: packageDir, stdio: ["ignore", "ignore", "pipe"] });
    p.output = "";
    child.stderr!.on("data", (d: Buffer) => {
      p.output = (p.output + d.toString("utf8")).slice(-20_000);
    });
    p.child = child;
  }

  async restart(p: KvProcess): Promise<void> {
    this.launch(p);
    await this.waitHttp(p);
  }

  async waitHttp(p: KvProcess, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const r = await fetch(`http://${p.http}/status`);
        if (r.ok) return;
      } catch {
        // not listening yet
      }
      if (p.child?.exitCode !== null && p.child?.exitCode !== undefined) {
        throw new Error(`${p.id} exited with ${p.child.exitCode}:\n${p.output}`);
      }
      if (Date.now() > deadline) throw new Error(`${p.id} did not come up:\n${p.output}`);
      await sleep(50);
    }
  }

  async status(p: KvProcess): Promise<Record<string, unknown> | undefined> {
    try {
      return (await this.request(p, "GET", "/status", undefined, 2_000)).body;
    } catch {
      return undefined;
    }
  }

  /** The node every live node agrees leads. */
  async waitLeader(timeoutMs = 30_000, exclude?: KvProcess): Promise<KvProcess> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const p of this.nodes) {
        if (p === exclude || p.child === undefined) continue;
        const s = await this.status(p);
        if (s?.["state"] === "leader") return p;
      }
      if (Date.now() > deadline) throw new Error("no leader");
      await sleep(50);
    }
  }

  async request(
    p: KvProcess,
    method: string,
    path: string,
    body?: unknown,
    timeoutMs = 10_000,
  ): Promise<HttpReply> {
    const init: RequestInit = { method, signal: AbortSignal.timeout(timeoutMs) };
    if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
    const r = await fetch(`http://${p.http}${path}`, init);
    const text = await r.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      parsed = { text };
    }
    return { status: r.status, body: parsed };
  }

  kill(p: KvProcess, signal: NodeJS.Signals): void {
    p.child?.kill(signal);
  }

  async killAndWait(p: KvProcess, signal: NodeJS.Signals): Promise<number | null> {
    const child = p.child;
    if (child === undefined) return null;
    const exited = new Promise<number | null>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
      else child.once("exit", (code) => resolve(code));
    });
    child.kill(signal);
    const code = await exited;
    p.child = undefined;
    return code;
  }

  async stop(): Promise<void> {
    for (const p of this.nodes) {
      if (p.child !== undefined) {
        p.child.kill("SIGCONT");
        await this.killAndWait(p, "SIGKILL");
      }
    }
    rmSync(this.root, { recursive: true, force: true });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
