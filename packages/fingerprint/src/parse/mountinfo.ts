// /proc/self/mountinfo (proc(5)): "36 35 98:0 /root /mnt rw,noatime master:1 - ext3 /dev/root rw".
// Octal escapes (\040 for a space) appear in paths.

export interface MountInfoEntry {
  /** Path inside the filesystem that is mounted (the cgroup a container sees as its root). */
  root: string;
  mountPoint: string;
  fsType: string;
  source: string;
  superOptions: string[];
}

function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseMountInfo(text: string): MountInfoEntry[] {
  const out: MountInfoEntry[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const fields = line.split(" ");
    const sep = fields.indexOf("-");
    if (sep < 6 || fields.length < sep + 3) continue;
    out.push({
      root: unescape(fields[3] ?? ""),
      mountPoint: unescape(fields[4] ?? ""),
      fsType: fields[sep + 1] ?? "",
      source: unescape(fields[sep + 2] ?? ""),
      superOptions: (fields[sep + 3] ?? "").split(","),
    });
  }
  return out;
}

/** The mount holding `absPath`: the longest mount point that is a path prefix of it. */
export function mountOf(entries: MountInfoEntry[], absPath: string): MountInfoEntry | undefined {
  let best: MountInfoEntry | undefined;
  for (const e of entries) {
    const mp = e.mountPoint;
    const within = mp === "/" || absPath === mp || absPath.startsWith(mp + "/");
    // Later entries over-mount earlier ones at the same point, so >= keeps the last.
    if (within && (best === undefined || mp.length >= best.mountPoint.length)) best = e;
  }
  return best;
}
