// The wire format: one websocket binary message = one msgpack array whose first element is the
// protocol version. Everything a peer sends is untrusted, so decoding never throws: a frame that is
// not valid msgpack, not a known shape or not our version comes back as `{ kind: "invalid" }` with
// a reason the connection counts.
//
//   request  [1, 0, id, method, args]
//   result   [1, 1, id, result]
//   error    [1, 2, id, code, message, details?]
//   cancel   [1, 3, id]              (the caller gave up: the server aborts the handler's signal)
import { Packr } from "msgpackr";
import { rpcErrorCodes, type RpcErrorCode } from "./types.js";

export const RPC_PROTOCOL_VERSION = 1;
/** Method names are short identifiers (`Job.Register`); anything longer is not ours. */
export const MAX_METHOD_LENGTH = 128;
/** Request ids are allocated by the caller from 1 upwards and wrap well before 2^53. */
export const MAX_REQUEST_ID = 2 ** 32 - 1;

const KIND_REQUEST = 0;
const KIND_RESULT = 1;
const KIND_ERROR = 2;
const KIND_CANCEL = 3;

// Plain maps and arrays only: records (msgpackr's structure sharing) would make a frame depend on
// earlier frames, so one dropped frame could corrupt the next.
const packr = new Packr({ useRecords: false, mapsAsObjects: true });

export type Frame =
  | { readonly kind: "request"; readonly id: number; readonly method: string; readonly args: unknown }
  | { readonly kind: "result"; readonly id: number; readonly result: unknown }
  | {
      readonly kind: "error";
      readonly id: number;
      readonly code: RpcErrorCode;
      readonly message: string;
      readonly details: Readonly<Record<string, string>> | undefined;
    }
  | { readonly kind: "cancel"; readonly id: number };

export type InvalidReason = "garbage" | "version" | "shape";
export type DecodedFrame = Frame | { readonly kind: "invalid"; readonly reason: InvalidReason };

export function encodeFrame(frame: Frame): Uint8Array {
  switch (frame.kind) {
    case "request":
      return packr.pack([RPC_PROTOCOL_VERSION, KIND_REQUEST, frame.id, frame.method, frame.args]);
    case "result":
      return packr.pack([RPC_PROTOCOL_VERSION, KIND_RESULT, frame.id, frame.result]);
    case "error":
      return packr.pack(
        frame.details === undefined
          ? [RPC_PROTOCOL_VERSION, KIND_ERROR, frame.id, frame.code, frame.message]
          : [RPC_PROTOCOL_VERSION, KIND_ERROR, frame.id, frame.code, frame.message, frame.details],
      );
    case "cancel":
      return packr.pack([RPC_PROTOCOL_VERSION, KIND_CANCEL, frame.id]);
  }
}

const invalid = (reason: InvalidReason): DecodedFrame => ({ kind: "invalid", reason });

function isRequestId(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= MAX_REQUEST_ID;
}

function isDetails(value: unknown): value is Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  return Object.values(value).every((v) => typeof v === "string");
}

const errorCodes: ReadonlySet<string> = new Set(rpcErrorCodes);

export function decodeFrame(bytes: Uint8Array): DecodedFrame {
  let value: unknown;
  try {
    value = packr.unpack(bytes);
  } catch {
    return invalid("garbage");
  }
  if (!Array.isArray(value) || value.length < 3) return invalid("garbage");
  if (value[0] !== RPC_PROTOCOL_VERSION) return invalid("version");
  const [, kind, id] = value as unknown[];
  if (!isRequestId(id)) return invalid("shape");
  switch (kind) {
    case KIND_REQUEST: {
      const method: unknown = value[3];
      if (value.length !== 5 || typeof method !== "string" || method.length === 0) return invalid("shape");
      if (method.length > MAX_METHOD_LENGTH) return invalid("shape");
      return { kind: "request", id, method, args: value[4] };
    }
    case KIND_RESULT:
      if (value.length !== 4) return invalid("shape");
      return { kind: "result", id, result: value[3] };
    case KIND_ERROR: {
      const [, , , code, message, details] = value as unknown[];
      if (value.length !== 5 && value.length !== 6) return invalid("shape");
      if (typeof code !== "string" || !errorCodes.has(code) || typeof message !== "string")
        return invalid("shape");
      if (details !== undefined && !isDetails(details)) return invalid("shape");
      return { kind: "error", id, code: code as RpcErrorCode, message, details };
    }
    case KIND_CANCEL:
      if (value.length !== 3) return invalid("shape");
      return { kind: "cancel", id };
    default:
      return invalid("shape");
  }
}

/**
 * A deep copy through the same encoding the network uses, so in-process callers see exactly
 * what a remote one would (no shared objects, no class instances, no functions).
 */
export function msgpackCopy<T>(value: T): T {
  if (value === undefined) return value;
  return packr.unpack(packr.pack(value)) as T;
}

/** Bytes of a websocket message as one Uint8Array (ws hands over Buffer, Buffer[] or ArrayBuffer). */
export function toBytes(data: Buffer | ArrayBuffer | Buffer[]): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}
