// What changed between two fingerprints, to decide whether the client must re-register.
// Only values a server sees count (attributes, resources, drivers, node ID) plus the
// fingerprinters' states; run times never do.

import { isDeepStrictEqual } from "node:util";
import type { HostFingerprint } from "../types.js";

export interface FingerprintDiff {
  attributesAdded: string[];
  attributesRemoved: string[];
  attributesChanged: string[];
  resourcesChanged: boolean;
  /** Drivers whose Detected, Healthy, HealthDescription or Attributes changed. */
  driversChanged: string[];
  /** Fingerprinters whose state (ok / undetected / degraded) or reason changed. */
  statusChanged: string[];
  /** True when anything a Nomad server stores for the node changed. */
  nodeChanged: boolean;
}

export function diffFingerprints(prev: HostFingerprint, next: HostFingerprint): FingerprintDiff {
  const a = prev.node.Attributes;
  const b = next.node.Attributes;
  const attributesAdded = Object.keys(b).filter((k) => !(k in a));
  const attributesRemoved = Object.keys(a).filter((k) => !(k in b));
  const attributesChanged = Object.keys(b).filter((k) => k in a && a[k] !== b[k]);
  const resourcesChanged =
    !isDeepStrictEqual(prev.node.NodeResources, next.node.NodeResources) ||
    !isDeepStrictEqual(prev.node.ReservedResources, next.node.ReservedResources) ||
    !isDeepStrictEqual(prev.node.Links, next.node.Links);
  const driverNames = new Set([...Object.keys(prev.node.Drivers), ...Object.keys(next.node.Drivers)]);
  const driversChanged = [...driverNames].filter((name) => {
    const p = prev.node.Drivers[name];
    const n = next.node.Drivers[name];
    if (p === undefined || n === undefined) return true;
    return (
      p.Detected !== n.Detected ||
      p.Healthy !== n.Healthy ||
      p.HealthDescription !== n.HealthDescription ||
      !isDeepStrictEqual(p.Attributes, n.Attributes)
    );
  });
  const names = new Set([...Object.keys(prev.fingerprinters), ...Object.keys(next.fingerprinters)]);
  const statusChanged = [...names].filter((name) => {
    const p = prev.fingerprinters[name];
    const n = next.fingerprinters[name];
    return p?.state !== n?.state || p?.reason !== n?.reason;
  });
  const nodeChanged =
    prev.node.ID !== next.node.ID ||
    attributesAdded.length + attributesRemoved.length + attributesChanged.length > 0 ||
    resourcesChanged ||
    driversChanged.length > 0;
  return {
    attributesAdded,
    attributesRemoved,
    attributesChanged,
    resourcesChanged,
    driversChanged,
    statusChanged,
    nodeChanged,
  };
}

export function hasChanges(d: FingerprintDiff): boolean {
  return d.nodeChanged || d.statusChanged.length > 0;
}
