// Incremental per-node usage (what the scheduler's nodeUsage returns). Each alloc write
// adjusts only its node's entry by the alloc's own resources; nothing rescans a node.
// Ports and cores are reference-counted so two allocs holding the same port (IgnoreCollision)
// do not free it when only one of them stops; the result always equals computeNodeUsage.
import type { NodeUsage } from "@nomad/scheduler";
import { allocIsTerminal, type Allocation } from "@nomad/structs";

export interface TrackedUsage extends NodeUsage {
  readonly portRefs: ReadonlyMap<number, number>;
  readonly coreRefs: ReadonlyMap<number, number>;
}

const EMPTY: TrackedUsage = {
  cpuMHz: 0,
  memoryMB: 0,
  diskMB: 0,
  cores: new Set(),
  ports: new Set(),
  portRefs: new Map(),
  coreRefs: new Map(),
};

export function emptyTrackedUsage(): TrackedUsage {
  return EMPTY;
}

/** True when the alloc holds resources on its node (non-terminal with resources). */
export function holdsResources(a: Allocation | undefined): a is Allocation {
  return a !== undefined && a.NodeID !== "" && a.AllocatedResources !== null && !allocIsTerminal(a);
}

/** A new usage with `a`'s resources added (sign 1) or removed (sign -1). */
export function adjustUsage(u: NodeUsage | undefined, a: Allocation, sign: 1 | -1): TrackedUsage {
  const base = (u as TrackedUsage | undefined) ?? EMPTY;
  let cpu = base.cpuMHz;
  let mem = base.memoryMB;
  let disk = base.diskMB;
  const portRefs = new Map(base.portRefs);
  const coreRefs = new Map(base.coreRefs);
  const ar = a.AllocatedResources;
  if (ar !== null) {
    for (const name of Object.keys(ar.Tasks)) {
      const t = ar.Tasks[name];
      if (t === undefined) continue;
      cpu += sign * t.Cpu.CpuShares;
      mem += sign * t.Memory.MemoryMB;
      for (const c of t.Cpu.ReservedCores) ref(coreRefs, c, sign);
      for (const n of t.Networks) {
        for (const p of n.ReservedPorts) if (p.Value > 0) ref(portRefs, p.Value, sign);
        for (const p of n.DynamicPorts) if (p.Value > 0) ref(portRefs, p.Value, sign);
      }
    }
    disk += sign * ar.Shared.DiskMB;
    for (const p of ar.Shared.Ports) if (p.Value > 0) ref(portRefs, p.Value, sign);
  }
  return {
    cpuMHz: cpu,
    memoryMB: mem,
    diskMB: disk,
    cores: new Set(coreRefs.keys()),
    ports: new Set(portRefs.keys()),
    portRefs,
    coreRefs,
  };
}

function ref(m: Map<number, number>, k: number, sign: 1 | -1): void {
  const n = (m.get(k) ?? 0) + sign;
  if (n <= 0) m.delete(k);
  else m.set(k, n);
}

/** Public view without the reference counts (what snapshots hand out). */
export function isEmptyUsage(u: NodeUsage): boolean {
  return u.cpuMHz === 0 && u.memoryMB === 0 && u.diskMB === 0 && u.ports.size === 0 && u.cores.size === 0;
}
