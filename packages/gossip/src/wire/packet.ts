// The UDP packet pipeline, both ways:
//   send:    message(s) -> compound -> compress-if-smaller -> CRC -> encrypt -> label
//   receive: label -> decrypt (every key) -> CRC -> dispatch (compound / compress recurse)
// Receive never throws: every failure becomes a counted drop with a WireErrorCode.
import { encodeCompound, decodeCompound } from "./compound.js";
import { encodeCompress, decodeCompressAt } from "./compress.js";
import { crc32 } from "./crc32.js";
import { WireError, isWireError, type WireErrorCode } from "./errors.js";
import { decrypt, encrypt } from "./keyring.js";
import { addLabel, stripLabel } from "./label.js";
import { decodeMessage } from "./messages.js";
import { MsgType, type PacketMessage } from "./types.js";

const enc = new TextEncoder();

export interface PacketSecurity {
  /** Keys to try on receive; the first encrypts. Empty = no encryption. */
  readonly keys: readonly Uint8Array[];
  /** Refuse plaintext packets when keys are set (memberlist GossipVerifyIncoming). */
  readonly verifyIncoming: boolean;
  /** Encrypt outgoing packets when keys are set (GossipVerifyOutgoing). */
  readonly encryptOutgoing: boolean;
  readonly label: string;
}

export const PLAIN: PacketSecurity = { keys: [], verifyIncoming: true, encryptOutgoing: true, label: "" };

export interface DecodedPacket {
  readonly messages: PacketMessage[];
  /** One entry per part dropped, so a bad part in a compound costs only that part. */
  readonly drops: WireErrorCode[];
}

export interface PacketLimits {
  /** Most bytes a compressed message may expand to. */
  readonly maxDecompressedBytes: number;
  /** Most nested compound/compress levels followed. */
  readonly maxNesting: number;
}
export const DEFAULT_PACKET_LIMITS: PacketLimits = { maxDecompressedBytes: 1 << 20, maxNesting: 4 };

export function decodePacket(
  data: Uint8Array,
  sec: PacketSecurity = PLAIN,
  limits: PacketLimits = DEFAULT_PACKET_LIMITS,
): DecodedPacket {
  const out: DecodedPacket = { messages: [], drops: [] };
  try {
    const { label, body } = stripLabel(data);
    if (label !== sec.label) throw new WireError("LABEL_MISMATCH", `label "${label}"`);
    let plain = body;
    if (sec.keys.length > 0) {
      try {
        plain = decrypt(sec.keys, body, enc.encode(label));
      } catch (e) {
        if (sec.verifyIncoming) throw e;
      }
    }
    if (plain[0] === MsgType.hasCrc) {
      if (plain.length < 5) throw new WireError("TRUNCATED", "crc header");
      const want =
        ((plain[1] as number) << 24) |
        ((plain[2] as number) << 16) |
        ((plain[3] as number) << 8) |
        (plain[4] as number);
      plain = plain.subarray(5);
      if (crc32(plain) !== want >>> 0) throw new WireError("BAD_CRC", "checksum mismatch");
    }
    dispatch(plain, limits, 0, out);
  } catch (e) {
    out.drops.push(isWireError(e) ? e.code : "MALFORMED");
  }
  return out;
}

function dispatch(data: Uint8Array, limits: PacketLimits, depth: number, out: DecodedPacket): void {
  try {
    const t = data[0];
    if (t === MsgType.compound || t === MsgType.compress) {
      if (depth >= limits.maxNesting) throw new WireError("TOO_DEEP", "nested containers");
      if (t === MsgType.compound) {
        const { parts, truncated } = decodeCompound(data.subarray(1));
        for (let i = 0; i < truncated; i++) out.drops.push("TRUNCATED");
        for (const p of parts) dispatch(p, limits, depth + 1, out);
      } else {
        dispatch(decodeCompressAt(data, 1, limits.maxDecompressedBytes).payload, limits, depth + 1, out);
      }
      return;
    }
    out.messages.push(decodeMessage(data));
  } catch (e) {
    out.drops.push(isWireError(e) ? e.code : "MALFORMED");
  }
}

export interface EncodeOptions {
  /** Compress when the result is smaller (memberlist EnableCompression). */
  readonly compress: boolean;
  /** Prepend a CRC (only toward peers whose PMax >= 5). */
  readonly crc: boolean;
  /** Fixed nonce for reproducible tests; random otherwise. */
  readonly nonce?: Uint8Array;
}

/** Builds one UDP datagram from already-encoded messages. */
export function encodePacket(
  parts: readonly Uint8Array[],
  sec: PacketSecurity,
  opts: EncodeOptions,
): Uint8Array {
  let msg = parts.length === 1 ? (parts[0] as Uint8Array) : encodeCompound(parts);
  if (opts.compress) {
    const c = encodeCompress(msg);
    if (c.length < msg.length) msg = c;
  }
  if (opts.crc) {
    const withCrc = new Uint8Array(msg.length + 5);
    withCrc[0] = MsgType.hasCrc;
    new DataView(withCrc.buffer).setUint32(1, crc32(msg));
    withCrc.set(msg, 5);
    msg = withCrc;
  }
  const key = sec.keys[0];
  if (key !== undefined && sec.encryptOutgoing) msg = encrypt(key, msg, enc.encode(sec.label), opts.nonce);
  return addLabel(sec.label, msg);
}
