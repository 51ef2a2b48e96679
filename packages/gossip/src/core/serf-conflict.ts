// The answer to Serf's `_serf_conflict` query: [6][msgpack Member] where Member is Serf's
// public struct {Name, Addr (IP bytes), Port, Tags, Status int, ProtocolMin/Max/Cur,
// DelegateMin/Max/Cur}, or [6][nil] when the responder does not know the name. A node that
// sees two claims for one name asks everyone which address they know under it; the
// majority keeps the name (Serf's name-conflict resolution).
import { bytesToIp, ipToBytes } from "./addr.js";
import type { Member, MemberStatus } from "./serf-types.js";
import { WireError } from "../wire/errors.js";
import { asStruct, bytes, map, rawToString, str, uint } from "../wire/fields.js";
import { decodeGo, encodeGo } from "../wire/msgpack.js";
import { SerfType } from "../wire/serf-messages.js";

/** Serf's MemberStatus enum (0 = none). */
const STATUS_CODE: Record<MemberStatus, number> = { alive: 1, leaving: 2, left: 3, failed: 4 };
const STATUS_NAME: readonly (MemberStatus | null)[] = [null, "alive", "leaving", "left", "failed"];

export const CONFLICT_QUERY = "_serf_conflict";

export function encodeConflictResponse(m: Member | undefined): Uint8Array {
  const body = encodeGo(
    m === undefined
      ? null
      : {
          Name: m.name,
          Addr: ipToBytes(m.addr.host),
          Port: m.addr.port,
          Tags: new Map(Object.entries(m.tags)),
          Status: STATUS_CODE[m.status],
          ProtocolMin: m.vsn[0] ?? 0,
          ProtocolMax: m.vsn[1] ?? 0,
          ProtocolCur: m.vsn[2] ?? 0,
          DelegateMin: m.vsn[3] ?? 0,
          DelegateMax: m.vsn[4] ?? 0,
          DelegateCur: m.vsn[5] ?? 0,
        },
  );
  const out = new Uint8Array(body.length + 1);
  out[0] = SerfType.conflictResponse;
  out.set(body, 1);
  return out;
}

/** Decodes a conflict response; null = the responder knows no member by that name. Throws WireError. */
export function decodeConflictResponse(b: Uint8Array): Member | null {
  if (b[0] !== SerfType.conflictResponse)
    throw new WireError("UNKNOWN_TYPE", `not a conflict response: ${b[0]}`);
  const v = decodeGo(b, 1).value;
  if (v === null) return null;
  const s = asStruct(v, "member");
  const tags: Record<string, string> = {};
  for (const [k, t] of map(s, "Tags", "member")) tags[k] = rawToString(t);
  const status = STATUS_NAME[uint(s, "Status", 4, "member")] ?? null;
  if (status === null) throw new WireError("BAD_FIELD", "member.Status: none");
  const vsn = ["ProtocolMin", "ProtocolMax", "ProtocolCur", "DelegateMin", "DelegateMax", "DelegateCur"];
  return {
    name: str(s, "Name", "member"),
    addr: { host: bytesToIp(bytes(s, "Addr", "member")), port: uint(s, "Port", 65535, "member") },
    tags,
    status,
    vsn: vsn.map((f) => uint(s, f, 255, "member")),
  };
}
