// Shapes of a fingerprint. Field names that a Nomad server reads (Node.Attributes,
// NodeResources, ReservedResources, Drivers, Links) keep Nomad's PascalCase JSON names so
// the result can be sent as-is; everything that is ours (allocatable, fingerprinter
// status) is camelCase and lives outside `node`.

import type { FingerprintConfig } from "./config.js";
import type { HostProbe } from "./probe/host-probe.js";

/** Nomad's `NodeResources.Cpu` (legacy CPU view, still filled by 1.7+ clients). */
export interface NodeCpuResources {
  /** Total compute in MHz (`cpu.totalcompute`). */
  CpuShares: number;
  /** Number of usable cores. */
  TotalCpuCores: number;
  /** IDs of cores a task may reserve with `resources { cores = N }`. */
  ReservableCpuCores: number[];
}

export interface NetworkResource {
  Mode: "host";
  Device: string;
  CIDR: string;
  IP: string;
  MBits: number;
}

export interface NodeNetworkAddress {
  Alias: string;
  Address: string;
  Family: "ipv4" | "ipv6";
  ReservedPorts: string;
}

export interface NodeNetworkResource {
  Mode: "host";
  Device: string;
  MacAddress: string;
  Speed: number;
  Addresses: NodeNetworkAddress[];
}

export interface NodeResources {
  Cpu: NodeCpuResources;
  Memory: { MemoryMB: number };
  Disk: { DiskMB: number };
  Networks: NetworkResource[];
  NodeNetworks: NodeNetworkResource[];
}

export interface NodeReservedResources {
  Cpu: { CpuShares: number; ReservedCpuCores: number[] };
  Memory: { MemoryMB: number };
  Disk: { DiskMB: number };
  Networks: { ReservedHostPorts: string };
}

/** Nomad's node `DriverInfo`, one per driver in `Node.Drivers`. */
export interface DriverInfo {
  Attributes: Record<string, string>;
  Detected: boolean;
  Healthy: boolean;
  HealthDescription: string;
  /** RFC 3339 time of the last change of this entry (Nomad's JSON form of a Go time). */
  UpdateTime: string;
}

/** The part of a Nomad `Node` that fingerprinting fills. */
export interface NodeFingerprint {
  ID: string;
  Attributes: Record<string, string>;
  NodeResources: NodeResources;
  ReservedResources: NodeReservedResources;
  Links: Record<string, string>;
  Drivers: Record<string, DriverInfo>;
}

/** What the node can hand out to tasks: totals with the reserved share taken out. */
export interface Allocatable {
  cpuMHz: number;
  memoryMB: number;
  diskMB: number;
  /** Whole cores a task may reserve exclusively. */
  cores: number;
}

export type FingerprinterState = "ok" | "undetected" | "degraded";

export interface FingerprinterStatus {
  state: FingerprinterState;
  /** Why the fingerprinter is degraded or undetected; absent when ok. */
  reason?: string;
  /** Clock time (ms) of the last run, successful or not. */
  lastRunMs: number;
}

export interface HostFingerprint {
  node: NodeFingerprint;
  allocatable: Allocatable;
  fingerprinters: Record<string, FingerprinterStatus>;
}

/** Health of a driver as its detector sees it; mapped to Detected/Healthy as Nomad does. */
export type DriverHealth = "undetected" | "unhealthy" | "healthy";

export interface DriverFingerprint {
  health: DriverHealth;
  healthDescription: string;
  attributes: Record<string, string>;
}

/** Resource pieces one fingerprinter may report; the assembler merges them. */
export interface PartialResources {
  cpu?: NodeCpuResources;
  memoryMB?: number;
  diskMB?: number;
  networks?: NetworkResource[];
  nodeNetworks?: NodeNetworkResource[];
}

export interface FingerprintResult {
  /** False when the thing fingerprinted is absent (no cgroups, no network): not an error. */
  detected: boolean;
  /** Why it is undetected, for the status; ignored when detected. */
  reason?: string;
  attributes: Record<string, string>;
  resources?: PartialResources;
  links?: Record<string, string>;
  nodeId?: string;
  drivers?: Record<string, DriverFingerprint>;
}

export interface FingerprintContext {
  probe: HostProbe;
  config: FingerprintConfig;
}

/**
 * One small source of node facts. `fingerprint` may throw or reject: the manager turns
 * that into a degraded status for this fingerprinter and keeps the others.
 */
export interface Fingerprinter {
  readonly name: string;
  /** Refresh interval in ms for a periodic fingerprinter; null when it runs once at start. */
  readonly periodicIntervalMs: number | null;
  fingerprint(ctx: FingerprintContext): Promise<FingerprintResult>;
}
