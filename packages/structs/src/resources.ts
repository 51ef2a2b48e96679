import { z } from "zod";
import {
  DEFAULT_TASK_CPU_MHZ,
  DEFAULT_TASK_MEMORY_MB,
  MIN_TASK_CPU_MHZ,
  MIN_TASK_MEMORY_MB,
} from "./defaults.js";
import { bool, int, list, str } from "./schema-helpers.js";

export const PortSchema = z
  .object({
    Label: str(),
    /** Static host port, or the host port chosen for a dynamic port once allocated; 0 = not yet chosen. */
    Value: int(0),
    /** Port inside the task's network namespace; -1 means "same as the host port". */
    To: int(0),
    HostNetwork: str("default"),
    IgnoreCollision: bool(false),
  })
  .loose();
export type Port = z.output<typeof PortSchema>;

export const NetworkResourceSchema = z
  .object({
    Mode: str("host"),
    Device: str(),
    CIDR: str(),
    IP: str(),
    Hostname: str(),
    MBits: int(0),
    ReservedPorts: list(PortSchema),
    DynamicPorts: list(PortSchema),
  })
  .loose()
  .superRefine((n, ctx) => {
    const labels = new Set<string>();
    const check = (ports: readonly Port[], field: string, isStatic: boolean): void => {
      ports.forEach((p, i) => {
        if (p.Label === "")
          ctx.addIssue({ code: "custom", path: [field, i, "Label"], message: "port label is required" });
        else if (labels.has(p.Label)) {
          ctx.addIssue({
            code: "custom",
            path: [field, i, "Label"],
            message: `duplicate port label "${p.Label}"`,
          });
        }
        labels.add(p.Label);
        if (isStatic && (p.Value < 1 || p.Value > 65535)) {
          ctx.addIssue({
            code: "custom",
            path: [field, i, "Value"],
            message: "static port must be within [1, 65535]",
          });
        }
        if (p.To < -1 || p.To > 65535) {
          ctx.addIssue({
            code: "custom",
            path: [field, i, "To"],
            message: "port To must be within [-1, 65535]",
          });
        }
      });
    };
    check(n.ReservedPorts, "ReservedPorts", true);
    check(n.DynamicPorts, "DynamicPorts", false);
  });
export type NetworkResource = z.output<typeof NetworkResourceSchema>;

/**
 * A task's resource ask. CPU is in MHz; Cores reserves whole cores exclusively and is
 * mutually exclusive with CPU (Nomad only defaults CPU when Cores is unset).
 */
export const ResourcesSchema = z
  .object({
    CPU: z.number().int().nullish(),
    Cores: int(0),
    MemoryMB: int(DEFAULT_TASK_MEMORY_MB),
    /** Oversubscription ceiling; 0 = no oversubscription. */
    MemoryMaxMB: int(0),
    DiskMB: int(0),
    IOPS: int(0),
    Networks: list(NetworkResourceSchema),
  })
  .loose()
  .transform((r) => ({ ...r, CPU: r.CPU ?? (r.Cores > 0 ? 0 : DEFAULT_TASK_CPU_MHZ) }))
  .superRefine((r, ctx) => {
    if (r.Cores < 0) ctx.addIssue({ code: "custom", path: ["Cores"], message: "cores must be >= 0" });
    if (r.Cores > 0 && r.CPU > 0) {
      ctx.addIssue({ code: "custom", path: ["CPU"], message: "only one of cores or cpu may be set" });
    }
    if (r.Cores === 0 && r.CPU < MIN_TASK_CPU_MHZ) {
      ctx.addIssue({ code: "custom", path: ["CPU"], message: `minimum CPU value is ${MIN_TASK_CPU_MHZ}` });
    }
    if (r.MemoryMB < MIN_TASK_MEMORY_MB) {
      ctx.addIssue({
        code: "custom",
        path: ["MemoryMB"],
        message: `minimum MemoryMB value is ${MIN_TASK_MEMORY_MB}`,
      });
    }
    if (r.MemoryMaxMB !== 0 && r.MemoryMaxMB < r.MemoryMB) {
      ctx.addIssue({ code: "custom", path: ["MemoryMaxMB"], message: "MemoryMaxMB must be >= MemoryMB" });
    }
    if (r.DiskMB < 0) ctx.addIssue({ code: "custom", path: ["DiskMB"], message: "DiskMB must be >= 0" });
  });
export type Resources = z.output<typeof ResourcesSchema>;

// ---- Allocated resources: what the scheduler actually granted an allocation ----

export const AllocatedPortMappingSchema = z
  .object({
    Label: str(),
    Value: int(0),
    To: int(0),
    HostIP: str(),
  })
  .loose();
export type AllocatedPortMapping = z.output<typeof AllocatedPortMappingSchema>;

export const AllocatedTaskResourcesSchema = z
  .object({
    Cpu: z
      .object({ CpuShares: int(0), ReservedCores: list(z.number().int()) })
      .nullish()
      .transform((v) => v ?? { CpuShares: 0, ReservedCores: [] }),
    Memory: z
      .object({ MemoryMB: int(0), MemoryMaxMB: int(0) })
      .nullish()
      .transform((v) => v ?? { MemoryMB: 0, MemoryMaxMB: 0 }),
    Networks: list(NetworkResourceSchema),
  })
  .loose();
export type AllocatedTaskResources = z.output<typeof AllocatedTaskResourcesSchema>;

export const AllocatedSharedResourcesSchema = z
  .object({
    Networks: list(NetworkResourceSchema),
    DiskMB: int(0),
    Ports: list(AllocatedPortMappingSchema),
  })
  .loose();
export type AllocatedSharedResources = z.output<typeof AllocatedSharedResourcesSchema>;

export const AllocatedResourcesSchema = z
  .object({
    Tasks: z
      .record(z.string(), AllocatedTaskResourcesSchema)
      .nullish()
      .transform((v) => v ?? {}),
    TaskLifecycles: z
      .record(z.string(), z.unknown())
      .nullish()
      .transform((v) => v ?? {}),
    Shared: AllocatedSharedResourcesSchema.nullish().transform(
      (v): AllocatedSharedResources => v ?? { Networks: [], DiskMB: 0, Ports: [] },
    ),
  })
  .loose();
export type AllocatedResources = z.output<typeof AllocatedResourcesSchema>;
