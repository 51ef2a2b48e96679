// Encode and decode of memberlist's single messages: [type byte][msgpack struct].
// Field names, omitempty choices and key order follow memberlist's Go structs, so our
// bytes equal a Go peer's for the same content (checked against captured packets).
import { WireError } from "./errors.js";
import { asStruct, bool, bytes, bytesOrNull, str, uint } from "./fields.js";
import { decodeGo, encodeGo, type GoEncodable } from "./msgpack.js";
import { MsgType, type PacketMessage } from "./types.js";

const U16 = 0xffff;
const U32 = 0xffffffff;

function frame(type: number, body: GoEncodable): Uint8Array {
  const b = encodeGo(body);
  const out = new Uint8Array(b.length + 1);
  out[0] = type;
  out.set(b, 1);
  return out;
}

/** Go's omitempty: a zero value leaves the key out. */
function omit<T>(v: T, empty: boolean): T | undefined {
  return empty ? undefined : v;
}

/**
 * Optional memo for in-process simulation: each message is encoded once, its bytes map
 * back to the (immutable) message object, and gossip messages with equal content share one
 * copy across all simulated members (a 1,000-member join queues millions of them). A
 * simulator can then hand members message objects without running the codec per delivery.
 * Off unless a simulator turns it on; messages are never mutated after creation, which is
 * what makes sharing them safe.
 */
interface Memo {
  readonly bytes: WeakMap<PacketMessage, Uint8Array>;
  readonly objects: WeakMap<Uint8Array, PacketMessage>;
  /**
   * Gossip messages worth sharing: alives by node (one per incarnation or meta change),
   * suspects and deads by node and accuser (a failure draws one accusation per member).
   */
  readonly shared: Map<string, Shared[]>;
}
type Gossip = Extract<PacketMessage, { type: "alive" | "suspect" | "dead" }>;
interface Shared {
  readonly m: Gossip;
  readonly bytes: Uint8Array;
}
let memo: Memo | null = null;

export function enableMessageMemo(): void {
  memo ??= { bytes: new WeakMap(), objects: new WeakMap(), shared: new Map() };
}

/** The message `bytes` were encoded from, when the memo is on and it encoded them. */
export function memoizedMessage(bytes: Uint8Array): PacketMessage | undefined {
  return memo?.objects.get(bytes);
}

/** Byte equality where null differs from empty: they encode differently (nil vs empty). */
function sameBytes(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === b) return true;
  if (a === null || b === null || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Equal content, for the gossip messages worth sharing (one-off ones, pings, acks, are not). */
function sameGossip(a: Gossip, b: Gossip): boolean {
  if (a.type !== b.type || a.incarnation !== b.incarnation) return false;
  if (a.type !== "alive") return a.from === (b as typeof a).from;
  const o = b as typeof a;
  return (
    a.port === o.port && sameBytes(a.addr, o.addr) && sameBytes(a.meta, o.meta) && sameBytes(a.vsn, o.vsn)
  );
}

function isGossip(m: PacketMessage): m is Gossip {
  return m.type === "alive" || m.type === "suspect" || m.type === "dead";
}

function sharedKey(m: Gossip): string {
  return m.type === "alive" ? m.node : `${m.type} ${m.node} ${m.from}`;
}

export function encodeMessage(m: PacketMessage): Uint8Array {
  if (memo === null) return encodeFresh(m);
  let b = memo.bytes.get(m);
  if (b !== undefined) return b;
  let same: Shared[] | undefined;
  if (isGossip(m)) {
    // An equal message was encoded before: its bytes serve. `m` is then usually a fresh copy
    // (a push/pull entry turned into an alive), so it is not remembered: a WeakMap entry per
    // such copy cost more than the encoding it saves (millions in a big join).
    same = memo.shared.get(sharedKey(m));
    if (same !== undefined) for (const x of same) if (sameGossip(x.m, m)) return x.bytes;
  }
  b = encodeFresh(m);
  memo.objects.set(b, m);
  memo.bytes.set(m, b);
  if (isGossip(m)) {
    if (same === undefined) memo.shared.set(sharedKey(m), [{ m, bytes: b }]);
    else same.push({ m, bytes: b });
  }
  return b;
}

function encodeFresh(m: PacketMessage): Uint8Array {
  switch (m.type) {
    case "ping":
      return frame(MsgType.ping, {
        SeqNo: m.seqNo,
        Node: m.node,
        SourceAddr: omit(m.sourceAddr, m.sourceAddr.length === 0),
        SourcePort: omit(m.sourcePort, m.sourcePort === 0),
        SourceNode: omit(m.sourceNode, m.sourceNode === ""),
      });
    case "indirectPing":
      return frame(MsgType.indirectPing, {
        SeqNo: m.seqNo,
        Target: m.target,
        Port: m.port,
        Node: m.node,
        Nack: m.nack,
        SourceAddr: omit(m.sourceAddr, m.sourceAddr.length === 0),
        SourcePort: omit(m.sourcePort, m.sourcePort === 0),
        SourceNode: omit(m.sourceNode, m.sourceNode === ""),
      });
    case "ackResp":
      return frame(MsgType.ackResp, { SeqNo: m.seqNo, Payload: m.payload });
    case "nackResp":
      return frame(MsgType.nackResp, { SeqNo: m.seqNo });
    case "suspect":
      return frame(MsgType.suspect, { Incarnation: m.incarnation, Node: m.node, From: m.from });
    case "dead":
      return frame(MsgType.dead, { Incarnation: m.incarnation, Node: m.node, From: m.from });
    case "alive":
      return frame(MsgType.alive, {
        Incarnation: m.incarnation,
        Node: m.node,
        Addr: m.addr,
        Port: m.port,
        Meta: m.meta,
        Vsn: m.vsn,
      });
    case "user": {
      const out = new Uint8Array(m.payload.length + 1);
      out[0] = MsgType.user;
      out.set(m.payload, 1);
      return out;
    }
    case "err":
      return frame(MsgType.err, { Error: m.error });
  }
}

/** Decodes one non-container message (not compound / compress / crc / encrypt / pushPull). */
export function decodeMessage(data: Uint8Array): PacketMessage {
  const t = data[0];
  if (t === undefined) throw new WireError("TRUNCATED", "empty message");
  if (t === MsgType.user) return { type: "user", payload: data.subarray(1) };
  const { value } = decodeGo(data, 1);
  switch (t) {
    case MsgType.ping: {
      const m = asStruct(value, "ping");
      return {
        type: "ping",
        seqNo: uint(m, "SeqNo", U32, "ping"),
        node: str(m, "Node", "ping"),
        sourceAddr: bytes(m, "SourceAddr", "ping"),
        sourcePort: uint(m, "SourcePort", U16, "ping"),
        sourceNode: str(m, "SourceNode", "ping"),
      };
    }
    case MsgType.indirectPing: {
      const m = asStruct(value, "indirectPing");
      return {
        type: "indirectPing",
        seqNo: uint(m, "SeqNo", U32, "indirectPing"),
        target: bytes(m, "Target", "indirectPing"),
        port: uint(m, "Port", U16, "indirectPing"),
        node: str(m, "Node", "indirectPing"),
        nack: bool(m, "Nack", "indirectPing"),
        sourceAddr: bytes(m, "SourceAddr", "indirectPing"),
        sourcePort: uint(m, "SourcePort", U16, "indirectPing"),
        sourceNode: str(m, "SourceNode", "indirectPing"),
      };
    }
    case MsgType.ackResp: {
      const m = asStruct(value, "ackResp");
      return {
        type: "ackResp",
        seqNo: uint(m, "SeqNo", U32, "ackResp"),
        payload: bytesOrNull(m, "Payload", "ackResp"),
      };
    }
    case MsgType.nackResp: {
      const m = asStruct(value, "nackResp");
      return { type: "nackResp", seqNo: uint(m, "SeqNo", U32, "nackResp") };
    }
    case MsgType.suspect:
    case MsgType.dead: {
      const name = t === MsgType.suspect ? "suspect" : "dead";
      const m = asStruct(value, name);
      return {
        type: name,
        incarnation: uint(m, "Incarnation", U32, name),
        node: str(m, "Node", name),
        from: str(m, "From", name),
      };
    }
    case MsgType.alive: {
      const m = asStruct(value, "alive");
      return {
        type: "alive",
        incarnation: uint(m, "Incarnation", U32, "alive"),
        node: str(m, "Node", "alive"),
        addr: bytes(m, "Addr", "alive"),
        port: uint(m, "Port", U16, "alive"),
        meta: bytesOrNull(m, "Meta", "alive"),
        vsn: bytes(m, "Vsn", "alive"),
      };
    }
    case MsgType.err: {
      const m = asStruct(value, "err");
      return { type: "err", error: str(m, "Error", "err") };
    }
    default:
      throw new WireError("UNKNOWN_TYPE", `message type ${t}`);
  }
}
