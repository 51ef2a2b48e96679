// memberlist message type bytes (the byte written before the msgpack body).
export const MsgType = {
  ping: 0,
  indirectPing: 1,
  ackResp: 2,
  suspect: 3,
  alive: 4,
  dead: 5,
  pushPull: 6,
  compound: 7,
  user: 8,
  compress: 9,
  encrypt: 10,
  nackResp: 11,
  hasCrc: 12,
  err: 13,
} as const;
export type MsgTypeName = keyof typeof MsgType;

/** memberlist node states as they appear in push/pull. */
export const NodeStateCode = { alive: 0, suspect: 1, dead: 2, left: 3 } as const;
export type NodeStateName = keyof typeof NodeStateCode;

/** [PMin, PMax, PCur, DMin, DMax, DCur]: what Serf 0.8+/protocol 5 advertises. */
export const DEFAULT_VSN: readonly number[] = [1, 5, 2, 2, 5, 5];

export interface Ping {
  readonly type: "ping";
  readonly seqNo: number;
  readonly node: string;
  readonly sourceAddr: Uint8Array;
  readonly sourcePort: number;
  readonly sourceNode: string;
}
export interface IndirectPing {
  readonly type: "indirectPing";
  readonly seqNo: number;
  readonly target: Uint8Array;
  readonly port: number;
  readonly node: string;
  readonly nack: boolean;
  readonly sourceAddr: Uint8Array;
  readonly sourcePort: number;
  readonly sourceNode: string;
}
export interface AckResp {
  readonly type: "ackResp";
  readonly seqNo: number;
  readonly payload: Uint8Array | null;
}
export interface NackResp {
  readonly type: "nackResp";
  readonly seqNo: number;
}
export interface Suspect {
  readonly type: "suspect";
  readonly incarnation: number;
  readonly node: string;
  readonly from: string;
}
export interface Dead {
  readonly type: "dead";
  readonly incarnation: number;
  readonly node: string;
  readonly from: string;
}
export interface Alive {
  readonly type: "alive";
  readonly incarnation: number;
  readonly node: string;
  readonly addr: Uint8Array;
  readonly port: number;
  readonly meta: Uint8Array | null;
  readonly vsn: Uint8Array;
}
export interface User {
  readonly type: "user";
  readonly payload: Uint8Array;
}
export interface ErrResp {
  readonly type: "err";
  readonly error: string;
}
export type PacketMessage =
  Ping | IndirectPing | AckResp | NackResp | Suspect | Dead | Alive | User | ErrResp;

export interface PushNodeState {
  readonly name: string;
  readonly addr: Uint8Array;
  readonly port: number;
  readonly meta: Uint8Array | null;
  readonly incarnation: number;
  readonly state: number;
  readonly vsn: Uint8Array;
}
export interface PushPull {
  readonly type: "pushPull";
  readonly join: boolean;
  readonly nodes: readonly PushNodeState[];
  readonly userState: Uint8Array;
}
