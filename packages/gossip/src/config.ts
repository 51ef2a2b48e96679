// Configuration as data: one zod schema whose defaults are memberlist's DefaultLANConfig
// (and Serf agent's) with the reason beside each, plus the wan / local / test profiles
// derived from it. `resolveConfig` validates and names the failing field.
import { z } from "zod";
import type { CoreConfig } from "./core/config.js";

const ms = () => z.number().int().nonnegative();

export const GossipConfigSchema = z.object({
  /** Unique node name in the pool. */
  name: z.string().min(1).max(128),
  /** UDP and TCP share this address, as in Serf. */
  bindHost: z.string().default("127.0.0.1"), // loopback unless told otherwise: never expose by accident
  bindPort: z.number().int().min(0).max(65535).default(7946), // Serf's / memberlist's default port
  /** What peers are told to use; defaults to the bind address (the real port when bindPort is 0). */
  advertiseHost: z.string().optional(),
  advertisePort: z.number().int().min(1).max(65535).optional(),

  probeIntervalMs: ms().default(1000), // memberlist LAN: one probe per second bounds detection at a few seconds
  probeTimeoutMs: ms().default(500), // memberlist LAN: well above a LAN RTT, below the interval
  indirectChecks: z.number().int().min(0).max(16).default(3), // memberlist LAN: 3 helpers mask one lossy path
  suspicionMult: z.number().int().min(1).default(4), // memberlist LAN: suspicion = 4 × log10(N) × probe interval
  suspicionMaxTimeoutMult: z.number().int().min(1).default(6), // Lifeguard: start at 6× min, shrink with confirmations
  awarenessMaxMultiplier: z.number().int().min(1).default(8), // Lifeguard: a slow node backs off up to 8×
  gossipIntervalMs: ms().default(200), // memberlist LAN: 5 gossip rounds per second
  gossipNodes: z.number().int().min(1).default(3), // memberlist LAN: fan-out 3
  gossipToTheDeadMs: ms().default(30_000), // memberlist: tell a dead node for 30 s so a live one refutes
  retransmitMult: z.number().int().min(1).default(4), // memberlist LAN: 4 × ceil(log10(N+1)) transmissions
  retransmitFloor: z.number().int().min(0).default(0), // 0 = Serf's behaviour; 8 removes the N<=9 late tail
  pushPullIntervalMs: ms().default(30_000), // memberlist LAN: full-state sync every 30 s (scaled above 32 nodes)
  tcpTimeoutMs: ms().default(10_000), // memberlist LAN: bound on any TCP exchange
  udpBufferSize: z.number().int().min(576).max(65_000).default(1400), // memberlist: fits a 1500-byte MTU
  disableTcpPings: z.boolean().default(false), // memberlist: TCP fallback ping catches UDP-only faults
  deadNodeReclaimMs: ms().default(0), // memberlist: 0 = a dead node's name is reusable only once it left
  broadcastQueueMax: z.number().int().min(16).default(4096), // bound on queued broadcasts (oldest-most-sent dropped)
  enableCompression: z.boolean().default(true), // memberlist: LZW when smaller (UDP), always on TCP
  metaMaxBytes: z.number().int().min(0).max(512).default(512), // memberlist MetaMaxSize

  /** Base64 AES keys (16, 24 or 32 bytes); the first is primary. Empty = no encryption. */
  encryptKeys: z.array(z.string()).default([]), // plaintext unless configured, as Serf
  gossipVerifyIncoming: z.boolean().default(true), // with keys: refuse plaintext
  gossipVerifyOutgoing: z.boolean().default(true), // with keys: encrypt what we send
  label: z.string().max(255).default(""), // upstream memberlist label; Debian serf 0.9.4 has none

  /** Serf tags carried in node meta. */
  tags: z.record(z.string(), z.string()).default({}),
  /** Serf: how often to reap left / failed members. */
  reapIntervalMs: ms().default(15_000), // Serf: 15 s
  reconnectIntervalMs: ms().default(30_000), // Serf: try one failed member every 30 s
  reconnectTimeoutMs: ms().default(24 * 3600_000), // Serf: forget a failed member after 24 h
  tombstoneTimeoutMs: ms().default(24 * 3600_000), // Serf: forget a left member after 24 h
  broadcastTimeoutMs: ms().default(5_000), // Serf: wait at most 5 s for the leave intent to go out
  leavePropagateDelayMs: ms().default(1_000), // Serf: let the dead message spread before exiting
  eventBuffer: z.number().int().min(16).default(512), // Serf: user-event ring size (must match peers' 512)
  userEventSizeLimit: z.number().int().min(1).default(512), // Serf agent: name + payload
  queryTimeoutMult: z.number().int().min(1).default(16), // Serf: query timeout = gossip × 16 × log10(N+1)
  // Event coalescing for the event callback; each kind is on only when both its periods are > 0.
  coalescePeriodMs: z.number().int().min(0).default(0), // Serf library: off; serf agent: 3 s window for member events
  quiescentPeriodMs: z.number().int().min(0).default(0), // Serf library: off; serf agent: flush after 1 s quiet
  userCoalescePeriodMs: z.number().int().min(0).default(0), // Serf library: off; agent: 3 s for coalesce=true events
  userQuiescentPeriodMs: z.number().int().min(0).default(0), // Serf library: off; serf agent: 1 s
});

export type GossipConfigInput = z.input<typeof GossipConfigSchema>;
export type GossipConfig = z.output<typeof GossipConfigSchema>;
export type Profile = "lan" | "wan" | "local" | "test";

/** Deltas from the LAN base (memberlist DefaultWANConfig / DefaultLocalConfig; test = fast timers). */
export const PROFILES: Readonly<Record<Profile, Partial<GossipConfigInput>>> = {
  lan: {},
  wan: {
    probeIntervalMs: 5000, // WAN RTTs are 10-100× LAN
    probeTimeoutMs: 3000,
    suspicionMult: 6, // be slower to declare a far node dead
    gossipIntervalMs: 500,
    gossipNodes: 4,
    pushPullIntervalMs: 60_000,
    tcpTimeoutMs: 30_000,
  },
  local: {
    probeIntervalMs: 1000,
    probeTimeoutMs: 200, // loopback answers in microseconds
    indirectChecks: 1,
    suspicionMult: 3,
    retransmitMult: 2,
    gossipIntervalMs: 100,
    pushPullIntervalMs: 15_000,
    tcpTimeoutMs: 1000,
  },
  test: {
    probeIntervalMs: 200, // fast enough for in-process tests, slow enough for a loaded 2-core box
    probeTimeoutMs: 100,
    suspicionMult: 3,
    gossipIntervalMs: 40,
    pushPullIntervalMs: 3000,
    tcpTimeoutMs: 2000,
    gossipToTheDeadMs: 5000,
    reapIntervalMs: 1000,
    reconnectIntervalMs: 2000,
    broadcastTimeoutMs: 1000,
    leavePropagateDelayMs: 200,
  },
};

export class ConfigError extends Error {
  readonly code = "INVALID_CONFIG";
}

export function resolveConfig(input: GossipConfigInput, profile: Profile = "lan"): GossipConfig {
  const r = GossipConfigSchema.safeParse({ ...PROFILES[profile], ...input });
  if (!r.success) throw new ConfigError(z.prettifyError(r.error));
  for (const k of r.data.encryptKeys) {
    const n = Buffer.from(k, "base64").length;
    if (n !== 16 && n !== 24 && n !== 32)
      throw new ConfigError(`encryptKeys: key size must be 16, 24 or 32 bytes, got ${n}`);
  }
  return r.data;
}

export const PROTOCOL_VSN: readonly number[] = [1, 5, 2, 2, 5, 5];

export function coreConfig(c: GossipConfig): CoreConfig {
  return {
    name: c.name,
    probeIntervalMs: c.probeIntervalMs,
    probeTimeoutMs: c.probeTimeoutMs,
    indirectChecks: c.indirectChecks,
    suspicionMult: c.suspicionMult,
    suspicionMaxTimeoutMult: c.suspicionMaxTimeoutMult,
    awarenessMaxMultiplier: c.awarenessMaxMultiplier,
    gossipIntervalMs: c.gossipIntervalMs,
    gossipNodes: c.gossipNodes,
    gossipToTheDeadMs: c.gossipToTheDeadMs,
    retransmitMult: c.retransmitMult,
    retransmitFloor: c.retransmitFloor,
    pushPullIntervalMs: c.pushPullIntervalMs,
    tcpTimeoutMs: c.tcpTimeoutMs,
    udpBufferSize: c.udpBufferSize,
    disableTcpPings: c.disableTcpPings,
    deadNodeReclaimMs: c.deadNodeReclaimMs,
    broadcastQueueMax: c.broadcastQueueMax,
    metaMaxBytes: c.metaMaxBytes,
    vsn: PROTOCOL_VSN,
  };
}
