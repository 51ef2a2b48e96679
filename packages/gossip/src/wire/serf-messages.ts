// Serf's messages, carried inside memberlist user messages (type 8) or as push/pull user
// state: [serf type u8][msgpack body]. Lamport times are uint64 and kept as bigint.
import { WireError } from "./errors.js";
import { asStruct, bool, bytes, bytesOrNull, i64, list, map, rawToString, str, u64, uint } from "./fields.js";
import { decodeGo, encodeGo, type GoEncodable, type GoValue } from "./msgpack.js";

export const SerfType = {
  leave: 0,
  join: 1,
  pushPull: 2,
  userEvent: 3,
  query: 4,
  queryResponse: 5,
  conflictResponse: 6,
  keyRequest: 7,
  keyResponse: 8,
  relay: 9,
} as const;

export const QueryFlag = { ack: 1, noBroadcast: 2 } as const;

export interface LeaveIntent {
  readonly type: "leave";
  readonly ltime: bigint;
  readonly node: string;
  readonly prune: boolean;
}
export interface JoinIntent {
  readonly type: "join";
  readonly ltime: bigint;
  readonly node: string;
}
export interface UserEventMsg {
  readonly type: "userEvent";
  readonly ltime: bigint;
  readonly name: string;
  readonly payload: Uint8Array | null;
  readonly cc: boolean;
}
export interface UserEvents {
  readonly ltime: bigint;
  readonly events: readonly { readonly name: string; readonly payload: Uint8Array | null }[];
}
export interface SerfPushPull {
  readonly type: "pushPull";
  readonly ltime: bigint;
  readonly statusLTimes: ReadonlyMap<string, bigint>;
  readonly leftMembers: readonly string[];
  readonly eventLTime: bigint;
  /** The event ring as sent (nil slots are null). */
  readonly events: readonly (UserEvents | null)[];
  readonly queryLTime: bigint;
}
export interface QueryMsg {
  readonly type: "query";
  readonly ltime: bigint;
  readonly id: number;
  readonly addr: Uint8Array;
  readonly port: number;
  readonly sourceNode: string;
  readonly filters: readonly Uint8Array[];
  readonly flags: number;
  readonly relayFactor: number;
  /** Timeout in nanoseconds (Go time.Duration). */
  readonly timeoutNs: bigint;
  readonly name: string;
  readonly payload: Uint8Array | null;
}
export interface QueryResponseMsg {
  readonly type: "queryResponse";
  readonly ltime: bigint;
  readonly id: number;
  readonly from: string;
  readonly flags: number;
  readonly payload: Uint8Array | null;
}
export interface RelayMsg {
  readonly type: "relay";
  readonly destAddr: Uint8Array;
  readonly destPort: number;
  readonly destName: string;
  /** The raw Serf message to forward ([5][response]). */
  readonly inner: Uint8Array;
}
export type SerfMessage =
  LeaveIntent | JoinIntent | UserEventMsg | SerfPushPull | QueryMsg | QueryResponseMsg | RelayMsg;

function frame(t: number, body: GoEncodable): Uint8Array {
  const b = encodeGo(body);
  const out = new Uint8Array(b.length + 1);
  out[0] = t;
  out.set(b, 1);
  return out;
}

export function encodeSerf(m: SerfMessage): Uint8Array {
  switch (m.type) {
    case "leave":
      return frame(SerfType.leave, { LTime: m.ltime, Node: m.node, Prune: m.prune });
    case "join":
      return frame(SerfType.join, { LTime: m.ltime, Node: m.node });
    case "userEvent":
      return frame(SerfType.userEvent, { LTime: m.ltime, Name: m.name, Payload: m.payload, CC: m.cc });
    case "pushPull":
      return frame(SerfType.pushPull, {
        LTime: m.ltime,
        StatusLTimes: new Map([...m.statusLTimes].map(([k, v]) => [k, v] as [string, GoEncodable])),
        // Serf builds this slice with make(), so an empty list is [] (0x90), not nil.
        LeftMembers: m.leftMembers,
        EventLTime: m.eventLTime,
        Events: m.events.map((e) =>
          e === null
            ? null
            : { LTime: e.ltime, Events: e.events.map((x) => ({ Name: x.name, Payload: x.payload })) },
        ),
        QueryLTime: m.queryLTime,
      });
    case "query":
      return frame(SerfType.query, {
        LTime: m.ltime,
        ID: m.id,
        Addr: m.addr,
        Port: m.port,
        SourceNode: m.sourceNode,
        Filters: m.filters.length === 0 ? null : m.filters,
        Flags: m.flags,
        RelayFactor: m.relayFactor,
        Timeout: m.timeoutNs,
        Name: m.name,
        Payload: m.payload,
      });
    case "queryResponse":
      return frame(SerfType.queryResponse, {
        LTime: m.ltime,
        ID: m.id,
        From: m.from,
        Flags: m.flags,
        Payload: m.payload,
      });
    case "relay": {
      const header = encodeGo({
        DestAddr: { IP: m.destAddr, Port: m.destPort, Zone: "" },
        DestName: m.destName,
      });
      const out = new Uint8Array(1 + header.length + m.inner.length);
      out[0] = SerfType.relay;
      out.set(header, 1);
      out.set(m.inner, 1 + header.length);
      return out;
    }
  }
}

export function decodeSerf(data: Uint8Array): SerfMessage {
  const t = data[0];
  if (t === undefined) throw new WireError("TRUNCATED", "empty serf message");
  const { value, end } = decodeGo(data, 1);
  const m = asStruct(value, "serf");
  switch (t) {
    case SerfType.leave:
      return { type: "leave", ltime: u64(m, "LTime"), node: str(m, "Node"), prune: bool(m, "Prune") };
    case SerfType.join:
      return { type: "join", ltime: u64(m, "LTime"), node: str(m, "Node") };
    case SerfType.userEvent:
      return {
        type: "userEvent",
        ltime: u64(m, "LTime"),
        name: str(m, "Name"),
        payload: bytesOrNull(m, "Payload"),
        cc: bool(m, "CC"),
      };
    case SerfType.pushPull: {
      const statusLTimes = new Map<string, bigint>();
      for (const [k, v] of map(m, "StatusLTimes")) statusLTimes.set(k, toU64(v));
      return {
        type: "pushPull",
        ltime: u64(m, "LTime"),
        statusLTimes,
        leftMembers: list(m, "LeftMembers").map(rawToString),
        eventLTime: u64(m, "EventLTime"),
        events: list(m, "Events").map((e) => {
          if (e === null) return null;
          const s = asStruct(e, "userEvents");
          return {
            ltime: u64(s, "LTime"),
            events: list(s, "Events").map((x) => {
              const ev = asStruct(x, "userEvent");
              return { name: str(ev, "Name"), payload: bytesOrNull(ev, "Payload") };
            }),
          };
        }),
        queryLTime: u64(m, "QueryLTime"),
      };
    }
    case SerfType.query:
      return {
        type: "query",
        ltime: u64(m, "LTime"),
        id: uint(m, "ID", 0xffffffff),
        addr: bytes(m, "Addr"),
        port: uint(m, "Port", 0xffff),
        sourceNode: str(m, "SourceNode"),
        filters: list(m, "Filters").map((f) => {
          if (f instanceof Uint8Array) return f;
          throw new WireError("BAD_FIELD", "query filter is not bytes");
        }),
        flags: uint(m, "Flags", 0xffffffff),
        relayFactor: uint(m, "RelayFactor", 0xff),
        timeoutNs: i64(m, "Timeout"),
        name: str(m, "Name"),
        payload: bytesOrNull(m, "Payload"),
      };
    case SerfType.queryResponse:
      return {
        type: "queryResponse",
        ltime: u64(m, "LTime"),
        id: uint(m, "ID", 0xffffffff),
        from: str(m, "From"),
        flags: uint(m, "Flags", 0xffffffff),
        payload: bytesOrNull(m, "Payload"),
      };
    case SerfType.relay: {
      const dest = asStruct(m.get("DestAddr") ?? null, "relay.DestAddr");
      return {
        type: "relay",
        destAddr: bytes(dest, "IP"),
        destPort: uint(dest, "Port", 0xffff),
        destName: str(m, "DestName"),
        inner: data.slice(end),
      };
    }
    default:
      throw new WireError("UNKNOWN_TYPE", `serf message type ${t}`);
  }
}

function toU64(v: GoValue): bigint {
  if (typeof v === "number" && Number.isInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === "bigint" && v >= 0n) return v;
  throw new WireError("BAD_FIELD", "expected uint64");
}

/** Node meta = [0xFF][msgpack map[string]string]: Serf's encoding of tags. */
export function encodeTags(tags: Readonly<Record<string, string>>): Uint8Array {
  const body = encodeGo(tags);
  const out = new Uint8Array(body.length + 1);
  out[0] = 0xff;
  out.set(body, 1);
  return out;
}

export function decodeTags(meta: Uint8Array | null): Record<string, string> {
  if (meta === null || meta.length === 0) return {};
  // Without the magic byte the meta is the legacy "role" string.
  if (meta[0] !== 0xff) return { role: new TextDecoder().decode(meta) };
  const m = asStruct(decodeGo(meta, 1).value, "tags");
  // A null-prototype object: a peer's "__proto__" tag must stay a plain key.
  const out = Object.create(null) as Record<string, string>;
  for (const [k, v] of m) out[k] = rawToString(v);
  return out;
}
