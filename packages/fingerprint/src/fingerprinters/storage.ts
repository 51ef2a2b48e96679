// unique.storage.{volume,bytestotal,bytesfree} and DiskMB for the alloc dir's filesystem,
// through statfs(2) rather than `df` (Nomad spawns df; we may not spawn on a refresh).
//
// DiskMB is the volume's total size, as Nomad computes it since 2.0 (hashicorp/nomad
// #27019): free space would count the node's own running allocations twice, once in their
// allocated disk and once as missing free space. bytesfree is still reported for
// constraints written against earlier Nomad versions. Run once at start, as in Nomad: free
// bytes move with every write and would otherwise re-register the node constantly.

import * as path from "node:path";
import type { Fingerprinter } from "../types.js";
import type { HostProbe } from "../probe/host-probe.js";
import { allocDirOf } from "../config.js";
import { mountOf, parseMountInfo } from "../parse/mountinfo.js";

const MIB = 1024 * 1024;

/** The nearest existing ancestor: the alloc dir may not exist before the first alloc. */
async function existingAncestor(probe: HostProbe, p: string): Promise<string> {
  let cur = path.resolve(p);
  for (;;) {
    try {
      return await probe.realpath(cur);
    } catch {
      const parent = path.dirname(cur);
      if (parent === cur) throw new Error(`no existing ancestor of ${p}`);
      cur = parent;
    }
  }
}

async function volumeOf(probe: HostProbe, absPath: string): Promise<string> {
  try {
    const mount = mountOf(parseMountInfo(await probe.readText("/proc/self/mountinfo")), absPath);
    if (mount !== undefined) return mount.source;
  } catch {
    // The volume name is informative only; sizes come from statfs.
  }
  return "";
}

export const storageFingerprinter: Fingerprinter = {
  name: "storage",
  periodicIntervalMs: null,
  async fingerprint({ probe, config }) {
    const dir = await existingAncestor(probe, allocDirOf(config) ?? process.cwd());
    const s = await probe.statfs(dir);
    let total = s.blocks * s.bsize;
    const free = s.bavail * s.bsize;
    if (config.disk_total_mb > 0) total = config.disk_total_mb * MIB;
    const attributes: Record<string, string> = {
      "unique.storage.bytestotal": String(total),
      "unique.storage.bytesfree": String(free),
    };
    const volume = await volumeOf(probe, dir);
    if (volume !== "") attributes["unique.storage.volume"] = volume;
    return { detected: true, attributes, resources: { diskMB: Math.floor(total / MIB) } };
  },
};
