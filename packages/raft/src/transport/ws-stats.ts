// Counters and observer events of the ws transport.
import type { NodeId, ServerAddress } from "../core/types.js";
import type { TransportStats } from "./types.js";

export interface WsTransportStats extends TransportStats {
  /** Dials to a peer after its first (a lost connection or a failed attempt was retried). */
  readonly reconnects: number;
  /** Handshakes refused by either side: protocol version mismatch, wrong node, no hello. */
  readonly handshakeRejected: number;
  /** Valid messages that arrived before onMessage() was called or while closing (not invalid). */
  readonly droppedUnhandled: number;
  /** Inbound connections refused because maxInboundConnections were open. */
  readonly connectionsRejected: number;
  readonly framesSent: number;
  readonly framesReceived: number;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  /** Gauges at the time of the call: messages and bytes waiting in all send buffers. */
  readonly queuedMessages: number;
  readonly queuedBytes: number;
  /** Outbound connections past the handshake, and accepted connections. */
  readonly connectedPeers: number;
  readonly inboundConnections: number;
}

export type WsTransportEvent =
  | { readonly type: "connected"; readonly peer: NodeId; readonly address: ServerAddress }
  | {
      readonly type: "disconnected";
      readonly peer: NodeId;
      readonly address: ServerAddress;
      readonly code: number;
      readonly reason: string;
    }
  | {
      readonly type: "handshakeRejected";
      /** The peer's id when it is known. */
      readonly peer: NodeId | undefined;
      readonly address: ServerAddress;
      readonly reason: string;
    }
  | { readonly type: "serverError"; readonly message: string };

/** Mutable counters shared by the transport's connections; stats() returns a frozen copy. */
export type WsGauges = Pick<
  WsTransportStats,
  "queuedMessages" | "queuedBytes" | "connectedPeers" | "inboundConnections"
>;

export class WsCounters implements Record<Exclude<keyof WsTransportStats, keyof WsGauges>, number> {
  sent = 0;
  received = 0;
  droppedSend = 0;
  droppedInvalid = 0;
  droppedUnhandled = 0;
  reconnects = 0;
  handshakeRejected = 0;
  connectionsRejected = 0;
  framesSent = 0;
  framesReceived = 0;
  bytesSent = 0;
  bytesReceived = 0;

  snapshot(gauges: WsGauges): WsTransportStats {
    return { ...this, ...gauges };
  }
}

/** websocket close codes of this protocol (4000-4999 are for applications). */
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_TRY_AGAIN_LATER = 1013;
export const CLOSE_VERSION_MISMATCH = 4001;
export const CLOSE_WRONG_NODE = 4002;
export const CLOSE_BAD_HANDSHAKE = 4003;
export const CLOSE_REPLACED = 4004;
