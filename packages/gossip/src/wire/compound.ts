// Compound (type 7): [7][n u8][n × u16 BE length][bodies]. Go tolerates a truncated tail
// (it keeps the parts that fit and reports the rest), so do we.
import { WireError } from "./errors.js";
import { MsgType } from "./types.js";

export const MAX_COMPOUND_PARTS = 255;
export const MAX_PART_BYTES = 0xffff;

export function encodeCompound(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length > MAX_COMPOUND_PARTS) throw new RangeError("more than 255 compound parts");
  let size = 2 + 2 * parts.length;
  for (const p of parts) {
    if (p.length > MAX_PART_BYTES) throw new RangeError("compound part longer than 65535 bytes");
    size += p.length;
  }
  const out = new Uint8Array(size);
  out[0] = MsgType.compound;
  out[1] = parts.length;
  let off = 2;
  for (const p of parts) {
    out[off++] = p.length >> 8;
    out[off++] = p.length & 0xff;
  }
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Splits the body after the type byte. `truncated` counts parts lost to a short packet. */
export function decodeCompound(body: Uint8Array): { parts: Uint8Array[]; truncated: number } {
  const n = body[0];
  if (n === undefined) throw new WireError("TRUNCATED", "compound without count");
  if (body.length < 1 + 2 * n) throw new WireError("TRUNCATED", "compound length table");
  const parts: Uint8Array[] = [];
  let off = 1 + 2 * n;
  for (let i = 0; i < n; i++) {
    const len = ((body[1 + 2 * i] as number) << 8) | (body[2 + 2 * i] as number);
    if (off + len > body.length) return { parts, truncated: n - i };
    parts.push(body.subarray(off, off + len));
    off += len;
  }
  return { parts, truncated: 0 };
}
