// Public API of @nomad/gossip: SWIM + Lifeguard membership and a Serf layer that speaks
// HashiCorp's memberlist / Serf wire protocol. Internals (message codecs' helpers, queues)
// are not exported; the in-memory simulator lives in "@nomad/gossip/testing".

// Configuration
export {
  gossipConfigSchema,
  PROFILES,
  PROTOCOL_VSN,
  ConfigError,
  resolveConfig,
  coreConfig,
} from "./config.js";
export type { GossipConfig, GossipConfigInput, Profile } from "./config.js";

// Runtime (real UDP + TCP on one port)
export { SerfNode } from "./runtime/serf-node.js";
export type { QueryResult } from "./runtime/serf-node.js";
export { MemberlistNode } from "./runtime/memberlist-node.js";
export type { TransportStats } from "./runtime/memberlist-node.js";

// Deterministic cores (drive them yourself: tick / receive / drain)
export { Memberlist } from "./core/memberlist.js";
export { Serf } from "./core/serf.js";
export type { SerfHost, SerfOptions } from "./core/serf.js";
export type { CoreConfig } from "./core/config.js";
export type { Address, CoreStats, Delegate, Effect, NodeInfo, NodeStateName } from "./core/types.js";
export { SerfError } from "./core/serf-types.js";
export type {
  Member,
  MemberEvent,
  MemberEventType,
  MemberStatus,
  QueryEvent,
  QueryHandle,
  QueryOptions,
  SerfEvent,
  UserEvent,
} from "./core/serf-types.js";
export { SeededRandom } from "./core/prng.js";
export {
  CoordinateClient,
  DEFAULT_COORDINATE_CONFIG,
  decodeCoordinatePayload,
  distanceS,
  encodeCoordinatePayload,
} from "./core/coordinate.js";
export type { Coordinate, CoordinateConfig } from "./core/coordinate.js";
export { CONFLICT_QUERY, decodeConflictResponse, encodeConflictResponse } from "./core/serf-conflict.js";
export type { Random } from "./core/prng.js";

// Wire (for tools that inspect or craft packets)
export { decodePacket, encodePacket } from "./wire/packet.js";
export type { DecodedPacket, PacketSecurity } from "./wire/packet.js";
export { parseStream, encodeStream } from "./wire/stream.js";
export type { StreamMessage } from "./wire/stream.js";
export { decodeSerf, encodeSerf, decodeTags, encodeTags } from "./wire/serf-messages.js";
export type { SerfMessage } from "./wire/serf-messages.js";
export { Keyring } from "./wire/keyring.js";
export { WireError } from "./wire/errors.js";
export type { WireErrorCode } from "./wire/errors.js";
export type { PacketMessage } from "./wire/types.js";
