// Task cgroups for the exec driver. cgroups v1 (one hierarchy per controller, as on this
// machine: /sys/fs/cgroup/{memory,cpu}) get `<controller>/<parent>/<alloc>-<task>` with
// memory.limit_in_bytes and cpu.shares; a unified v2 hierarchy gets `<parent>/<alloc>-<task>`
// with memory.max and cpu.weight. A hybrid host (v1 controllers plus an empty cgroup2 mount)
// uses v1, where the controllers are.

import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile, rmdir, writeFile } from "node:fs/promises";
import * as path from "node:path";

export type CgroupVersion = "v1" | "v2";

export interface CgroupLayout {
  version: CgroupVersion;
  root: string;
}

export function detectCgroupLayout(root = "/sys/fs/cgroup"): CgroupLayout | undefined {
  if (
    existsSync(path.join(root, "memory", "memory.limit_in_bytes")) &&
    existsSync(path.join(root, "cpu", "cpu.shares"))
  ) {
    return { version: "v1", root };
  }
  const controllers = path.join(root, "cgroup.controllers");
  if (existsSync(controllers)) {
    const have = readFileSync(controllers, "utf8").split(/\s+/);
    if (have.includes("memory") && have.includes("cpu")) return { version: "v2", root };
  }
  return undefined;
}

export interface TaskCgroup {
  version: CgroupVersion;
  /** Dirs created for the task (v1: one per controller; v2: one). */
  dirs: string[];
  /** `cgroup.procs` files the task's first process must join. */
  procsFiles: string[];
  /** Read after exit to tell OOM kills apart. */
  oomEventsPath: string;
}

export interface CgroupLimits {
  memoryMB: number;
  memoryMaxMB: number;
  cpuShares: number;
}

const MIB = 1024 * 1024;

/** runc's conversion of v1 cpu.shares [2, 262144] to v2 cpu.weight [1, 10000]. */
export function sharesToWeight(shares: number): number {
  const s = Math.min(262_144, Math.max(2, Math.round(shares)));
  return Math.round(1 + ((s - 2) * 9999) / 262_142);
}

export async function createTaskCgroup(
  layout: CgroupLayout,
  parent: string,
  name: string,
  limits: CgroupLimits,
): Promise<TaskCgroup> {
  const hardMB = limits.memoryMaxMB > 0 ? limits.memoryMaxMB : limits.memoryMB;
  const shares = Math.min(262_144, Math.max(2, Math.round(limits.cpuShares)));
  if (layout.version === "v1") {
    const mem = path.join(layout.root, "memory", parent, name);
    const cpu = path.join(layout.root, "cpu", parent, name);
    await mkdir(mem, { recursive: true });
    await mkdir(cpu, { recursive: true });
    await writeFile(path.join(mem, "memory.limit_in_bytes"), String(hardMB * MIB));
    if (limits.memoryMaxMB > 0) {
      await writeFile(path.join(mem, "memory.soft_limit_in_bytes"), String(limits.memoryMB * MIB));
    }
    await writeFile(path.join(cpu, "cpu.shares"), String(shares));
    return {
      version: "v1",
      dirs: [mem, cpu],
      procsFiles: [path.join(mem, "cgroup.procs"), path.join(cpu, "cgroup.procs")],
      oomEventsPath: path.join(mem, "memory.oom_control"),
    };
  }
  // v2: controllers must be enabled in every ancestor's subtree_control.
  const parentDir = path.join(layout.root, parent);
  await mkdir(parentDir, { recursive: true });
  for (const dir of [layout.root, parentDir]) {
    await writeFile(path.join(dir, "cgroup.subtree_control"), "+memory +cpu").catch(() => undefined);
  }
  const dir = path.join(parentDir, name);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "memory.max"), String(hardMB * MIB));
  if (limits.memoryMaxMB > 0) await writeFile(path.join(dir, "memory.high"), String(limits.memoryMB * MIB));
  await writeFile(path.join(dir, "cpu.weight"), String(sharesToWeight(shares)));
  return {
    version: "v2",
    dirs: [dir],
    procsFiles: [path.join(dir, "cgroup.procs")],
    oomEventsPath: path.join(dir, "memory.events"),
  };
}

export async function cgroupPids(procsFile: string): Promise<number[]> {
  const text = await readFile(procsFile, "utf8").catch(() => "");
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
}

/** Removes the task's cgroups; a cgroup with live members cannot go, so retry briefly. */
export async function removeTaskCgroup(dirs: readonly string[], attempts = 50, delayMs = 100): Promise<void> {
  for (const dir of dirs) {
    for (let i = 0; ; i++) {
      try {
        await rmdir(dir);
        break;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "ENOENT") break;
        if (i >= attempts) throw new Error(`cannot remove cgroup ${dir}: ${code ?? String(e)}`);
        await new Promise((r) => setTimeout(r, delayMs));
      }
    }
  }
}
