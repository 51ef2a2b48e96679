// The wire format of the Raft transport (ARCHITECTURE.md rule 4: msgpackr, versioned frames).
//
// A frame is one websocket binary message:
//
//   byte 0-1  magic "NR" (0x4e 0x52): rejects stray traffic before any decoding work
//   byte 2    protocol version (PROTOCOL_VERSION)
//   byte 3    kind: FRAME_HELLO or FRAME_MESSAGES
//   byte 4-   body: msgpack. HELLO: one map {id, to}. MESSAGES: one or more msgpack values back
//             to back, one per Message, so a batch is a plain concatenation of messages encoded
//             once at send time (their sizes are then known exactly for the send-buffer bounds).
//
// Messages are msgpack maps keyed by the TypeScript field names: a little larger than
// positional tuples, but readable in a packet dump and free to gain optional fields. The one
// exception is the bulk of the traffic, an append's entries, sent as columns (wire-entries.ts).
import { Packr } from "msgpackr";
import type { Message } from "../core/messages.js";
import type { NodeId } from "../core/types.js";
import { checkMessage, isRecord, MAX_NODE_ID_LENGTH } from "./validate.js";
import { entriesFromWire, entriesToWire } from "./wire-entries.js";

/** Bumped on any incompatible change of the frame layout or of a message's fields. */
export const PROTOCOL_VERSION = 1;
export const FRAME_MAGIC_0 = 0x4e;
export const FRAME_MAGIC_1 = 0x52;
export const FRAME_HEADER_BYTES = 4;
export const FRAME_HELLO = 1;
export const FRAME_MESSAGES = 2;

/**
 * useRecords=false: plain msgpack maps, no shared record structures (stateless per frame and
 * readable by any msgpack decoder). Integers above 2^32 are written as float64, which holds every
 * index up to 2^53-1 exactly; int64AsType=number reads foreign uint64/int64 back as numbers (the
 * validator then rejects the unsafe ones). Uint8Array travels as msgpack bin and decodes as a view
 * of the frame (copyBuffers=false: msgpackr's per-bin copy costs several times the whole decode);
 * entry payloads are then copied once per message in wire-entries.ts.
 */
const packr = new Packr({
  useRecords: false,
  mapsAsObjects: true,
  int64AsType: "number",
});

export interface Hello {
  /** The sender's node id. */
  readonly id: NodeId;
  /** The node id the dialer expects to reach ("" when sent by the listening side). */
  readonly to: NodeId;
}

export type DecodedFrame =
  | { readonly kind: "hello"; readonly version: number; readonly hello: Hello }
  | { readonly kind: "messages"; readonly version: number; readonly values: readonly unknown[] }
  | { readonly kind: "invalid"; readonly reason: string };

/** One message's msgpack body, to be placed in a MESSAGES frame with encodeMessagesFrame. */
export function encodeMessage(message: Message): Uint8Array {
  if (message.type !== "append") return packr.pack(message);
  // A literal of fixed shape: a heartbeat packs in ~1.0 us this way against ~3.5 us for a spread copy.
  return packr.pack({
    type: message.type,
    from: message.from,
    to: message.to,
    term: message.term,
    prevLogIndex: message.prevLogIndex,
    prevLogTerm: message.prevLogTerm,
    entries: entriesToWire(message.entries),
    leaderCommit: message.leaderCommit,
    readRound: message.readRound,
  });
}

/**
 * Turns one decoded msgpack value into a validated Message, or undefined when it is not one
 * (malformed entry columns or any field failing the validator). Never throws.
 */
export function readMessage(value: unknown): Message | undefined {
  if (isRecord(value) && value["type"] === "append") {
    const prevLogIndex = value["prevLogIndex"];
    if (typeof prevLogIndex !== "number" || !Number.isSafeInteger(prevLogIndex)) return undefined;
    const entries = entriesFromWire(value["entries"], prevLogIndex);
    if (entries === undefined) return undefined;
    value["entries"] = entries;
  }
  return checkMessage(value) === undefined ? (value as Message) : undefined;
}

function header(target: Uint8Array, kind: number, version: number): void {
  target[0] = FRAME_MAGIC_0;
  target[1] = FRAME_MAGIC_1;
  target[2] = version;
  target[3] = kind;
}

/** A MESSAGES frame holding already-encoded messages; `bodyBytes` is the sum of their lengths. */
export function encodeMessagesFrame(bodies: readonly Uint8Array[], bodyBytes: number): Uint8Array {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + bodyBytes);
  header(frame, FRAME_MESSAGES, PROTOCOL_VERSION);
  let offset = FRAME_HEADER_BYTES;
  for (const body of bodies) {
    frame.set(body, offset);
    offset += body.length;
  }
  return frame;
}

/** Encodes messages into one frame (tests, the in-memory transport and the benchmark). */
export function encodeMessages(messages: readonly Message[]): Uint8Array {
  const bodies = messages.map(encodeMessage);
  return encodeMessagesFrame(
    bodies,
    bodies.reduce((sum, body) => sum + body.length, 0),
  );
}

/** `version` is a parameter only so tests can speak a foreign protocol version. */
export function encodeHelloFrame(hello: Hello, version: number = PROTOCOL_VERSION): Uint8Array {
  const body = packr.pack({ id: hello.id, to: hello.to });
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  header(frame, FRAME_HELLO, version);
  frame.set(body, FRAME_HEADER_BYTES);
  return frame;
}

function decodeHello(value: unknown): Hello | undefined {
  if (!isRecord(value)) return undefined;
  const id = value["id"];
  const to = value["to"];
  if (typeof id !== "string" || id.length === 0 || id.length > MAX_NODE_ID_LENGTH) return undefined;
  if (typeof to !== "string" || to.length > MAX_NODE_ID_LENGTH) return undefined;
  return { id, to };
}

/**
 * Splits a frame into its header and msgpack values. Never throws: anything malformed is
 * `kind: "invalid"` with a reason. The values of a MESSAGES frame are not validated here.
 */
export function decodeFrame(frame: Uint8Array): DecodedFrame {
  if (frame.length < FRAME_HEADER_BYTES + 1) return { kind: "invalid", reason: "frame too short" };
  if (frame[0] !== FRAME_MAGIC_0 || frame[1] !== FRAME_MAGIC_1)
    return { kind: "invalid", reason: "bad magic" };
  const version = frame[2] as number;
  const kind = frame[3];
  const body = frame.subarray(FRAME_HEADER_BYTES);
  let values: unknown[];
  try {
    values = packr.unpackMultiple(body) as unknown[];
  } catch {
    return { kind: "invalid", reason: "undecodable msgpack" };
  }
  if (kind === FRAME_HELLO) {
    const hello = values.length === 1 ? decodeHello(values[0]) : undefined;
    return hello === undefined ? { kind: "invalid", reason: "bad hello" } : { kind: "hello", version, hello };
  }
  if (kind === FRAME_MESSAGES) return { kind: "messages", version, values };
  return { kind: "invalid", reason: "unknown frame kind" };
}

export interface DecodedMessages {
  readonly messages: Message[];
  /** Values (or whole frames) dropped because they failed to decode or validate. */
  readonly invalid: number;
}

/** Decodes and validates a MESSAGES frame of this protocol version; never throws. */
export function decodeMessages(frame: Uint8Array): DecodedMessages {
  const decoded = decodeFrame(frame);
  if (decoded.kind !== "messages" || decoded.version !== PROTOCOL_VERSION)
    return { messages: [], invalid: 1 };
  const messages: Message[] = [];
  let invalid = 0;
  for (const value of decoded.values) {
    const message = readMessage(value);
    if (message === undefined) invalid += 1;
    else messages.push(message);
  }
  return { messages, invalid };
}
