// The compress wrapper (type 9): [9][msgpack {Algo: 0 (LZW), Buf: bytes}], wrapping a whole
// message (single, compound, or a whole TCP stream message).
import { WireError } from "./errors.js";
import { asStruct, bytes, int } from "./fields.js";
import { lzwCompress, lzwDecompress } from "./lzw.js";
import { decodeGo, encodeGo } from "./msgpack.js";
import { MsgType } from "./types.js";

export const LZW_ALGO = 0;

export function encodeCompress(msg: Uint8Array): Uint8Array {
  const body = encodeGo({ Algo: LZW_ALGO, Buf: lzwCompress(msg) });
  const out = new Uint8Array(body.length + 1);
  out[0] = MsgType.compress;
  out.set(body, 1);
  return out;
}

/** Decodes the compress struct starting at `start` (just after the type byte). */
export function decodeCompressAt(
  data: Uint8Array,
  start: number,
  maxOutput: number,
): { payload: Uint8Array; end: number } {
  const { value, end } = decodeGo(data, start);
  const m = asStruct(value, "compress");
  const algo = int(m, "Algo", "compress");
  if (algo !== LZW_ALGO) throw new WireError("DECOMPRESS_FAILED", `unknown compression algorithm ${algo}`);
  return { payload: lzwDecompress(bytes(m, "Buf", "compress"), maxOutput), end };
}
