// Configuration as data: one field table whose defaults are memberlist's DefaultLANConfig
// (and Serf agent's) with the reason beside each, plus the wan / local / test profiles
// derived from it. `resolveConfig` validates and names the failing field. Hand-written
// rather than a zod schema: loading zod costs every agent process ~14 MiB of RSS.
import type { CoreConfig } from "./core/config.js";

/** A resolved configuration (every field present, defaults applied). */
export interface GossipConfig {
  /** Unique node name in the pool. */
  readonly name: string;
  /** UDP and TCP share this address, as in Serf. */
  readonly bindHost: string;
  readonly bindPort: number;
  /** What peers are told to use; defaults to the bind address (the real port when bindPort is 0). */
  readonly advertiseHost?: string | undefined;
  readonly advertisePort?: number | undefined;
  readonly probeIntervalMs: number;
  readonly probeTimeoutMs: number;
  readonly indirectChecks: number;
  readonly suspicionMult: number;
  readonly suspicionMaxTimeoutMult: number;
  readonly awarenessMaxMultiplier: number;
  readonly gossipIntervalMs: number;
  readonly gossipNodes: number;
  readonly gossipToTheDeadMs: number;
  readonly retransmitMult: number;
  readonly retransmitFloor: number;
  readonly pushPullIntervalMs: number;
  readonly tcpTimeoutMs: number;
  readonly udpBufferSize: number;
  readonly disableTcpPings: boolean;
  readonly deadNodeReclaimMs: number;
  readonly broadcastQueueMax: number;
  readonly enableCompression: boolean;
  readonly metaMaxBytes: number;
  /** Base64 AES keys (16, 24 or 32 bytes); the first is primary. Empty = no encryption. */
  readonly encryptKeys: string[];
  readonly gossipVerifyIncoming: boolean;
  readonly gossipVerifyOutgoing: boolean;
  readonly label: string;
  /** Serf tags carried in node meta. */
  readonly tags: Record<string, string>;
  readonly reapIntervalMs: number;
  readonly reconnectIntervalMs: number;
  readonly reconnectTimeoutMs: number;
  readonly tombstoneTimeoutMs: number;
  readonly broadcastTimeoutMs: number;
  readonly leavePropagateDelayMs: number;
  readonly eventBuffer: number;
  readonly userEventSizeLimit: number;
  readonly queryTimeoutMult: number;
  readonly coalescePeriodMs: number;
  readonly quiescentPeriodMs: number;
  readonly userCoalescePeriodMs: number;
  readonly userQuiescentPeriodMs: number;
}

/** What callers pass: a name, and any other field to override its default. */
export type GossipConfigInput = { readonly name: string } & {
  readonly [K in Exclude<keyof GossipConfig, "name">]?: GossipConfig[K] | undefined;
};
export type Profile = "lan" | "wan" | "local" | "test";

/** How one field is checked, and its default (none = required, or optional when `optional`). */
type FieldSpec =
  | { readonly kind: "int"; readonly min?: number; readonly max?: number; readonly def?: number }
  | { readonly kind: "bool"; readonly def: boolean }
  | { readonly kind: "string"; readonly min?: number; readonly max?: number; readonly def?: string }
  | { readonly kind: "strings" }
  | { readonly kind: "tags" };

const ms = (def: number): FieldSpec => ({ kind: "int", min: 0, def });
const int = (min: number, def: number, max?: number): FieldSpec =>
  max === undefined ? { kind: "int", min, def } : { kind: "int", min, max, def };
const bool = (def: boolean): FieldSpec => ({ kind: "bool", def });

/** Every field, its bounds and its default, with the reason beside it. */
export const GOSSIP_CONFIG_FIELDS: Readonly<Record<keyof GossipConfig, FieldSpec>> = {
  name: { kind: "string", min: 1, max: 128 },
  bindHost: { kind: "string", def: "127.0.0.1" }, // loopback unless told otherwise: never expose by accident
  bindPort: { kind: "int", min: 0, max: 65535, def: 7946 }, // Serf's / memberlist's default port
  advertiseHost: { kind: "string" },
  advertisePort: { kind: "int", min: 1, max: 65535 },

  probeIntervalMs: ms(1000), // memberlist LAN: one probe per second bounds detection at a few seconds
  probeTimeoutMs: ms(500), // memberlist LAN: well above a LAN RTT, below the interval
  indirectChecks: int(0, 3, 16), // memberlist LAN: 3 helpers mask one lossy path
  suspicionMult: int(1, 4), // memberlist LAN: suspicion = 4 × log10(N) × probe interval
  suspicionMaxTimeoutMult: int(1, 6), // Lifeguard: start at 6× min, shrink with confirmations
  awarenessMaxMultiplier: int(1, 8), // Lifeguard: a slow node backs off up to 8×
  gossipIntervalMs: ms(200), // memberlist LAN: 5 gossip rounds per second
  gossipNodes: int(1, 3), // memberlist LAN: fan-out 3
  gossipToTheDeadMs: ms(30_000), // memberlist: tell a dead node for 30 s so a live one refutes
  retransmitMult: int(1, 4), // memberlist LAN: 4 × ceil(log10(N+1)) transmissions
  retransmitFloor: int(0, 0), // 0 = Serf's behaviour; 8 removes the N<=9 late tail
  pushPullIntervalMs: ms(30_000), // memberlist LAN: full-state sync every 30 s (scaled above 32 nodes)
  tcpTimeoutMs: ms(10_000), // memberlist LAN: bound on any TCP exchange
  udpBufferSize: int(576, 1400, 65_000), // memberlist: fits a 1500-byte MTU
  disableTcpPings: bool(false), // memberlist: TCP fallback ping catches UDP-only faults
  deadNodeReclaimMs: ms(0), // memberlist: 0 = a dead node's name is reusable only once it left
  broadcastQueueMax: int(16, 4096), // bound on queued broadcasts (oldest-most-sent dropped)
  enableCompression: bool(true), // memberlist: LZW when smaller (UDP), always on TCP
  metaMaxBytes: int(0, 512, 512), // memberlist MetaMaxSize

  encryptKeys: { kind: "strings" }, // plaintext unless configured, as Serf
  gossipVerifyIncoming: bool(true), // with keys: refuse plaintext
  gossipVerifyOutgoing: bool(true), // with keys: encrypt what we send
  label: { kind: "string", max: 255, def: "" }, // upstream memberlist label; Debian serf 0.9.4 has none

  tags: { kind: "tags" },
  reapIntervalMs: ms(15_000), // Serf: 15 s
  reconnectIntervalMs: ms(30_000), // Serf: try one failed member every 30 s
  reconnectTimeoutMs: ms(24 * 3600_000), // Serf: forget a failed member after 24 h
  tombstoneTimeoutMs: ms(24 * 3600_000), // Serf: forget a left member after 24 h
  broadcastTimeoutMs: ms(5_000), // Serf: wait at most 5 s for the leave intent to go out
  leavePropagateDelayMs: ms(1_000), // Serf: let the dead message spread before exiting
  eventBuffer: int(16, 512), // Serf: user-event ring size (must match peers' 512)
  userEventSizeLimit: int(1, 512), // Serf agent: name + payload
  queryTimeoutMult: int(1, 16), // Serf: query timeout = gossip × 16 × log10(N+1)
  // Event coalescing for the event callback; each kind is on only when both its periods are > 0.
  coalescePeriodMs: ms(0), // Serf library: off; serf agent: 3 s window for member events
  quiescentPeriodMs: ms(0), // Serf library: off; serf agent: flush after 1 s quiet
  userCoalescePeriodMs: ms(0), // Serf library: off; agent: 3 s for coalesce=true events
  userQuiescentPeriodMs: ms(0), // Serf library: off; serf agent: 1 s
};

/** Checks one value; returns the problem (without the field name) or null. */
function problem(spec: FieldSpec, v: unknown): string | null {
  const shown = typeof v === "string" ? JSON.stringify(v) : typeof v === "object" ? typeof v : String(v);
  switch (spec.kind) {
    case "int": {
      const lo = spec.min ?? -Infinity;
      const hi = spec.max ?? Infinity;
      const range = spec.max === undefined ? `>= ${lo}` : `in ${lo}..${hi}`;
      if (typeof v !== "number" || !Number.isSafeInteger(v) || v < lo || v > hi)
        return `expected an integer ${range}, got ${shown}`;
      return null;
    }
    case "bool":
      return typeof v === "boolean" ? null : `expected true or false, got ${shown}`;
    case "string": {
      const lo = spec.min ?? 0;
      const hi = spec.max ?? Infinity;
      if (typeof v !== "string") return `expected a string, got ${shown}`;
      if (v.length < lo || v.length > hi)
        return `expected ${hi === Infinity ? `at least ${lo}` : `${lo} to ${hi}`} characters, got ${v.length}`;
      return null;
    }
    case "strings":
      if (!Array.isArray(v)) return `expected an array of strings, got ${shown}`;
      for (let i = 0; i < v.length; i++)
        if (typeof v[i] !== "string") return `[${i}]: expected a string, got ${typeof v[i]}`;
      return null;
    case "tags":
      if (typeof v !== "object" || v === null || Array.isArray(v))
        return `expected an object of string values, got ${v === null ? "null" : shown}`;
      for (const [k, x] of Object.entries(v))
        if (typeof x !== "string") return `.${k}: expected a string, got ${typeof x}`;
      return null;
  }
}

function defaultOf(spec: FieldSpec): unknown {
  switch (spec.kind) {
    case "strings":
      return [];
    case "tags":
      return {};
    default:
      return spec.def;
  }
}

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

/**
 * Validates `input` over the profile's defaults. Unknown keys are ignored; every problem
 * is reported, one line each, as "field: what was expected, got what".
 */
export function resolveConfig(input: GossipConfigInput, profile: Profile = "lan"): GossipConfig {
  if (typeof input !== "object" || input === null) throw new ConfigError("config: expected an object");
  const merged: Record<string, unknown> = { ...PROFILES[profile], ...input };
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, spec] of Object.entries(GOSSIP_CONFIG_FIELDS)) {
    let v = merged[key];
    if (v === undefined) v = defaultOf(spec);
    if (v === undefined) {
      if (key === "name") problems.push("name: required");
      continue; // optional without a default (advertise address)
    }
    const p = problem(spec, v);
    if (p !== null) problems.push(`${key}${p.startsWith("[") || p.startsWith(".") ? "" : ": "}${p}`);
    else
      out[key] =
        spec.kind === "strings" ? [...(v as string[])] : spec.kind === "tags" ? { ...(v as object) } : v;
  }
  if (problems.length > 0) throw new ConfigError(problems.join("\n"));
  const c = out as unknown as GossipConfig;
  for (const k of c.encryptKeys) {
    const n = Buffer.from(k, "base64").length;
    if (n !== 16 && n !== 24 && n !== 32)
      throw new ConfigError(`encryptKeys: key size must be 16, 24 or 32 bytes, got ${n}`);
  }
  return c;
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
