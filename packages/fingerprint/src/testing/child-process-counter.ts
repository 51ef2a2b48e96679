// Counts child processes started in this process while active, whatever starts them:
// every asynchronous spawn (spawn, exec, execFile, fork; also node-os-utils' shell calls)
// goes through ChildProcess.prototype.spawn, and the synchronous forms are wrapped on the
// CommonJS module object that CommonJS libraries call through.

import { createRequire } from "node:module";
import { ChildProcess } from "node:child_process";

type AnyFn = (...args: unknown[]) => unknown;

export interface ChildProcessCounter {
  count(): number;
  /** Commands seen, for a readable failure message. */
  commands(): string[];
  restore(): void;
}

export function countChildProcesses(): ChildProcessCounter {
  const seen: string[] = [];
  const proto = ChildProcess.prototype as unknown as { spawn: AnyFn };
  const originalSpawn = proto.spawn;
  proto.spawn = function (this: unknown, ...args: unknown[]) {
    const opts = args[0] as { file?: string; args?: string[] } | undefined;
    seen.push([opts?.file ?? "?", ...(opts?.args?.slice(1) ?? [])].join(" "));
    return originalSpawn.apply(this, args);
  };
  const cjs = createRequire(import.meta.url)("node:child_process") as Record<string, AnyFn>;
  const syncNames = ["spawnSync", "execSync", "execFileSync"] as const;
  const originals = syncNames.map((n) => cjs[n]);
  for (const n of syncNames) {
    const orig = cjs[n];
    if (orig === undefined) continue;
    cjs[n] = (...args: unknown[]) => {
      seen.push(`${n} ${String(args[0])}`);
      return orig(...args);
    };
  }
  return {
    count: () => seen.length,
    commands: () => [...seen],
    restore() {
      proto.spawn = originalSpawn;
      syncNames.forEach((n, i) => {
        const orig = originals[i];
        if (orig !== undefined) cjs[n] = orig;
      });
    },
  };
}
