// Merges the latest result of every fingerprinter into one node fingerprint, as Nomad's
// client merges fingerprint responses into its Node: attributes unioned, each resource
// from its one owner, reserved resources from configuration, drivers folded into the
// `Drivers` map and into `driver.<name>` attributes.

import type {
  Allocatable,
  DriverInfo,
  FingerprintResult,
  FingerprinterStatus,
  HostFingerprint,
  NodeReservedResources,
  NodeResources,
} from "./types.js";
import type { FingerprintConfig } from "./config.js";
import { byKey } from "./order.js";

export interface FingerprinterEntry {
  /** Last successful result; kept while the fingerprinter is degraded (stale but real). */
  result: FingerprintResult | undefined;
  status: FingerprinterStatus;
}

export function reservedResources(config: FingerprintConfig): NodeReservedResources {
  return {
    Cpu: { CpuShares: config.reserved.cpu, ReservedCpuCores: [...config.reserved.cores] },
    Memory: { MemoryMB: config.reserved.memory },
    Disk: { DiskMB: config.reserved.disk },
    Networks: { ReservedHostPorts: config.reserved.reserved_ports },
  };
}

export function emptyNodeResources(): NodeResources {
  return {
    Cpu: { CpuShares: 0, TotalCpuCores: 0, ReservableCpuCores: [] },
    Memory: { MemoryMB: 0 },
    Disk: { DiskMB: 0 },
    Networks: [],
    NodeNetworks: [],
  };
}

export function allocatableOf(
  resources: NodeResources,
  reserved: NodeReservedResources,
  attributes: Record<string, string>,
): Allocatable {
  // cpu.usablecompute already has reserved MHz and reserved cores taken out.
  const usable = attributes["cpu.usablecompute"];
  const cpuMHz =
    usable !== undefined ? Number(usable) : Math.max(0, resources.Cpu.CpuShares - reserved.Cpu.CpuShares);
  return {
    cpuMHz,
    memoryMB: Math.max(0, resources.Memory.MemoryMB - reserved.Memory.MemoryMB),
    diskMB: Math.max(0, resources.Disk.DiskMB - reserved.Disk.DiskMB),
    cores: resources.Cpu.ReservableCpuCores.length,
  };
}

export function assemble(
  entries: ReadonlyMap<string, FingerprinterEntry>,
  drivers: Record<string, DriverInfo>,
  config: FingerprintConfig,
): HostFingerprint {
  const attributes: Record<string, string> = {};
  const resources = emptyNodeResources();
  const links: Record<string, string> = {};
  const fingerprinters: Record<string, FingerprinterStatus> = {};
  let id = "";
  for (const [name, entry] of entries) {
    fingerprinters[name] = { ...entry.status };
    const r = entry.result;
    if (r === undefined) continue;
    Object.assign(attributes, r.attributes);
    Object.assign(links, r.links ?? {});
    if (r.nodeId !== undefined) id = r.nodeId;
    const res = r.resources;
    if (res === undefined) continue;
    if (res.cpu !== undefined)
      resources.Cpu = { ...res.cpu, ReservableCpuCores: [...res.cpu.ReservableCpuCores] };
    if (res.memoryMB !== undefined) resources.Memory = { MemoryMB: res.memoryMB };
    if (res.diskMB !== undefined) resources.Disk = { DiskMB: res.diskMB };
    if (res.networks !== undefined) resources.Networks = res.networks.map((n) => ({ ...n }));
    if (res.nodeNetworks !== undefined) {
      resources.NodeNetworks = res.nodeNetworks.map((n) => ({
        ...n,
        Addresses: n.Addresses.map((a) => ({ ...a })),
      }));
    }
  }
  const sortedDrivers = Object.entries(drivers).sort(byKey);
  for (const [name, info] of sortedDrivers) {
    Object.assign(attributes, info.Attributes);
    // Nomad keeps `driver.<name> = "1"` for every detected driver, for old constraints.
    if (info.Detected) attributes[`driver.${name}`] = "1";
    else delete attributes[`driver.${name}`];
  }
  const reserved = reservedResources(config);
  const sortedAttributes = Object.fromEntries(Object.entries(attributes).sort(byKey));
  return {
    node: {
      ID: id,
      Attributes: sortedAttributes,
      NodeResources: resources,
      ReservedResources: reserved,
      Links: links,
      Drivers: structuredClone(Object.fromEntries(sortedDrivers)),
    },
    allocatable: allocatableOf(resources, reserved, attributes),
    fingerprinters,
  };
}
