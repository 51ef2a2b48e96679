import { allocIsTerminal, type Allocation } from "@nomad/structs";
import type { NodeUsage } from "./types.js";

export function emptyUsage(): NodeUsage {
  return { cpuMHz: 0, memoryMB: 0, diskMB: 0, cores: new Set(), ports: new Set() };
}

/** A mutable copy, for overlays that add or remove the plan's own allocations. */
export interface MutableUsage {
  cpuMHz: number;
  memoryMB: number;
  diskMB: number;
  cores: Set<number>;
  ports: Set<number>;
}

export function cloneUsage(u: NodeUsage): MutableUsage {
  return {
    cpuMHz: u.cpuMHz,
    memoryMB: u.memoryMB,
    diskMB: u.diskMB,
    cores: new Set(u.cores),
    ports: new Set(u.ports),
  };
}

/** Adds (sign 1) or removes (sign -1) what one allocation holds. */
export function applyAlloc(u: MutableUsage, a: Allocation, sign: 1 | -1): void {
  const ar = a.AllocatedResources;
  if (ar === null) return;
  for (const name in ar.Tasks) {
    const t = ar.Tasks[name];
    if (t === undefined) continue;
    u.cpuMHz += sign * t.Cpu.CpuShares;
    u.memoryMB += sign * t.Memory.MemoryMB;
    for (const c of t.Cpu.ReservedCores) {
      if (sign > 0) u.cores.add(c);
      else u.cores.delete(c);
    }
    for (const n of t.Networks) {
      for (const p of n.ReservedPorts) togglePort(u, p.Value, sign);
      for (const p of n.DynamicPorts) togglePort(u, p.Value, sign);
    }
  }
  u.diskMB += sign * ar.Shared.DiskMB;
  for (const p of ar.Shared.Ports) togglePort(u, p.Value, sign);
}

function togglePort(u: MutableUsage, port: number, sign: 1 | -1): void {
  if (port <= 0) return;
  if (sign > 0) u.ports.add(port);
  else u.ports.delete(port);
}

/** What a node's non-terminal allocations hold: the reference a state store may use. */
export function computeNodeUsage(allocs: readonly Allocation[]): NodeUsage {
  const u = cloneUsage(emptyUsage());
  for (const a of allocs) if (!allocIsTerminal(a)) applyAlloc(u, a, 1);
  return u;
}
