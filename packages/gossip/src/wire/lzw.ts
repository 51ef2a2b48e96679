// LZW as Go's compress/lzw writes and reads it with order LSB and literal width 8 (the
// only mode memberlist uses): clear code 256, end code 257, code width growing from 9 to
// 12 bits, a clear code first and whenever the 4096-entry table is full. The encoder is
// written to emit the same codes as Go's (so captured packets can be reproduced byte for
// byte); the decoder bounds its output so a small hostile packet cannot expand without limit.
import { WireError } from "./errors.js";

const CLEAR = 256;
const EOF_CODE = 257;
const MAX_WIDTH = 12;
const MAX_CODE = (1 << MAX_WIDTH) - 1;

class BitWriter {
  private out: number[] = [];
  private bits = 0;
  private nBits = 0;
  write(code: number, width: number): void {
    this.bits |= code << this.nBits;
    this.nBits += width;
    while (this.nBits >= 8) {
      this.out.push(this.bits & 0xff);
      this.bits >>>= 8;
      this.nBits -= 8;
    }
  }
  finish(): Uint8Array {
    if (this.nBits > 0) this.out.push(this.bits & 0xff);
    return Uint8Array.from(this.out);
  }
}

export function lzwCompress(input: Uint8Array): Uint8Array {
  const w = new BitWriter();
  let width = 9;
  let hi = EOF_CODE;
  let overflow = 1 << width;
  // (prefix code << 8 | next byte) -> code
  let table = new Map<number, number>();
  // Every code written advances hi; when the table is full a clear code resets it.
  const incHi = (): boolean => {
    hi++;
    if (hi === overflow) {
      width++;
      overflow <<= 1;
    }
    if (hi === MAX_CODE) {
      w.write(CLEAR, width);
      width = 9;
      hi = EOF_CODE;
      overflow = 1 << width;
      table = new Map();
      return false;
    }
    return true;
  };
  w.write(CLEAR, width);
  if (input.length === 0) {
    w.write(EOF_CODE, width);
    return w.finish();
  }
  let code = input[0] as number;
  for (let i = 1; i < input.length; i++) {
    const literal = input[i] as number;
    const key = code * 256 + literal;
    const hit = table.get(key);
    if (hit !== undefined) {
      code = hit;
      continue;
    }
    w.write(code, width);
    code = literal;
    if (incHi()) table.set(key, hi);
  }
  w.write(code, width);
  incHi();
  w.write(EOF_CODE, width);
  return w.finish();
}

/** Decodes Go LZW (LSB, 8). Fails on a code Go could not have produced or output beyond maxOutput. */
export function lzwDecompress(input: Uint8Array, maxOutput: number): Uint8Array {
  const prefix = new Int32Array(1 << MAX_WIDTH);
  const suffix = new Uint8Array(1 << MAX_WIDTH);
  const length = new Int32Array(1 << MAX_WIDTH);
  for (let i = 0; i < 256; i++) {
    length[i] = 1;
    suffix[i] = i;
  }
  let out = new Uint8Array(Math.min(Math.max(input.length * 4, 64), maxOutput));
  let o = 0;
  const grow = (n: number): void => {
    if (o + n > maxOutput) throw new WireError("TOO_LARGE", `decompressed size exceeds ${maxOutput}`);
    if (o + n <= out.length) return;
    let size = out.length * 2;
    while (size < o + n) size *= 2;
    const next = new Uint8Array(Math.min(size, maxOutput));
    next.set(out.subarray(0, o));
    out = next;
  };
  let width = 9;
  let hi = EOF_CODE;
  let overflow = 1 << width;
  let last = -1;
  let bits = 0;
  let nBits = 0;
  let i = 0;
  for (;;) {
    while (nBits < width) {
      if (i >= input.length) throw new WireError("DECOMPRESS_FAILED", "LZW stream ends before its end code");
      bits |= (input[i++] as number) << nBits;
      nBits += 8;
    }
    const code = bits & ((1 << width) - 1);
    bits >>>= width;
    nBits -= width;
    if (code === CLEAR) {
      width = 9;
      hi = EOF_CODE;
      overflow = 1 << width;
      last = -1;
      continue;
    }
    if (code === EOF_CODE) break;
    let first: number;
    if (code < CLEAR) {
      grow(1);
      out[o++] = code;
      first = code;
    } else if (code > EOF_CODE && (code < hi || (code === hi && last !== -1))) {
      // code === hi is the "KwKwK" case: the entry being defined is last + first byte of last.
      const known = code < hi;
      const src = known ? code : last;
      const len = length[src] as number;
      const total = known ? len : len + 1;
      grow(total);
      let c = src;
      for (let k = len - 1; k >= 0; k--) {
        out[o + k] = suffix[c] as number;
        c = prefix[c] as number;
      }
      // the tail of a literal chain: entries < 256 are their own byte
      first = out[o] as number;
      if (!known) out[o + len] = first;
      o += total;
    } else {
      throw new WireError("DECOMPRESS_FAILED", `LZW code ${code} beyond table ${hi}`);
    }
    if (last !== -1) {
      prefix[hi] = last;
      suffix[hi] = first;
      length[hi] = (length[last] as number) + 1;
    }
    last = code;
    hi++;
    if (hi >= overflow) {
      if (width === MAX_WIDTH) {
        last = -1;
        hi--;
      } else {
        width++;
        overflow = 1 << width;
      }
    }
  }
  return out.slice(0, o);
}
