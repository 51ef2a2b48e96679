// The msgpack dialect of HashiCorp's go-msgpack 0.5 (MsgpackHandle with defaults), which
// memberlist and Serf put on the wire:
// - strings and []byte share the old-spec "raw" family (fixstr, str16, str32; never str8
//   or bin on output), so a decoded raw value is kept as bytes: IPs, Vsn, Meta and LZW
//   output are not UTF-8, and a text decoder would corrupt them;
// - structs are maps keyed by Go field names, emitted in sorted order;
// - nil slices are nil (0xc0); float64 is 0xcb; integers take their smallest form, and
//   non-negative signed values use the unsigned forms;
// - uint64/int64 beyond 2^53 stay exact as bigint (msgpackr's int64AsType "auto" rule).
//
// Why not msgpackr here: msgpackr decodes every raw string as UTF-8 text (lossy for IPs and
// LZW bytes) and encodes with str8/bin, so it can neither read byte fields faithfully nor
// reproduce Go's bytes. Tests use msgpackr as an independent oracle for this codec.
import { WireError } from "./errors.js";

export type GoValue = null | boolean | number | bigint | Uint8Array | GoValue[] | GoMap;
export type GoMap = Map<string, GoValue>;

/** A float64 to encode as 0xcb even when its value is integral. */
export class F64 {
  constructor(readonly value: number) {}
}

export type GoEncodable =
  | null
  | undefined
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | F64
  | readonly GoEncodable[]
  | ReadonlyMap<string, GoEncodable>
  | { readonly [key: string]: GoEncodable };

export interface DecodeLimits {
  /** Deepest nesting of arrays and maps accepted. */
  readonly maxDepth: number;
}

const DEFAULT_LIMITS: DecodeLimits = { maxDepth: 32 };
const textDecoder = new TextDecoder("utf-8", { fatal: false });
const textEncoder = new TextEncoder();

export interface Decoded {
  readonly value: GoValue;
  /** Offset just past the value. */
  readonly end: number;
}

/** Decodes one value at `start`. Throws WireError (TRUNCATED when more bytes could complete it). */
export function decodeGo(bytes: Uint8Array, start = 0, limits: DecodeLimits = DEFAULT_LIMITS): Decoded {
  const reader = new Reader(bytes, start, limits);
  const value = reader.read(0);
  return { value, end: reader.pos };
}

class Reader {
  pos: number;
  private readonly view: DataView;
  constructor(
    private readonly b: Uint8Array,
    start: number,
    private readonly limits: DecodeLimits,
  ) {
    this.pos = start;
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  private need(n: number): void {
    if (this.pos + n > this.b.length) throw new WireError("TRUNCATED", `need ${n} bytes at ${this.pos}`);
  }
  private u8(): number {
    this.need(1);
    return this.b[this.pos++] as number;
  }
  private u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }
  private u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }
  private raw(n: number): Uint8Array {
    this.need(n);
    const v = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  /** Each element needs at least one byte, so a count beyond the remaining bytes is a lie. */
  private count(n: number, minBytesEach: number): number {
    if (n * minBytesEach > this.b.length - this.pos) {
      throw new WireError("TRUNCATED", `count ${n} exceeds remaining ${this.b.length - this.pos} bytes`);
    }
    return n;
  }

  read(depth: number): GoValue {
    const t = this.u8();
    if (t <= 0x7f) return t;
    if (t >= 0xe0) return t - 0x100;
    if (t >= 0xa0 && t <= 0xbf) return this.raw(t & 0x1f);
    if (t >= 0x90 && t <= 0x9f) return this.array(t & 0x0f, depth);
    if (t >= 0x80 && t <= 0x8f) return this.map(t & 0x0f, depth);
    switch (t) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
      case 0xd9:
        return this.raw(this.u8());
      case 0xc5:
      case 0xda:
        return this.raw(this.u16());
      case 0xc6:
      case 0xdb:
        return this.raw(this.u32());
      case 0xca: {
        this.need(4);
        const v = this.view.getFloat32(this.pos);
        this.pos += 4;
        return v;
      }
      case 0xcb: {
        this.need(8);
        const v = this.view.getFloat64(this.pos);
        this.pos += 8;
        return v;
      }
      case 0xcc:
        return this.u8();
      case 0xcd:
        return this.u16();
      case 0xce:
        return this.u32();
      case 0xcf: {
        this.need(8);
        const v = this.view.getBigUint64(this.pos);
        this.pos += 8;
        return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
      }
      case 0xd0: {
        const v = this.u8();
        return v >= 0x80 ? v - 0x100 : v;
      }
      case 0xd1: {
        const v = this.u16();
        return v >= 0x8000 ? v - 0x10000 : v;
      }
      case 0xd2: {
        this.need(4);
        const v = this.view.getInt32(this.pos);
        this.pos += 4;
        return v;
      }
      case 0xd3: {
        this.need(8);
        const v = this.view.getBigInt64(this.pos);
        this.pos += 8;
        return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
      }
      case 0xdc:
        return this.array(this.u16(), depth);
      case 0xdd:
        return this.array(this.u32(), depth);
      case 0xde:
        return this.map(this.u16(), depth);
      case 0xdf:
        return this.map(this.u32(), depth);
      default:
        // ext types (0xc7-0xc9, 0xd4-0xd8) and 0xc1 never appear in memberlist or Serf messages.
        throw new WireError("MALFORMED", `msgpack type 0x${t.toString(16)} at ${this.pos - 1}`);
    }
  }

  private array(n: number, depth: number): GoValue[] {
    if (depth >= this.limits.maxDepth) throw new WireError("TOO_DEEP", `depth ${depth}`);
    this.count(n, 1);
    const out: GoValue[] = [];
    for (let i = 0; i < n; i++) out.push(this.read(depth + 1));
    return out;
  }

  private map(n: number, depth: number): GoMap {
    if (depth >= this.limits.maxDepth) throw new WireError("TOO_DEEP", `depth ${depth}`);
    this.count(n, 2);
    const out: GoMap = new Map();
    for (let i = 0; i < n; i++) {
      const k = this.read(depth + 1);
      const key =
        k instanceof Uint8Array
          ? textDecoder.decode(k)
          : typeof k === "number" || typeof k === "bigint"
            ? String(k)
            : null;
      if (key === null) throw new WireError("MALFORMED", "map key is neither a string nor an integer");
      out.set(key, this.read(depth + 1));
    }
    return out;
  }
}

/** Encodes in Go's dialect: sorted struct keys, old-spec raw strings, smallest integers. */
export function encodeGo(value: GoEncodable): Uint8Array {
  const w = new Writer();
  w.write(value);
  return w.finish();
}

export class Writer {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  private pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  private byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }
  private u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.pos, v);
    this.pos += 2;
  }
  private u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v);
    this.pos += 4;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  private rawHeader(n: number): void {
    if (n <= 31) this.byte(0xa0 | n);
    else if (n <= 0xffff) {
      this.byte(0xda);
      this.u16(n);
    } else {
      this.byte(0xdb);
      this.u32(n);
    }
  }

  private int(v: number): void {
    if (!Number.isSafeInteger(v)) throw new WireError("BAD_FIELD", `not an exact integer: ${v}`);
    if (v >= 0) {
      if (v <= 0x7f) this.byte(v);
      else if (v <= 0xff) {
        this.byte(0xcc);
        this.byte(v);
      } else if (v <= 0xffff) {
        this.byte(0xcd);
        this.u16(v);
      } else if (v <= 0xffffffff) {
        this.byte(0xce);
        this.u32(v);
      } else this.big(BigInt(v));
    } else if (v >= -32) this.byte(v + 0x100);
    else if (v >= -0x80) {
      this.byte(0xd0);
      this.byte(v + 0x100);
    } else if (v >= -0x8000) {
      this.byte(0xd1);
      this.u16(v + 0x10000);
    } else if (v >= -0x80000000) {
      this.byte(0xd2);
      this.u32(v >>> 0);
    } else this.big(BigInt(v));
  }

  private big(v: bigint): void {
    if (v >= 0n && v <= 0xffffffffn) return this.int(Number(v));
    if (v < 0n && v >= -0x80000000n) return this.int(Number(v));
    this.ensure(9);
    if (v >= 0n) {
      if (v > 0xffffffffffffffffn) throw new WireError("BAD_FIELD", "uint64 overflow");
      this.buf[this.pos++] = 0xcf;
      this.view.setBigUint64(this.pos, v);
    } else {
      if (v < -0x8000000000000000n) throw new WireError("BAD_FIELD", "int64 overflow");
      this.buf[this.pos++] = 0xd3;
      this.view.setBigInt64(this.pos, v);
    }
    this.pos += 8;
  }

  write(v: GoEncodable): void {
    if (v === null || v === undefined) return this.byte(0xc0);
    if (typeof v === "boolean") return this.byte(v ? 0xc3 : 0xc2);
    if (typeof v === "number") return this.int(v);
    if (typeof v === "bigint") return this.big(v);
    if (typeof v === "string") {
      const b = textEncoder.encode(v);
      this.rawHeader(b.length);
      return this.bytes(b);
    }
    if (v instanceof Uint8Array) {
      this.rawHeader(v.length);
      return this.bytes(v);
    }
    if (v instanceof F64) {
      this.byte(0xcb);
      this.ensure(8);
      this.view.setFloat64(this.pos, v.value);
      this.pos += 8;
      return;
    }
    if (Array.isArray(v)) {
      const arr = v as readonly GoEncodable[];
      this.arrayHeader(arr.length);
      for (const item of arr) this.write(item);
      return;
    }
    const entries: [string, GoEncodable][] =
      v instanceof Map ? [...(v as ReadonlyMap<string, GoEncodable>).entries()] : Object.entries(v);
    // undefined marks an omitempty field that is left out entirely.
    const present = entries
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    this.mapHeader(present.length);
    for (const [k, x] of present) {
      this.write(k);
      this.write(x);
    }
  }

  private arrayHeader(n: number): void {
    if (n <= 15) this.byte(0x90 | n);
    else if (n <= 0xffff) {
      this.byte(0xdc);
      this.u16(n);
    } else {
      this.byte(0xdd);
      this.u32(n);
    }
  }
  private mapHeader(n: number): void {
    if (n <= 15) this.byte(0x80 | n);
    else if (n <= 0xffff) {
      this.byte(0xde);
      this.u16(n);
    } else {
      this.byte(0xdf);
      this.u32(n);
    }
  }
}
