// Cheap content hashes for the invariant checkers: entries are compared across nodes by hash
// instead of by bytes. Two 32-bit lanes make accidental collisions (which could only hide a
// violation, never invent one) vanishingly rare.
import type { LogEntry } from "../../core/types.js";

const TWO_POW_32 = 0x1_0000_0000;

function mix(h: number, x: number): number {
  h = Math.imul(h ^ x, 0x5bd1e995);
  return (h ^ (h >>> 15)) >>> 0;
}

/** A hash of an entry's term, type and bytes (not its index). */
export function entryHash(entry: LogEntry): number {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  a = mix(a, entry.term);
  b = mix(b, entry.term ^ 0x9e3779b9);
  const t = entry.type === "command" ? 1 : entry.type === "noop" ? 2 : 3;
  a = mix(a, t);
  b = mix(b, t + 7);
  const data = entry.data;
  for (let i = 0; i < data.length; i++) {
    const byte = data[i] as number;
    a = mix(a, byte);
    b = mix(b, byte + 0x100);
  }
  a = mix(a, data.length);
  return (b & 0x1f_ffff) * TWO_POW_32 + a;
}

/** Chains an entry onto the hash of the log prefix before it (log matching compares prefixes). */
export function chainHash(prefix: number, index: number, entry: number): number {
  const lo = prefix % TWO_POW_32;
  const hi = Math.floor(prefix / TWO_POW_32);
  const elo = entry % TWO_POW_32;
  const ehi = Math.floor(entry / TWO_POW_32);
  const a = mix(mix(mix(lo, elo), index), ehi);
  const b = mix(mix(mix(hi ^ 0x27d4eb2f, ehi), index ^ 0x165667b1), elo);
  return (b & 0x1f_ffff) * TWO_POW_32 + a;
}
