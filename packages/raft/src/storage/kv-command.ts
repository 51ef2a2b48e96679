// The wire form of the example key-value FSM's commands: a msgpack map
//   { op: "put", key, value } | { op: "get", key } | { op: "cas", key, from: string | null, to }
//   | { op: "delete", key }
// with string keys and values. `get` goes through the log only when a caller wants a read ordered
// with writes without ReadIndex; `cas` with `from: null` means "only if absent".
import { pack, unpack } from "msgpackr";

export type KvCommand =
  | { readonly op: "put"; readonly key: string; readonly value: string }
  | { readonly op: "get"; readonly key: string }
  | { readonly op: "cas"; readonly key: string; readonly from: string | null; readonly to: string }
  | { readonly op: "delete"; readonly key: string };

export type KvResult =
  | { readonly op: "put"; readonly ok: true }
  | { readonly op: "get"; readonly ok: true; readonly value: string | null }
  /** `value` is the value after the command: `to` on success, the unchanged current value otherwise. */
  | { readonly op: "cas"; readonly ok: boolean; readonly value: string | null }
  | { readonly op: "delete"; readonly ok: true; readonly existed: boolean }
  /** The entry's bytes were not a valid command; the FSM is unchanged (apply must never throw). */
  | { readonly op: "invalid"; readonly ok: false; readonly error: string };

export function encodeKvCommand(cmd: KvCommand): Uint8Array {
  return pack(cmd);
}

/** Returns the command, or a string saying why the bytes are not one. */
export function decodeKvCommand(bytes: Uint8Array): KvCommand | string {
  let raw: unknown;
  try {
    raw = unpack(bytes);
  } catch (err) {
    return `undecodable command: ${(err as Error).message}`;
  }
  if (typeof raw !== "object" || raw === null) return "command is not a map";
  const r = raw as Record<string, unknown>;
  if (typeof r["key"] !== "string") return "command.key must be a string";
  const key = r["key"];
  switch (r["op"]) {
    case "put":
      return typeof r["value"] === "string"
        ? { op: "put", key, value: r["value"] }
        : "put.value must be a string";
    case "get":
      return { op: "get", key };
    case "delete":
      return { op: "delete", key };
    case "cas": {
      const from = r["from"];
      const to = r["to"];
      if (from !== null && typeof from !== "string") return "cas.from must be a string or null";
      if (typeof to !== "string") return "cas.to must be a string";
      return { op: "cas", key, from, to };
    }
    default:
      return `unknown op ${JSON.stringify(r["op"])}`;
  }
}
