// CRC-32 (IEEE) from node:zlib, native since Node 20.15 (engines asks >= 20.19). Not crc32c, but
// it catches the same torn writes and bit flips; what matters is that every record carries one.
import { crc32 as zlibCrc32 } from "node:zlib";

export function crc32(data: Uint8Array, seed = 0): number {
  return zlibCrc32(data, seed) >>> 0;
}
