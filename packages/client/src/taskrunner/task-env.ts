// The task environment Nomad builds (reference/NOMAD.md 6.3): NOMAD_* variables from the
// alloc, the node and the task's resources, the agent's own environment minus a deny list,
// and the task's `env` block; plus `${...}` interpolation of env values and driver config.

import type { Allocation, Job, Node, Task, TaskGroup } from "@nomad/structs";
import { allocIndex } from "@nomad/structs";

/** Nomad's default `env.denylist`: agent secrets that must not leak into tasks. */
export const DEFAULT_ENV_DENYLIST: readonly string[] = [
  "CONSUL_TOKEN",
  "CONSUL_HTTP_TOKEN",
  "CONSUL_HTTP_TOKEN_FILE",
  "VAULT_TOKEN",
  "NOMAD_TOKEN",
  "NOMAD_LICENSE",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "GOOGLE_APPLICATION_CREDENTIALS",
];

export interface TaskEnvInput {
  alloc: Allocation;
  job: Job;
  group: TaskGroup;
  task: Task;
  node: Node;
  region: string;
  /** `<alloc_dir>/<alloc_id>/alloc`. */
  allocSharedDir: string;
  /** `<task>/local`. */
  taskLocalDir: string;
  /** `<task>/secrets`. */
  secretsDir: string;
  /** The agent's environment (default: none); filtered by `envDenylist`. */
  hostEnv?: Readonly<Record<string, string | undefined>> | undefined;
  envDenylist?: readonly string[] | undefined;
}

export interface TaskEnv {
  /** The final environment of the task. */
  env: Record<string, string>;
  /** `${...}` resolution: env vars plus `attr.*`, `node.*`, `meta.*`. */
  lookup: Map<string, string>;
}

export function buildTaskEnv(input: TaskEnvInput): TaskEnv {
  const { alloc, job, group, task, node } = input;
  const env: Record<string, string> = {};
  const deny = new Set(input.envDenylist ?? DEFAULT_ENV_DENYLIST);
  for (const [k, v] of Object.entries(input.hostEnv ?? {})) {
    if (v !== undefined && !deny.has(k)) env[k] = v;
  }
  const nomad: Record<string, string> = {
    NOMAD_ALLOC_DIR: input.allocSharedDir,
    NOMAD_TASK_DIR: input.taskLocalDir,
    NOMAD_SECRETS_DIR: input.secretsDir,
    NOMAD_ALLOC_ID: alloc.ID,
    NOMAD_SHORT_ALLOC_ID: alloc.ID.slice(0, 8),
    NOMAD_ALLOC_NAME: alloc.Name,
    NOMAD_ALLOC_INDEX: String(Math.max(0, allocIndex(alloc.Name))),
    NOMAD_TASK_NAME: task.Name,
    NOMAD_GROUP_NAME: group.Name,
    NOMAD_JOB_ID: job.ID,
    NOMAD_JOB_NAME: job.Name,
    NOMAD_DC: node.Datacenter,
    NOMAD_REGION: input.region,
    NOMAD_NAMESPACE: alloc.Namespace,
  };
  if (job.ParentID !== "") nomad["NOMAD_JOB_PARENT_ID"] = job.ParentID;
  const res = alloc.AllocatedResources?.Tasks[task.Name];
  const cpu = res?.Cpu.CpuShares ?? task.Resources.CPU;
  const mem = res?.Memory.MemoryMB ?? task.Resources.MemoryMB;
  const memMax = res?.Memory.MemoryMaxMB ?? task.Resources.MemoryMaxMB;
  nomad["NOMAD_CPU_LIMIT"] = String(cpu);
  const cores = res?.Cpu.ReservedCores ?? [];
  if (cores.length > 0) nomad["NOMAD_CPU_CORES"] = cores.join(",");
  nomad["NOMAD_MEMORY_LIMIT"] = String(mem);
  if (memMax > 0) nomad["NOMAD_MEMORY_MAX_LIMIT"] = String(memMax);
  // Meta: job, then group, then task (more specific wins), under both the key as written
  // and upper-cased, as Nomad does.
  const meta = { ...job.Meta, ...group.Meta, ...task.Meta };
  for (const [k, v] of Object.entries(meta)) {
    nomad[`NOMAD_META_${k}`] = v;
    nomad[`NOMAD_META_${k.toUpperCase()}`] = v;
  }
  for (const p of allocPorts(alloc, task.Name)) {
    const hostPort = String(p.value);
    nomad[`NOMAD_IP_${p.label}`] = p.ip;
    nomad[`NOMAD_HOST_PORT_${p.label}`] = hostPort;
    nomad[`NOMAD_ADDR_${p.label}`] = joinHostPort(p.ip, hostPort);
    nomad[`NOMAD_PORT_${p.label}`] = String(p.to > 0 ? p.to : p.value);
  }
  Object.assign(env, nomad);

  const lookup = new Map<string, string>(Object.entries(env));
  for (const [k, v] of Object.entries(node.Attributes)) lookup.set(`attr.${k}`, v);
  for (const [k, v] of Object.entries(node.Meta)) {
    lookup.set(`meta.${k}`, v);
    lookup.set(`node.meta.${k}`, v);
  }
  lookup.set("node.unique.id", node.ID);
  lookup.set("node.unique.name", node.Name);
  lookup.set("node.datacenter", node.Datacenter);
  lookup.set("node.region", input.region);
  lookup.set("node.class", node.NodeClass);
  lookup.set("node.pool", node.NodePool);

  // The task's env block: values may refer to NOMAD_* and node values; the task's own keys
  // override inherited ones but never the NOMAD_* the client sets.
  for (const [k, v] of Object.entries(task.Env)) {
    if (k in nomad) continue;
    const value = interpolate(v, lookup);
    env[k] = value;
  }
  for (const [k, v] of Object.entries(env)) lookup.set(k, v);
  return { env, lookup };
}

/** Replaces `${name}` with its value; unknown names stay as written (as Nomad does). */
export function interpolate(text: string, lookup: ReadonlyMap<string, string>): string {
  return text.replace(/\$\{([^{}]+)\}/g, (whole, name: string) => lookup.get(name.trim()) ?? whole);
}

/** Interpolates every string inside a driver config (nested lists and maps too). */
export function interpolateConfig(value: unknown, lookup: ReadonlyMap<string, string>): unknown {
  if (typeof value === "string") return interpolate(value, lookup);
  if (Array.isArray(value)) return value.map((v) => interpolateConfig(v, lookup));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolateConfig(v, lookup);
    return out;
  }
  return value;
}

interface PortEnv {
  label: string;
  value: number;
  to: number;
  ip: string;
}

function allocPorts(alloc: Allocation, taskName: string): PortEnv[] {
  const out = new Map<string, PortEnv>();
  const r = alloc.AllocatedResources;
  if (r === null || r === undefined) return [];
  const networks = [...(r.Tasks[taskName]?.Networks ?? []), ...r.Shared.Networks];
  for (const n of networks) {
    for (const p of [...n.ReservedPorts, ...n.DynamicPorts]) {
      out.set(p.Label, { label: p.Label, value: p.Value, to: p.To, ip: n.IP });
    }
  }
  // Group-level port mappings (Nomad 1.0+) are the authoritative form when present.
  for (const p of r.Shared.Ports)
    out.set(p.Label, { label: p.Label, value: p.Value, to: p.To, ip: p.HostIP });
  return [...out.values()];
}

function joinHostPort(ip: string, port: string): string {
  return ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;
}
