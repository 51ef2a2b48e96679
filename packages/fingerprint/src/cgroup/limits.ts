// Effective resource limits of this process's cgroup, v1 and v2. A limit set on any
// ancestor applies too, so memory and CPU quota take the minimum while walking up to the
// mount point. Missing files mean "no limit there" (a controller not enabled at that
// level), never an error: a host without limits must still fingerprint.

import * as path from "node:path";
import type { HostProbe } from "../probe/host-probe.js";
import type { CgroupDir, CgroupLayout } from "./detect.js";
import { parseCpuList } from "../parse/cpu-list.js";

export interface CgroupLimits {
  /** Memory limit in bytes, or null when unlimited. */
  memoryBytes: number | null;
  /** CPU bandwidth quota in cores (quota / period), or null when unlimited. */
  cpuQuotaCores: number | null;
  /** CPUs of the effective cpuset, or null when not restricted or unknown. */
  cpusetCpus: number[] | null;
}

// v1 reports "no limit" as PAGE_COUNTER_MAX rounded to pages (9223372036854771712);
// anything at or above 2^62 bytes is no limit on any real machine.
const V1_UNLIMITED_BYTES = 2 ** 62;

async function readOptional(probe: HostProbe, file: string): Promise<string | undefined> {
  try {
    return (await probe.readText(file)).trim();
  } catch {
    return undefined;
  }
}

/** Directories from the process's own cgroup up to the mount point, leaf first. */
function lineage(d: CgroupDir): string[] {
  const out: string[] = [];
  let dir = d.dir;
  for (;;) {
    out.push(dir);
    if (dir === d.top || dir === "/" || !dir.startsWith(d.top)) break;
    dir = path.posix.dirname(dir);
  }
  return out;
}

function minOrNull(values: number[]): number | null {
  return values.length === 0 ? null : Math.min(...values);
}

async function memoryLimit(probe: HostProbe, layout: CgroupLayout): Promise<number | null> {
  const d = layout.dirOf("memory");
  if (d === undefined) return null;
  const found: number[] = [];
  for (const dir of lineage(d)) {
    if (layout.version === 2) {
      const v = await readOptional(probe, `${dir}/memory.max`);
      if (v !== undefined && v !== "max" && /^\d+$/.test(v)) found.push(Number(v));
    } else {
      const v = await readOptional(probe, `${dir}/memory.limit_in_bytes`);
      if (v !== undefined && /^\d+$/.test(v) && Number(v) < V1_UNLIMITED_BYTES) found.push(Number(v));
    }
  }
  return minOrNull(found);
}

async function cpuQuota(probe: HostProbe, layout: CgroupLayout): Promise<number | null> {
  const d = layout.dirOf("cpu");
  if (d === undefined) return null;
  const found: number[] = [];
  for (const dir of lineage(d)) {
    if (layout.version === 2) {
      const v = await readOptional(probe, `${dir}/cpu.max`);
      const m = v === undefined ? null : /^(\d+|max)\s+(\d+)$/.exec(v);
      if (m !== null && m[1] !== "max" && Number(m[2]) > 0) found.push(Number(m[1]) / Number(m[2]));
    } else {
      const quota = await readOptional(probe, `${dir}/cpu.cfs_quota_us`);
      const period = await readOptional(probe, `${dir}/cpu.cfs_period_us`);
      if (quota === undefined || period === undefined) continue;
      const q = Number(quota);
      const p = Number(period);
      if (q > 0 && p > 0) found.push(q / p);
    }
  }
  return minOrNull(found);
}

async function cpuset(probe: HostProbe, layout: CgroupLayout): Promise<number[] | null> {
  const d = layout.dirOf("cpuset");
  if (d === undefined) return null;
  // The effective list already folds in every ancestor, so the nearest file is enough. In
  // v2 it exists only where the cpuset controller is enabled; higher up it covers all CPUs.
  const names = layout.version === 2 ? ["cpuset.cpus.effective"] : ["cpuset.effective_cpus", "cpuset.cpus"];
  for (const dir of lineage(d)) {
    for (const name of names) {
      const v = await readOptional(probe, `${dir}/${name}`);
      if (v !== undefined && v !== "") return parseCpuList(v);
    }
  }
  return null;
}

export async function readCgroupLimits(
  probe: HostProbe,
  layout: CgroupLayout | undefined,
): Promise<CgroupLimits> {
  if (layout === undefined) return { memoryBytes: null, cpuQuotaCores: null, cpusetCpus: null };
  const [memoryBytes, cpuQuotaCores, cpusetCpus] = await Promise.all([
    memoryLimit(probe, layout),
    cpuQuota(probe, layout),
    cpuset(probe, layout),
  ]);
  return { memoryBytes, cpuQuotaCores, cpusetCpus };
}
