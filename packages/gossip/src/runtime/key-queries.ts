// Answers Serf's internal key-management queries (_serf_install-key, _serf_use-key,
// _serf_remove-key, _serf_list-keys), which is how `serf keys` rotates a cluster's keyring.
// Request payload: [7][msgpack {Key}]; response: [8][msgpack {Result, Message, Keys, PrimaryKey}].
import type { QueryEvent } from "../core/serf-types.js";
import { asStruct, bytes } from "../wire/fields.js";
import { decodeGo, encodeGo } from "../wire/msgpack.js";
import type { Keyring } from "../wire/keyring.js";

const KEY_REQUEST = 7;
const KEY_RESPONSE = 8;

export const KEY_QUERIES = new Set([
  "_serf_install-key",
  "_serf_use-key",
  "_serf_remove-key",
  "_serf_list-keys",
]);

function respond(
  q: QueryEvent,
  result: boolean,
  message: string,
  keys: readonly Uint8Array[] = [],
  primary?: Uint8Array,
): void {
  const body = encodeGo({
    Result: result,
    Message: message,
    Keys: keys.map((k) => Buffer.from(k).toString("base64")),
    PrimaryKey: primary === undefined ? "" : Buffer.from(primary).toString("base64"),
  });
  const out = new Uint8Array(body.length + 1);
  out[0] = KEY_RESPONSE;
  out.set(body, 1);
  q.respond(out);
}

/** Handles one key query against the node's keyring; `encrypted` = encryption is enabled. */
export function handleKeyQuery(q: QueryEvent, keyring: Keyring, encrypted: boolean): void {
  if (!encrypted) return respond(q, false, "No keyring to modify (encryption not enabled)");
  if (q.name === "_serf_list-keys") return respond(q, true, "", keyring.all(), keyring.primary);
  let key: Uint8Array;
  try {
    if (q.payload[0] !== KEY_REQUEST) throw new Error("not a key request");
    key = Uint8Array.from(bytes(asStruct(decodeGo(q.payload, 1).value, "keyRequest"), "Key"));
  } catch {
    return respond(q, false, "Failed to decode key request");
  }
  try {
    if (q.name === "_serf_install-key") keyring.install(key);
    else if (q.name === "_serf_use-key") {
      if (!keyring.use(key)) return respond(q, false, "Requested key is not in the keyring");
    } else if (!keyring.remove(key))
      return respond(q, false, "Removing the primary key is not allowed, or the key is absent");
  } catch (e) {
    return respond(q, false, e instanceof Error ? e.message : String(e));
  }
  respond(q, true, "");
}
