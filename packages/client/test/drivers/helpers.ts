import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { AllocDir } from "../../src/allocdir/index.js";
import type { TaskConfig } from "../../src/drivers/index.js";

export interface TaskFixture {
  root: string;
  allocDir: AllocDir;
  config(
    name: string,
    driverConfig: Record<string, unknown>,
    extra?: Partial<TaskConfig>,
  ): Promise<TaskConfig>;
  cleanup(): Promise<void>;
}

let seq = 0;

export async function taskFixture(): Promise<TaskFixture> {
  const root = await mkdtemp(path.join(tmpdir(), "nomad-client-test-"));
  const allocID = `a${process.pid}-${++seq}-${Math.floor(Math.random() * 1e9)}`;
  const allocDir = new AllocDir(root, allocID);
  await allocDir.build();
  let attempt = 0;
  return {
    root,
    allocDir,
    async config(name, driverConfig, extra = {}) {
      const td = allocDir.taskDir(name);
      await td.build();
      return {
        id: `${allocID}/${name}/${++attempt}`,
        allocID,
        name,
        driverConfig,
        env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin" },
        user: "",
        resources: { cpuShares: 100, memoryMB: 64, memoryMaxMB: 0 },
        allocRoot: allocDir.allocRoot,
        taskDir: td.dir,
        privateDir: td.privateDir,
        logs: { dir: allocDir.logsDir, maxFiles: 10, maxFileSizeMB: 10, disabled: false },
        ...extra,
      };
    },
    async cleanup() {
      await rm(root, { recursive: true, force: true });
    },
  };
}

export async function readLog(dir: string, file: string): Promise<string> {
  return readFile(path.join(dir, file), "utf8").catch(() => "");
}

/** Polls `check` until it returns true (robust on a loaded machine; no fixed sleeps). */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
