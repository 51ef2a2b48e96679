// /proc/meminfo: "MemTotal:       24684096 kB".

export function parseMemTotalBytes(text: string): number {
  const m = /^MemTotal:\s+(\d+)\s*kB/m.exec(text);
  if (m === null) throw new Error("MemTotal not found in /proc/meminfo");
  return Number(m[1]) * 1024;
}
