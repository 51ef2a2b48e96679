// TCP stream messages. One exchange per connection and no outer framing on plain streams:
// the reader parses msgpack objects as bytes arrive and then takes exactly UserStateLen
// raw bytes. An encrypted stream is [10][u32 BE length][vsn][nonce][ct ‖ tag] with the
// five header bytes (+ label) as AAD. Go peers compress every stream ([9]{Algo, Buf}).
import { encodeCompress, decodeCompressAt } from "./compress.js";
import { WireError } from "./errors.js";
import { asStruct, bool, bytes, bytesOrNull, int, str, uint } from "./fields.js";
import { decrypt, encrypt } from "./keyring.js";
import { decodeMessage, encodeMessage } from "./messages.js";
import { decodeGo, encodeGo, type GoEncodable } from "./msgpack.js";
import { HAS_LABEL } from "./label.js";
import type { PacketSecurity } from "./packet.js";
import {
  MsgType,
  type AckResp,
  type ErrResp,
  type Ping,
  type PushNodeState,
  type PushPull,
} from "./types.js";

const enc = new TextEncoder();

export interface ReliableUser {
  readonly type: "userStream";
  readonly payload: Uint8Array;
}
export type StreamMessage = PushPull | Ping | AckResp | ErrResp | ReliableUser;

export interface StreamLimits {
  /** Most bytes one exchange may take (upstream's 20 MiB user-message limit is the model). */
  readonly maxStreamBytes: number;
  /** Most node states in one push/pull (upstream caps at 1 Mi). */
  readonly maxPushNodes: number;
}
export const DEFAULT_STREAM_LIMITS: StreamLimits = { maxStreamBytes: 20 << 20, maxPushNodes: 1 << 20 };

export type StreamParse =
  | { readonly done: false }
  | { readonly done: true; readonly message: StreamMessage; readonly consumed: number };

/**
 * Tries to parse one stream message from everything received so far. Returns done:false when
 * more bytes are needed; throws WireError when the bytes can never become a valid message.
 * `expectLabel`: whether the connection may start with a label header (first message only).
 */
export function parseStream(
  buf: Uint8Array,
  sec: PacketSecurity,
  limits: StreamLimits = DEFAULT_STREAM_LIMITS,
  expectLabel = true,
): StreamParse {
  if (buf.length > limits.maxStreamBytes) throw new WireError("TOO_LARGE", "stream exceeds limit");
  try {
    let off = 0;
    let label = "";
    if (expectLabel && buf[0] === HAS_LABEL) {
      const n = buf[1];
      if (n === undefined) return { done: false };
      if (n === 0) throw new WireError("MALFORMED", "empty label");
      if (buf.length < 2 + n) return { done: false };
      label = new TextDecoder().decode(buf.subarray(2, 2 + n));
      off = 2 + n;
    }
    if (label !== sec.label) throw new WireError("LABEL_MISMATCH", `label "${label}"`);
    const t = buf[off];
    if (t === undefined) return { done: false };
    if (t === MsgType.encrypt) {
      if (sec.keys.length === 0) throw new WireError("DECRYPT_FAILED", "encrypted stream but no keys");
      if (buf.length < off + 5) return { done: false };
      const len = new DataView(buf.buffer, buf.byteOffset + off + 1, 4).getUint32(0);
      if (len > limits.maxStreamBytes) throw new WireError("TOO_LARGE", `encrypted stream of ${len} bytes`);
      if (buf.length < off + 5 + len) return { done: false };
      const header = buf.subarray(off, off + 5);
      const aad = concat([header, enc.encode(label)]);
      const plain = decrypt(sec.keys, buf.subarray(off + 5, off + 5 + len), aad);
      const inner = parseBody(plain, 0, limits);
      if (!inner.done) throw new WireError("TRUNCATED", "encrypted stream body incomplete");
      return { done: true, message: inner.message, consumed: off + 5 + len };
    }
    if (sec.keys.length > 0 && sec.verifyIncoming)
      throw new WireError("NOT_ENCRYPTED", "plain stream refused");
    const r = parseBody(buf, off, limits);
    return r.done ? { done: true, message: r.message, consumed: r.consumed } : r;
  } catch (e) {
    if (e instanceof WireError && e.code === "TRUNCATED") return { done: false };
    throw e;
  }
}

function parseBody(buf: Uint8Array, off: number, limits: StreamLimits): StreamParse {
  const t = buf[off];
  if (t === undefined) return { done: false };
  if (t === MsgType.compress) {
    const { payload, end } = decodeCompressAt(buf, off + 1, limits.maxStreamBytes);
    const inner = parseBody(payload, 0, limits);
    if (!inner.done) throw new WireError("MALFORMED", "compressed stream body incomplete");
    return { done: true, message: inner.message, consumed: end };
  }
  switch (t) {
    case MsgType.pushPull:
      return parsePushPull(buf, off + 1, limits);
    case MsgType.ping:
    case MsgType.ackResp:
    case MsgType.err: {
      const { end } = decodeGo(buf, off + 1);
      const m = decodeMessage(buf.subarray(off, end));
      if (m.type !== "ping" && m.type !== "ackResp" && m.type !== "err")
        throw new WireError("MALFORMED", "stream");
      return { done: true, message: m, consumed: end };
    }
    case MsgType.user: {
      const { value, end } = decodeGo(buf, off + 1);
      const len = int(asStruct(value, "userMsgHeader"), "UserMsgLen", "userMsgHeader");
      if (len < 0 || len > limits.maxStreamBytes) throw new WireError("TOO_LARGE", `user message ${len}`);
      if (buf.length < end + len) return { done: false };
      return {
        done: true,
        message: { type: "userStream", payload: buf.slice(end, end + len) },
        consumed: end + len,
      };
    }
    default:
      throw new WireError("UNKNOWN_TYPE", `stream message type ${t}`);
  }
}

function parsePushPull(buf: Uint8Array, start: number, limits: StreamLimits): StreamParse {
  const h = decodeGo(buf, start);
  const header = asStruct(h.value, "pushPullHeader");
  const count = int(header, "Nodes", "pushPullHeader");
  const userLen = int(header, "UserStateLen", "pushPullHeader");
  const join = bool(header, "Join", "pushPullHeader");
  if (count < 0 || count > limits.maxPushNodes)
    throw new WireError("TOO_LARGE", `push/pull of ${count} nodes`);
  if (userLen < 0 || userLen > limits.maxStreamBytes)
    throw new WireError("TOO_LARGE", `user state ${userLen}`);
  let off = h.end;
  const nodes: PushNodeState[] = [];
  for (let i = 0; i < count; i++) {
    const n = decodeGo(buf, off);
    nodes.push(decodePushNodeState(n.value));
    off = n.end;
  }
  if (buf.length < off + userLen) return { done: false };
  return {
    done: true,
    message: { type: "pushPull", join, nodes, userState: buf.slice(off, off + userLen) },
    consumed: off + userLen,
  };
}

function decodePushNodeState(v: ReturnType<typeof decodeGo>["value"]): PushNodeState {
  const m = asStruct(v, "pushNodeState");
  return {
    name: str(m, "Name", "pushNodeState"),
    addr: bytes(m, "Addr", "pushNodeState"),
    port: uint(m, "Port", 0xffff, "pushNodeState"),
    meta: bytesOrNull(m, "Meta", "pushNodeState"),
    incarnation: uint(m, "Incarnation", 0xffffffff, "pushNodeState"),
    state: int(m, "State", "pushNodeState"),
    vsn: bytes(m, "Vsn", "pushNodeState"),
  };
}

export function encodePushPullBody(p: PushPull): Uint8Array {
  const parts: Uint8Array[] = [
    Uint8Array.of(MsgType.pushPull),
    encodeGo({ Nodes: p.nodes.length, UserStateLen: p.userState.length, Join: p.join }),
  ];
  for (const n of p.nodes) {
    const s: GoEncodable = {
      Name: n.name,
      Addr: n.addr,
      Port: n.port,
      Meta: n.meta,
      Incarnation: n.incarnation,
      State: n.state,
      Vsn: n.vsn,
    };
    parts.push(encodeGo(s));
  }
  parts.push(p.userState);
  return concat(parts);
}

export interface StreamEncodeOptions {
  readonly compress: boolean;
  readonly nonce?: Uint8Array;
}

/** One whole stream message as it goes on the connection (label, encryption, compression). */
export function encodeStream(m: StreamMessage, sec: PacketSecurity, opts: StreamEncodeOptions): Uint8Array {
  let body: Uint8Array;
  if (m.type === "pushPull") body = encodePushPullBody(m);
  else if (m.type === "userStream")
    body = concat([Uint8Array.of(MsgType.user), encodeGo({ UserMsgLen: m.payload.length }), m.payload]);
  else body = encodeMessage(m);
  if (opts.compress) body = encodeCompress(body);
  const key = sec.keys[0];
  let out = body;
  if (key !== undefined && sec.encryptOutgoing) {
    const encLen = body.length + 29;
    const header = new Uint8Array(5);
    header[0] = MsgType.encrypt;
    new DataView(header.buffer).setUint32(1, encLen);
    const sealed = encrypt(key, body, concat([header, enc.encode(sec.label)]), opts.nonce);
    out = concat([header, sealed]);
  }
  if (sec.label === "") return out;
  const l = enc.encode(sec.label);
  return concat([Uint8Array.of(HAS_LABEL, l.length), l, out]);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
