import type { Job, TaskGroup } from "@nomad/structs";

/** One port a group asks for. `value` is the static host port, or 0 for a dynamic one. */
export interface PortAsk {
  readonly label: string;
  readonly value: number;
  readonly to: number;
  /** Index into the group's networks (or -1 for a task-level network). */
  readonly task: string | null;
}

export interface TaskAsk {
  readonly name: string;
  readonly cpuMHz: number;
  readonly cores: number;
  readonly memoryMB: number;
  readonly memoryMaxMB: number;
}

/** Everything one allocation of a task group needs from a node, summed once per eval. */
export interface GroupAsk {
  readonly group: TaskGroup;
  readonly tasks: readonly TaskAsk[];
  readonly cpuMHz: number;
  readonly cores: number;
  readonly memoryMB: number;
  readonly diskMB: number;
  readonly staticPorts: readonly PortAsk[];
  readonly dynamicPorts: readonly PortAsk[];
  /** Drivers the group's tasks need. */
  readonly drivers: readonly string[];
}

export function groupAsk(group: TaskGroup): GroupAsk {
  const staticPorts: PortAsk[] = [];
  const dynamicPorts: PortAsk[] = [];
  const collect = (nets: TaskGroup["Networks"], task: string | null): void => {
    for (const n of nets) {
      for (const p of n.ReservedPorts) staticPorts.push({ label: p.Label, value: p.Value, to: p.To, task });
      for (const p of n.DynamicPorts) dynamicPorts.push({ label: p.Label, value: 0, to: p.To, task });
    }
  };
  collect(group.Networks, null);
  let cpu = 0;
  let cores = 0;
  let mem = 0;
  const tasks: TaskAsk[] = [];
  const drivers = new Set<string>();
  for (const t of group.Tasks) {
    collect(t.Resources.Networks, t.Name);
    cpu += t.Resources.CPU;
    cores += t.Resources.Cores;
    mem += t.Resources.MemoryMB;
    drivers.add(t.Driver);
    tasks.push({
      name: t.Name,
      cpuMHz: t.Resources.CPU,
      cores: t.Resources.Cores,
      memoryMB: t.Resources.MemoryMB,
      memoryMaxMB: t.Resources.MemoryMaxMB,
    });
  }
  return {
    group,
    tasks,
    cpuMHz: cpu,
    cores,
    memoryMB: mem,
    diskMB: group.EphemeralDisk.SizeMB,
    staticPorts,
    dynamicPorts,
    drivers: [...drivers].sort(),
  };
}

export function jobAsks(job: Job): Map<string, GroupAsk> {
  const out = new Map<string, GroupAsk>();
  for (const g of job.TaskGroups) out.set(g.Name, groupAsk(g));
  return out;
}
