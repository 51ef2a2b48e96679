// The kernel's CPU list format ("0-3,8,10-11"), used by /sys/devices/system/cpu/online and
// cpuset.cpus(.effective). Returns sorted, unique IDs; malformed parts are an error because
// a misread cpuset would advertise cores the node cannot use.

export function parseCpuList(text: string): number[] {
  const out = new Set<number>();
  for (const raw of text.trim().split(",")) {
    const part = raw.trim();
    if (part === "") continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (m === null) throw new Error(`malformed CPU list part "${part}"`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw new Error(`malformed CPU list range "${part}"`);
    for (let i = lo; i <= hi; i++) out.add(i);
  }
  return [...out].sort((a, b) => a - b);
}

/** The kernel's compact form of a set of IDs: [0,1,2,5] -> "0-2,5". */
export function formatCpuList(ids: readonly number[]): string {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    const lo = sorted[i] as number;
    let hi = lo;
    while (i + 1 < sorted.length && sorted[i + 1] === hi + 1) hi = sorted[++i] as number;
    parts.push(lo === hi ? String(lo) : `${lo}-${hi}`);
    i++;
  }
  return parts.join(",");
}
