// Which cgroup hierarchy this process lives in, and the directory of its own cgroup per
// controller, from /proc/self/mountinfo and /proc/self/cgroup. Works inside containers
// whether or not they have a cgroup namespace: the path in /proc/self/cgroup is taken
// relative to the root of the mount that /proc/self/mountinfo shows.

import * as path from "node:path";
import type { HostProbe } from "../probe/host-probe.js";
import { parseMountInfo, type MountInfoEntry } from "../parse/mountinfo.js";

export type CgroupVersion = 1 | 2;

export interface CgroupLayout {
  version: CgroupVersion;
  /**
   * Nomad's `unique.cgroup.mountpoint`: the cgroup2 mount in v2; in v1 the directory that
   * holds the controller mounts (usually /sys/fs/cgroup).
   */
  mountPoint: string;
  /** This process's cgroup directory for a controller ("memory", "cpu", "cpuset"), if mounted. */
  dirOf(controller: string): CgroupDir | undefined;
}

export interface CgroupDir {
  /** The process's own cgroup directory. */
  dir: string;
  /** The mount point: walking up from `dir` stops here. */
  top: string;
}

// Nomad decides the mode by what is mounted at /sys/fs/cgroup: cgroup2 there means v2;
// a hybrid host (v1 controllers plus a cgroup2 at /sys/fs/cgroup/unified) is v1.
const STANDARD_ROOT = "/sys/fs/cgroup";

interface ProcCgroupLine {
  controllers: string[];
  path: string;
}

function parseProcCgroup(text: string): ProcCgroupLine[] {
  const out: ProcCgroupLine[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const first = line.indexOf(":");
    const second = line.indexOf(":", first + 1);
    if (first < 0 || second < 0) continue;
    out.push({ controllers: line.slice(first + 1, second).split(","), path: line.slice(second + 1) });
  }
  return out;
}

function joinWithin(mount: MountInfoEntry, cgroupPath: string): CgroupDir {
  // Inside a container the mount root is the container's own cgroup ("/docker/<id>")
  // and /proc/self/cgroup may show the same path: the relative part is then empty.
  const rel = path.posix.relative(mount.root, cgroupPath);
  const inside = rel !== "" && !rel.startsWith("..") && !path.posix.isAbsolute(rel);
  return { dir: inside ? path.posix.join(mount.mountPoint, rel) : mount.mountPoint, top: mount.mountPoint };
}

/** Reads the layout; undefined when no cgroup filesystem is mounted (cgroups off). */
export async function detectCgroups(probe: HostProbe): Promise<CgroupLayout | undefined> {
  let mountInfo: string;
  try {
    mountInfo = await probe.readText("/proc/self/mountinfo");
  } catch (err) {
    // No /proc at all (macOS, some sandboxes): no cgroups, not a failure.
    if ((err as { code?: unknown }).code === "ENOENT") return undefined;
    throw err;
  }
  const mounts = parseMountInfo(mountInfo);
  const v2Mounts = mounts.filter((m) => m.fsType === "cgroup2");
  const v1Mounts = mounts.filter((m) => m.fsType === "cgroup");
  let lines: ProcCgroupLine[] = [];
  try {
    lines = parseProcCgroup(await probe.readText("/proc/self/cgroup"));
  } catch {
    // Without our own cgroup path the mount roots are still right for an unnested process.
  }
  const v2Path = lines.find((l) => l.controllers.length === 1 && l.controllers[0] === "")?.path ?? "/";

  const standardV2 = v2Mounts.find((m) => m.mountPoint === STANDARD_ROOT);
  const onlyV2 = v1Mounts.length === 0 ? v2Mounts[0] : undefined;
  const unified = standardV2 ?? onlyV2;
  if (unified !== undefined) {
    const own = joinWithin(unified, v2Path);
    return { version: 2, mountPoint: unified.mountPoint, dirOf: () => own };
  }
  if (v1Mounts.length === 0) return undefined;

  const dirs = new Map<string, CgroupDir>();
  for (const m of v1Mounts) {
    for (const controller of m.superOptions) {
      const line = lines.find((l) => l.controllers.includes(controller));
      dirs.set(controller, joinWithin(m, line?.path ?? "/"));
    }
  }
  const first = v1Mounts[0];
  const mountPoint = first === undefined ? STANDARD_ROOT : path.posix.dirname(first.mountPoint);
  return { version: 1, mountPoint, dirOf: (c) => dirs.get(c) };
}
