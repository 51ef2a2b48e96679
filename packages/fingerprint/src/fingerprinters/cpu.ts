// cpu.*: model, core count, frequency, total and usable compute in MHz, reservable cores.
//
// The hardware scan (online CPUs and their clocks) is read once and kept: it does not
// change while the agent runs. The cgroup part (cpuset, CFS quota) is read on every
// refresh, because `docker update` or a systemd slice change can move it at any time.
// Inside a limited cgroup the node reports what it may use, not what the host has:
// - cores: the effective cpuset (what os.availableParallelism() also returns);
// - compute: a CPU quota of q cores gives q x core MHz (e.g. 1.5 cores at 2000 MHz ->
//   3000 MHz), and whole reservable cores are capped at floor(q).

import type { FingerprintContext, Fingerprinter, FingerprintResult } from "../types.js";
import type { HostProbe } from "../probe/host-probe.js";
import { formatCpuList, parseCpuList } from "../parse/cpu-list.js";
import { parseCpuInfo } from "../parse/cpuinfo.js";
import { hostCgroupLimits } from "../cgroup/host-limits.js";

/** Refresh of the cgroup-dependent part; Nomad's cgroup fingerprint period. */
export const CPU_REFRESH_MS = 15_000;

export interface CpuHardware {
  modelName: string;
  /** Online logical CPU IDs. */
  online: number[];
  /** MHz per online CPU ID; 0 when no source knows it. */
  mhz: Map<number, number>;
  /** NUMA node ID -> its online CPUs; one node 0 holding every CPU when sysfs has none. */
  numaNodes: Map<number, number[]>;
}

const SYS_CPU = "/sys/devices/system/cpu";

async function readNumber(probe: HostProbe, file: string): Promise<number> {
  try {
    const n = Number((await probe.readText(file)).trim());
    return Number.isFinite(n) && n > 0 ? n : 0;
  } catch {
    return 0;
  }
}

/**
 * Clock of one CPU as Nomad ranks the sources: the sustained (base / nominal) frequency,
 * then the maximum from cpufreq, then the current clock in /proc/cpuinfo (VMs often have
 * no cpufreq at all).
 */
async function coreMHz(probe: HostProbe, id: number, cpuinfoMHz: number): Promise<number> {
  const base = await readNumber(probe, `${SYS_CPU}/cpu${id}/cpufreq/base_frequency`);
  if (base > 0) return Math.floor(base / 1000);
  const nominal = await readNumber(probe, `${SYS_CPU}/cpu${id}/acpi_cppc/nominal_freq`);
  if (nominal > 0) return Math.floor(nominal);
  const max = await readNumber(probe, `${SYS_CPU}/cpu${id}/cpufreq/cpuinfo_max_freq`);
  if (max > 0) return Math.floor(max / 1000);
  return Math.floor(cpuinfoMHz);
}

export async function scanCpuHardware(probe: HostProbe): Promise<CpuHardware> {
  let entries: ReturnType<typeof parseCpuInfo> = [];
  try {
    entries = parseCpuInfo(await probe.readText("/proc/cpuinfo"));
  } catch {
    // Some sandboxes hide /proc/cpuinfo; sysfs and the affinity count still answer.
  }
  let online: number[];
  try {
    online = parseCpuList(await probe.readText(`${SYS_CPU}/online`));
  } catch {
    online = entries.length > 0 ? entries.map((e) => e.processor) : [];
  }
  if (online.length === 0) {
    online = Array.from({ length: probe.availableParallelism() }, (_, i) => i);
  }
  const byId = new Map(entries.map((e) => [e.processor, e]));
  const mhz = new Map<number, number>();
  for (const id of online) mhz.set(id, await coreMHz(probe, id, byId.get(id)?.mhz ?? 0));
  const modelName = entries.find((e) => e.modelName !== "")?.modelName ?? "";
  // Nomad reports NUMA only on Linux.
  const numaNodes =
    probe.uname().platform === "linux" ? await scanNumaNodes(probe, online) : new Map<number, number[]>();
  return { modelName, online, mhz, numaNodes };
}

async function scanNumaNodes(probe: HostProbe, online: number[]): Promise<Map<number, number[]>> {
  const nodes = new Map<number, number[]>();
  try {
    for (const id of parseCpuList(await probe.readText("/sys/devices/system/node/online"))) {
      const cpus = parseCpuList(await probe.readText(`/sys/devices/system/node/node${id}/cpulist`));
      nodes.set(
        id,
        cpus.filter((c) => online.includes(c)),
      );
    }
  } catch {
    nodes.clear();
  }
  // Like Nomad: without NUMA information every CPU belongs to node 0.
  if (nodes.size === 0) nodes.set(0, [...online]);
  return nodes;
}

export function createCpuFingerprinter(): Fingerprinter {
  let hardware: CpuHardware | undefined;
  return {
    name: "cpu",
    periodicIntervalMs: CPU_REFRESH_MS,
    async fingerprint(ctx: FingerprintContext): Promise<FingerprintResult> {
      hardware ??= await scanCpuHardware(ctx.probe);
      const limits = await hostCgroupLimits(ctx.probe);
      return cpuResult(hardware, limits.cpusetCpus, limits.cpuQuotaCores, ctx);
    },
  };
}

/** Pure part, exported for tests: hardware + cgroup limits + config -> attributes. */
export function cpuResult(
  hw: CpuHardware,
  cpuset: number[] | null,
  quotaCores: number | null,
  { config }: Pick<FingerprintContext, "config">,
): FingerprintResult {
  const usable = cpuset === null ? hw.online : hw.online.filter((id) => cpuset.includes(id));
  if (usable.length === 0) throw new Error("no usable CPU: the cpuset and the online CPUs do not overlap");
  const speeds = usable.map((id) => hw.mhz.get(id) ?? 0);
  const frequency = Math.max(...speeds);
  const hardwareCompute = speeds.reduce((a, b) => a + b, 0);
  const quotaCompute = quotaCores === null ? Infinity : Math.floor(quotaCores * frequency);
  const totalCompute =
    config.cpu_total_compute > 0 ? config.cpu_total_compute : Math.min(hardwareCompute, quotaCompute);

  const reservedCores = new Set(config.reserved.cores);
  let reservable = usable.filter((id) => !reservedCores.has(id));
  if (quotaCores !== null) reservable = reservable.slice(0, Math.floor(quotaCores));
  const withheldCoreCompute = usable.filter((id) => reservedCores.has(id)).length * frequency;
  const usableCompute = Math.max(0, totalCompute - withheldCoreCompute - config.reserved.cpu);

  const attributes: Record<string, string> = {
    "cpu.numcores": String(usable.length),
    "cpu.totalcompute": String(totalCompute),
    "cpu.usablecompute": String(usableCompute),
    "cpu.reservablecores": String(reservable.length),
  };
  if (frequency > 0) attributes["cpu.frequency"] = String(frequency);
  if (hw.modelName !== "") attributes["cpu.modelname"] = hw.modelName;
  // Nomad reports the NUMA layout on Linux (numa.node.count, numa.node<N>.cores).
  if (hw.numaNodes.size > 0) attributes["numa.node.count"] = String(hw.numaNodes.size);
  for (const [id, cpus] of hw.numaNodes) attributes[`numa.node${id}.cores`] = formatCpuList(cpus);
  return {
    detected: true,
    attributes,
    resources: {
      cpu: {
        CpuShares: totalCompute,
        TotalCpuCores: usable.filter((id) => !reservedCores.has(id)).length,
        ReservableCpuCores: reservable,
      },
    },
  };
}
