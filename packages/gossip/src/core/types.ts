// The membership core's vocabulary: nodes, addresses, the effects it asks its driver to
// perform, and the delegate through which a layer above (Serf) rides on it.
import type { StreamMessage } from "../wire/stream.js";

export interface Address {
  /** Textual IP, e.g. "127.0.0.1" (DNS names are resolved by the runtime before the core sees them). */
  readonly host: string;
  readonly port: number;
}

export type NodeStateName = "alive" | "suspect" | "dead" | "left";

export interface NodeInfo {
  readonly name: string;
  readonly addr: Address;
  readonly meta: Uint8Array | null;
  readonly incarnation: number;
  readonly state: NodeStateName;
  /** [PMin, PMax, PCur, DMin, DMax, DCur] */
  readonly vsn: readonly number[];
  /** Core time (ms) of the last state change. */
  readonly stateChangeMs: number;
}

/** Something the driver must do. The core never performs I/O itself. */
export type Effect =
  | {
      readonly kind: "packet";
      readonly to: Address;
      /** Encoded messages; more than one goes as a compound. */
      readonly parts: readonly Uint8Array[];
      /** Whether to wrap in a CRC (the peer's PMax >= 5). */
      readonly crc: boolean;
    }
  | {
      readonly kind: "stream";
      /** Correlates the reply: the driver calls core.streamResult(id, ...). */
      readonly id: number;
      readonly to: Address;
      readonly message: StreamMessage;
      readonly timeoutMs: number;
    };

/** Hooks for the layer above; every method is optional. */
export interface Delegate {
  /** Node metadata to advertise (at most metaMaxBytes). */
  nodeMeta?(limit: number): Uint8Array | null;
  /** A user message (type 8) arrived, by gossip or directly. */
  notifyMsg?(payload: Uint8Array): void;
  /** Queued user broadcasts to piggyback, each at most `limit` bytes including `overhead` per message. */
  getBroadcasts?(overhead: number, limit: number): Uint8Array[];
  /**
   * Whether getBroadcasts has anything to give. With it, an idle node sleeps through gossip
   * rounds that would send nothing (without it, every round wakes the node).
   */
  hasBroadcasts?(): boolean;
  /** State to send in a push/pull. */
  localState?(join: boolean): Uint8Array;
  mergeRemoteState?(state: Uint8Array, join: boolean): void;
  notifyJoin?(node: NodeInfo): void;
  notifyLeave?(node: NodeInfo): void;
  notifyUpdate?(node: NodeInfo): void;
  /** Payload for our acks (Serf: a network coordinate). */
  ackPayload?(): Uint8Array | null;
  notifyPingComplete?(node: NodeInfo, rttMs: number, payload: Uint8Array | null): void;
  /** A node claims `existing`'s name from another address (the claim was refused). */
  notifyConflict?(existing: NodeInfo, otherAddr: Address): void;
}

export interface CoreStats {
  probes: number;
  probeFailures: number;
  indirectProbes: number;
  tcpFallbackProbes: number;
  suspicions: number;
  refutes: number;
  pushPulls: number;
  packetsOut: number;
  droppedMessages: number;
}
