// Address <-> wire bytes (memberlist sends IPv4 as 4 bytes, IPv6 as 16).
import type { Address } from "./types.js";

export function ipToBytes(host: string): Uint8Array {
  const v4 = host.split(".");
  if (v4.length === 4 && v4.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255))
    return Uint8Array.from(v4.map(Number));
  const out = new Uint8Array(16);
  const [head = "", tail = ""] = host.split("::");
  const h = head === "" ? [] : head.split(":");
  const t = host.includes("::") ? (tail === "" ? [] : tail.split(":")) : [];
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill("0"), ...t];
  groups.forEach((g, i) => {
    const v = parseInt(g, 16) || 0;
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  });
  return out;
}

export function bytesToIp(b: Uint8Array): string {
  if (b.length === 4) return [...b].join(".");
  if (b.length === 16) {
    const g: string[] = [];
    for (let i = 0; i < 16; i += 2) g.push((((b[i] as number) << 8) | (b[i + 1] as number)).toString(16));
    return g.join(":");
  }
  return "";
}

export function addrKey(a: Address): string {
  return `${a.host}:${a.port}`;
}

export function sameAddr(a: Address, b: Address): boolean {
  return a.host === b.host && a.port === b.port;
}
