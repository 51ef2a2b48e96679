import { parsePortSpec, type Node } from "@nomad/structs";
import type { GroupAsk } from "./ask.js";
import type { NodeUsage } from "./types.js";

/** What a node can give to allocations: fingerprinted totals minus the client's reservations. */
export interface NodeCapacity {
  readonly cpuMHz: number;
  readonly memoryMB: number;
  readonly diskMB: number;
  readonly mhzPerCore: number;
  /** Core IDs allocations may reserve. */
  readonly reservableCores: readonly number[];
  readonly reservedPorts: ReadonlySet<number>;
  readonly minDynamicPort: number;
  readonly maxDynamicPort: number;
  /** Client-reserved ports that fall inside the dynamic range. */
  readonly reservedInDynamicRange: number;
}

// Capacity depends only on the node object, which snapshots never mutate: memoise by identity.
const capacityCache = new WeakMap<Node, NodeCapacity>();

export function nodeCapacity(node: Node): NodeCapacity {
  let c = capacityCache.get(node);
  if (c !== undefined) return c;
  const r = node.NodeResources;
  const reserved = node.ReservedResources;
  const reservedCores = new Set(reserved.Cpu.ReservedCpuCores);
  let ports: Set<number>;
  try {
    ports = new Set(parsePortSpec(reserved.Networks.ReservedHostPorts));
  } catch {
    ports = new Set();
  }
  const totalCores = r.Cpu.TotalCpuCores > 0 ? r.Cpu.TotalCpuCores : r.Cpu.ReservableCpuCores.length;
  c = {
    cpuMHz: r.Cpu.CpuShares - reserved.Cpu.CpuShares,
    memoryMB: r.Memory.MemoryMB - reserved.Memory.MemoryMB,
    diskMB: r.Disk.DiskMB - reserved.Disk.DiskMB,
    mhzPerCore: totalCores > 0 ? Math.floor(r.Cpu.CpuShares / totalCores) : 0,
    reservableCores: r.Cpu.ReservableCpuCores.filter((id) => !reservedCores.has(id)),
    reservedPorts: ports,
    minDynamicPort: r.MinDynamicPort,
    maxDynamicPort: r.MaxDynamicPort,
    reservedInDynamicRange: [...ports].filter((p) => p >= r.MinDynamicPort && p <= r.MaxDynamicPort).length,
  };
  capacityCache.set(node, c);
  return c;
}

export interface Grant {
  /** CPU charged per task (MHz; reserved cores are charged at the node's MHz per core). */
  readonly taskCpu: readonly number[];
  readonly taskCores: readonly (readonly number[])[];
  /** Host ports in the order of ask.staticPorts then ask.dynamicPorts. */
  readonly ports: readonly number[];
  readonly cpuMHz: number;
}

export type FitResult =
  { readonly ok: true; readonly grant: Grant } | { readonly ok: false; readonly dimension: string };

/** Nomad's exhaustion dimension names, as they appear in AllocMetric.DimensionExhausted. */
export const DIM_CPU = "cpu";
export const DIM_MEMORY = "memory";
export const DIM_DISK = "disk";
export const DIM_CORES = "cores";
export const DIM_PORT_COLLISION = "network: port collision";
export const DIM_DYNAMIC_PORTS = "network: dynamic port selection failed";

const NO_PORTS: readonly number[] = [];
const NO_CORES: readonly number[] = [];

/**
 * Checks that one more allocation of `ask` fits on `node` given what is already held, and
 * picks its reserved cores and dynamic ports. Pure apart from `random`.
 */
export function fitAsk(node: Node, used: NodeUsage, ask: GroupAsk, random: () => number): FitResult {
  const cap = nodeCapacity(node);
  const coreCpu = ask.cores * cap.mhzPerCore;
  const cpu = ask.cpuMHz + coreCpu;
  if (used.cpuMHz + cpu > cap.cpuMHz) return { ok: false, dimension: DIM_CPU };
  if (used.memoryMB + ask.memoryMB > cap.memoryMB) return { ok: false, dimension: DIM_MEMORY };
  if (used.diskMB + ask.diskMB > cap.diskMB) return { ok: false, dimension: DIM_DISK };

  let taskCores: (readonly number[])[] | null = null;
  if (ask.cores > 0) {
    const free = cap.reservableCores.filter((id) => !used.cores.has(id));
    if (free.length < ask.cores) return { ok: false, dimension: DIM_CORES };
    taskCores = [];
    let next = 0;
    for (const t of ask.tasks) {
      taskCores.push(t.cores > 0 ? free.slice(next, next + t.cores) : NO_CORES);
      next += t.cores;
    }
  }

  let ports: readonly number[] = NO_PORTS;
  if (ask.staticPorts.length > 0 || ask.dynamicPorts.length > 0) {
    const chosen: number[] = [];
    const taken = (p: number): boolean => used.ports.has(p) || cap.reservedPorts.has(p) || chosen.includes(p);
    for (const p of ask.staticPorts) {
      if (taken(p.value)) return { ok: false, dimension: DIM_PORT_COLLISION };
      chosen.push(p.value);
    }
    for (let i = 0; i < ask.dynamicPorts.length; i++) {
      const port = pickDynamicPort(cap, taken, random);
      if (port < 0) return { ok: false, dimension: DIM_DYNAMIC_PORTS };
      chosen.push(port);
    }
    ports = chosen;
  }

  const taskCpu = ask.tasks.map((t) => t.cpuMHz + t.cores * cap.mhzPerCore);
  return {
    ok: true,
    grant: { taskCpu, taskCores: taskCores ?? ask.tasks.map(() => NO_CORES), ports, cpuMHz: cpu },
  };
}

/** Random probes first (spreads ports like Nomad does), then a linear scan so a nearly full range still succeeds. */
function pickDynamicPort(cap: NodeCapacity, taken: (p: number) => boolean, random: () => number): number {
  const span = cap.maxDynamicPort - cap.minDynamicPort + 1;
  if (span <= 0) return -1;
  for (let attempt = 0; attempt < 20; attempt++) {
    const p = cap.minDynamicPort + Math.floor(random() * span);
    if (!taken(p)) return p;
  }
  for (let p = cap.minDynamicPort; p <= cap.maxDynamicPort; p++) if (!taken(p)) return p;
  return -1;
}

/**
 * The allocation-free twin of fitAsk for ranking candidates: returns the exhausted
 * dimension, or null when the ask fits. fitAsk runs once, on the chosen node.
 */
export function checkFit(node: Node, used: NodeUsage, ask: GroupAsk, knownCap?: NodeCapacity): string | null {
  const cap = knownCap ?? nodeCapacity(node);
  if (used.cpuMHz + ask.cpuMHz + ask.cores * cap.mhzPerCore > cap.cpuMHz) return DIM_CPU;
  if (used.memoryMB + ask.memoryMB > cap.memoryMB) return DIM_MEMORY;
  if (used.diskMB + ask.diskMB > cap.diskMB) return DIM_DISK;
  if (ask.cores > 0) {
    let free = 0;
    for (const id of cap.reservableCores) if (!used.cores.has(id)) free++;
    if (free < ask.cores) return DIM_CORES;
  }
  const statics = ask.staticPorts;
  for (let i = 0; i < statics.length; i++) {
    const v = statics[i]!.value;
    if (used.ports.has(v) || cap.reservedPorts.has(v)) return DIM_PORT_COLLISION;
    for (let j = 0; j < i; j++) if (statics[j]!.value === v) return DIM_PORT_COLLISION;
  }
  if (ask.dynamicPorts.length > 0) {
    let held = cap.reservedInDynamicRange;
    for (const p of used.ports) if (p >= cap.minDynamicPort && p <= cap.maxDynamicPort) held++;
    for (const p of statics) if (p.value >= cap.minDynamicPort && p.value <= cap.maxDynamicPort) held++;
    const span = cap.maxDynamicPort - cap.minDynamicPort + 1;
    if (span - held < ask.dynamicPorts.length) return DIM_DYNAMIC_PORTS;
  }
  return null;
}
