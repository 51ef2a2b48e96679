import type { Node } from "./node.js";

// Nomad groups nodes into a "computed class": nodes that agree on every property a
// constraint could look at (except unique.* ones) share a class, so feasibility computed
// for one node of a class holds for all of them. Ours is a 64-bit FNV-1a hash over the
// same inputs, rendered "v1:<decimal>" like Nomad's.

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

function fnv1a(text: string): bigint {
  let h = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * FNV_PRIME) & MASK;
  }
  return h;
}

/** True for keys that identify one machine (Nomad's `unique.` prefix): they escape class. */
export function isUniqueKey(key: string): boolean {
  return key.startsWith("unique.");
}

function sortedEntries(map: Readonly<Record<string, string>>): string {
  return Object.keys(map)
    .filter((k) => !isUniqueKey(k))
    .sort()
    .map((k) => `${k}=${map[k]}`)
    .join("\u0000");
}

export function computeNodeClass(node: Node): string {
  const drivers = Object.keys(node.Drivers)
    .sort()
    .map(
      (d) => `${d}:${node.Drivers[d]?.Detected === true ? 1 : 0}${node.Drivers[d]?.Healthy === true ? 1 : 0}`,
    )
    .join(",");
  const text = [
    node.Datacenter,
    node.NodeClass,
    node.NodePool,
    sortedEntries(node.Attributes),
    sortedEntries(node.Meta),
    drivers,
  ].join("\u0001");
  return `v1:${fnv1a(text).toString()}`;
}

/** A constraint target that reads a unique property cannot be decided per class. */
export function targetEscapesClass(target: string): boolean {
  return (
    target.includes("${node.unique.") ||
    target.includes("${attr.unique.") ||
    target.includes("${meta.unique.")
  );
}
