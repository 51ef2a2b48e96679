// From the client config and a host fingerprint to the structs' Node the servers schedule
// on, and from the client config to the fingerprint package's config (Nomad's key names).

import { computeNodeClass, parseNode, type Node, type NodeStatus } from "@nomad/structs";
import type { FingerprintConfigInput, HostFingerprint } from "@nomad/fingerprint";
import type { ClientConfig } from "../config.js";

function listOption(options: Record<string, string>, key: string): string[] {
  const v = options[key];
  return v === undefined
    ? []
    : v
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
}

export function fingerprintConfigOf(config: ClientConfig): FingerprintConfigInput {
  const out: FingerprintConfigInput = {
    // -dev keeps nothing: no data/state dir means a node ID for this run only (Nomad's -dev).
    ...(config.devMode || config.dataDir === undefined ? {} : { data_dir: config.dataDir }),
    ...(config.devMode || config.stateDir === undefined ? {} : { state_dir: config.stateDir }),
    ...(config.allocDir === undefined ? {} : { alloc_dir: config.allocDir }),
    network_interface: config.networkInterface,
    cpu_total_compute: config.fingerprint.cpuTotalCompute,
    memory_total_mb: config.fingerprint.memoryTotalMb,
    disk_total_mb: config.fingerprint.diskTotalMb,
    reserved: {
      cpu: config.reserved.cpu,
      cores: config.reserved.cores,
      memory: config.reserved.memory,
      disk: config.reserved.disk,
      reserved_ports: config.reserved.reservedPorts,
    },
    no_host_uuid: config.fingerprint.noHostUuid,
    drivers: {
      raw_exec: { enabled: config.rawExecEnabled },
      exec: { enabled: config.execEnabled },
      mock_driver: { enabled: config.mockDriverEnabled },
    },
    driver_allowlist: listOption(config.options, "driver.allowlist"),
    driver_denylist: listOption(config.options, "driver.denylist"),
    fingerprint_allowlist: listOption(config.options, "fingerprint.allowlist"),
    fingerprint_denylist: listOption(config.options, "fingerprint.denylist"),
    periodic_intervals_ms: config.fingerprint.periodicIntervalsMs,
  };
  if (config.httpAdvertise !== "") out.http_addr = config.httpAdvertise;
  return out;
}

export interface NodeIdentity {
  secretID: string;
}

/** The Node registered with the servers; `Status` starts `initializing` (Nomad). */
export function buildNode(
  config: ClientConfig,
  fp: HostFingerprint,
  identity: NodeIdentity,
  status: NodeStatus = "initializing",
): Node {
  const node = parseNode({
    ID: fp.node.ID,
    SecretID: identity.secretID,
    Name: config.nodeName,
    Datacenter: config.datacenter,
    NodeClass: config.nodeClass,
    NodePool: config.nodePool,
    Meta: { ...config.meta },
    Attributes: { ...fp.node.Attributes },
    NodeResources: structuredClone(fp.node.NodeResources),
    ReservedResources: structuredClone(fp.node.ReservedResources),
    Links: { ...fp.node.Links },
    Drivers: structuredClone(fp.node.Drivers),
    HTTPAddr: config.httpAdvertise,
    Status: status,
    SchedulingEligibility: "eligible",
  });
  node.ComputedClass = computeNodeClass(node);
  return node;
}
