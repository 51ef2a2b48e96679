import { z } from "zod";
import { DEFAULT_MAX_DYNAMIC_PORT, DEFAULT_MIN_DYNAMIC_PORT, DEFAULT_NODE_POOL } from "./defaults.js";
import { parseWith } from "./errors.js";
import { NetworkResourceSchema } from "./resources.js";
import { bool, dict, int, list, maybe, num, str, stringMap } from "./schema-helpers.js";

export const NODE_STATUSES = ["initializing", "ready", "down", "disconnected"] as const;
export type NodeStatus = (typeof NODE_STATUSES)[number];
export const SCHEDULING_ELIGIBILITIES = ["eligible", "ineligible"] as const;
export type SchedulingEligibility = (typeof SCHEDULING_ELIGIBILITIES)[number];

export const DriverInfoSchema = z
  .object({
    Attributes: stringMap,
    Detected: bool(false),
    Healthy: bool(false),
    HealthDescription: str(),
    UpdateTime: str(),
  })
  .loose();
export type DriverInfo = z.output<typeof DriverInfoSchema>;

export const NodeResourcesSchema = z
  .object({
    Cpu: z
      .object({
        /** Total compute in MHz. */
        CpuShares: int(0),
        TotalCpuCores: int(0),
        /** Core IDs that tasks may reserve exclusively (`resources { cores = N }`). */
        ReservableCpuCores: list(z.number().int()),
      })
      .loose()
      .nullish()
      .transform((v) => v ?? { CpuShares: 0, TotalCpuCores: 0, ReservableCpuCores: [] }),
    Memory: z
      .object({ MemoryMB: int(0) })
      .nullish()
      .transform((v) => v ?? { MemoryMB: 0 }),
    Disk: z
      .object({ DiskMB: int(0) })
      .nullish()
      .transform((v) => v ?? { DiskMB: 0 }),
    Networks: list(NetworkResourceSchema),
    NodeNetworks: list(z.unknown()),
    MinDynamicPort: int(DEFAULT_MIN_DYNAMIC_PORT),
    MaxDynamicPort: int(DEFAULT_MAX_DYNAMIC_PORT),
  })
  .loose()
  .transform((r) => ({
    ...r,
    // Older nodes report 0 for the range: fall back to Nomad's defaults.
    MinDynamicPort: r.MinDynamicPort > 0 ? r.MinDynamicPort : DEFAULT_MIN_DYNAMIC_PORT,
    MaxDynamicPort: r.MaxDynamicPort > 0 ? r.MaxDynamicPort : DEFAULT_MAX_DYNAMIC_PORT,
  }));
export type NodeResources = z.output<typeof NodeResourcesSchema>;

export const NodeReservedResourcesSchema = z
  .object({
    Cpu: z
      .object({ CpuShares: int(0), ReservedCpuCores: list(z.number().int()) })
      .nullish()
      .transform((v) => v ?? { CpuShares: 0, ReservedCpuCores: [] }),
    Memory: z
      .object({ MemoryMB: int(0) })
      .nullish()
      .transform((v) => v ?? { MemoryMB: 0 }),
    Disk: z
      .object({ DiskMB: int(0) })
      .nullish()
      .transform((v) => v ?? { DiskMB: 0 }),
    /** `ReservedHostPorts` is Nomad's port-spec string, e.g. `"22,80,8000-8080"`. */
    Networks: z
      .object({ ReservedHostPorts: str() })
      .nullish()
      .transform((v) => v ?? { ReservedHostPorts: "" }),
  })
  .loose();
export type NodeReservedResources = z.output<typeof NodeReservedResourcesSchema>;

export const DrainStrategySchema = z
  .object({
    DrainSpec: z
      .object({ Deadline: int(0), IgnoreSystemJobs: bool(false) })
      .nullish()
      .transform((v) => v ?? { Deadline: 0, IgnoreSystemJobs: false }),
    ForceDeadline: str(),
    StartedAt: str(),
  })
  .loose();
export type DrainStrategy = z.output<typeof DrainStrategySchema>;

export const NodeSchema = z
  .object({
    ID: z.string().min(1, "node ID is required"),
    SecretID: str(),
    Datacenter: str("dc1"),
    Name: str(),
    HTTPAddr: str(),
    TLSEnabled: bool(false),
    Attributes: stringMap,
    NodeResources: NodeResourcesSchema.nullish().transform((v) => v ?? NodeResourcesSchema.parse({})),
    ReservedResources: NodeReservedResourcesSchema.nullish().transform(
      (v) => v ?? NodeReservedResourcesSchema.parse({}),
    ),
    Links: stringMap,
    Meta: stringMap,
    NodeClass: str(),
    NodePool: str(DEFAULT_NODE_POOL),
    ComputedClass: str(),
    DrainStrategy: maybe(DrainStrategySchema),
    SchedulingEligibility: z
      .enum(SCHEDULING_ELIGIBILITIES)
      .nullish()
      .transform((v): SchedulingEligibility => v ?? "eligible"),
    Status: z
      .enum(NODE_STATUSES)
      .nullish()
      .transform((v): NodeStatus => v ?? "initializing"),
    StatusDescription: str(),
    StatusUpdatedAt: num(0),
    Drivers: dict(DriverInfoSchema),
    NodeMaxAllocs: int(0),
    CreateIndex: int(0),
    ModifyIndex: int(0),
  })
  .loose();
export type Node = z.output<typeof NodeSchema>;

export function parseNode(input: unknown): Node {
  return parseWith("node", NodeSchema, input);
}

/** A node takes new placements only when ready, eligible and not draining. */
export function nodeAcceptsPlacements(node: Node): boolean {
  return node.Status === "ready" && node.SchedulingEligibility === "eligible" && node.DrainStrategy === null;
}

/** Parses Nomad's port-spec string (`"22,80,8000-8080"`) into port numbers; bad parts are an error. */
export function parsePortSpec(spec: string): number[] {
  const out: number[] = [];
  for (const raw of spec.split(",")) {
    const part = raw.trim();
    if (part === "") continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (m === null) throw new Error(`invalid port spec "${part}"`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo < 1 || hi > 65535 || hi < lo) throw new Error(`invalid port range "${part}"`);
    for (let p = lo; p <= hi; p++) out.push(p);
  }
  return out;
}
