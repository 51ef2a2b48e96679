// Configuration as data: one zod schema whose defaults are memberlist's DefaultLANConfig (and
// Serf agent's) with the reason beside each, plus the wan / local / test profiles derived from
// it. `resolveConfig` lays a profile under the input, validates, and names every failing field.
//
// zod/mini rather than classic zod: the same validation core without the method-chaining
// layer, so an agent loads less. Measured on the gossip agent bundled with esbuild (as
// bench/bench.ts runs it, 5 s after start): 47.4 MiB RSS with zod/mini, 49.8 MiB with classic
// zod, 46.2 MiB with no zod at all. Unbundled, Node's ESM loader reading zod's ~90 files costs
// ~6 MiB more even with zod/mini: ship agents bundled. The helpers below (`int`, `count`, `ms`,
// `bool`, `text`) keep the field list as short as method chains would.
import * as z from "zod/mini";
import type { CoreConfig } from "./core/config.js";

/** The kind of a value, as "got number" says it. */
function kind(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
}

/** A value as "got ..." shows it: strings quoted (so "7946" and 7946 differ), objects by kind. */
function shown(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  return typeof v === "object" || typeof v === "function" || typeof v === "symbol" ? kind(v) : String(v);
}

/** zod params whose message is `text(the value that failed)`; the field name is added by `describe`. */
const says = (text: (input: unknown) => string) => ({
  error: (issue: { readonly input?: unknown }) => text(issue.input),
});

/** A safe integer in min..max (or >= min); one message for a wrong type and for either bound. */
function int(min: number, max?: number) {
  const range = max === undefined ? `>= ${min}` : `in ${min}..${max}`;
  const p = says((v) => `expected an integer ${range}, got ${shown(v)}`);
  const base = z.int(p).check(z.minimum(min, p));
  return max === undefined ? base : base.check(z.maximum(max, p));
}
const count = (min: number, def: number, max?: number) => z._default(int(min, max), def);
const ms = (def: number) => count(0, def);
const bool = (def: boolean) =>
  z._default(z.boolean(says((v) => `expected true or false, got ${shown(v)}`)), def);
const string = () => z.string(says((v) => `expected a string, got ${kind(v)}`));
/** A string of min..max characters; absent = "required" (fields with a default never are). */
function text(min: number, max: number) {
  const length = says((v) => `expected ${min} to ${max} characters, got ${String(v).length}`);
  const type = says((v) => (v === undefined ? "required" : `expected a string, got ${kind(v)}`));
  return z.string(type).check(z.minLength(min, length), z.maxLength(max, length));
}

const keyBytes = (k: string) => Buffer.from(k, "base64").length;
/** Base64 AES-128/192/256 keys, as memberlist's keyring accepts them. */
const encryptKeyList = z.array(
  string().check(
    z.refine(
      (k: string) => [16, 24, 32].includes(keyBytes(k)),
      says((v) => `expected a base64 key of 16, 24 or 32 bytes, got ${keyBytes(String(v))} bytes`),
    ),
  ),
  says((v) => `expected an array of strings, got ${shown(v)}`),
);
const stringMap = z.record(
  z.string(),
  string(),
  says((v) => `expected an object of string values, got ${kind(v)}`),
);

/**
 * The LAN base: every field, its bounds and its default, with the reason beside it. Compose it
 * into a larger schema as it is; another profile is its deltas spread under the input
 * (`resolveConfig` does that). Unknown keys are stripped.
 */
export const gossipConfigSchema = z.object(
  {
    /** Unique node name in the pool. */
    name: text(1, 128),
    /** UDP and TCP share this address, as in Serf. */
    bindHost: z._default(string(), "127.0.0.1"), // loopback unless told otherwise: never expose by accident
    bindPort: count(0, 7946, 65535), // Serf's / memberlist's default port
    /** What peers are told to use; defaults to the bind address (the real port when bindPort is 0). */
    advertiseHost: z.optional(string()),
    advertisePort: z.optional(int(1, 65535)),

    probeIntervalMs: ms(1000), // memberlist LAN: one probe per second bounds detection at a few seconds
    probeTimeoutMs: ms(500), // memberlist LAN: well above a LAN RTT, below the interval
    indirectChecks: count(0, 3, 16), // memberlist LAN: 3 helpers mask one lossy path
    suspicionMult: count(1, 4), // memberlist LAN: suspicion = 4 × log10(N) × probe interval
    suspicionMaxTimeoutMult: count(1, 6), // Lifeguard: start at 6× min, shrink with confirmations
    awarenessMaxMultiplier: count(1, 8), // Lifeguard: a slow node backs off up to 8×
    gossipIntervalMs: ms(200), // memberlist LAN: 5 gossip rounds per second
    gossipNodes: count(1, 3), // memberlist LAN: fan-out 3
    gossipToTheDeadMs: ms(30_000), // memberlist: tell a dead node for 30 s so a live one refutes
    retransmitMult: count(1, 4), // memberlist LAN: 4 × ceil(log10(N+1)) transmissions
    retransmitFloor: count(0, 0), // 0 = Serf's behaviour; 8 removes the N<=9 late tail
    pushPullIntervalMs: ms(30_000), // memberlist LAN: full-state sync every 30 s (scaled above 32 nodes)
    tcpTimeoutMs: ms(10_000), // memberlist LAN: bound on any TCP exchange
    udpBufferSize: count(576, 1400, 65_000), // memberlist: fits a 1500-byte MTU
    disableTcpPings: bool(false), // memberlist: TCP fallback ping catches UDP-only faults
    deadNodeReclaimMs: ms(0), // memberlist: 0 = a dead node's name is reusable only once it left
    broadcastQueueMax: count(16, 4096), // bound on queued broadcasts (oldest-most-sent dropped)
    enableCompression: bool(true), // memberlist: LZW when smaller (UDP), always on TCP
    metaMaxBytes: count(0, 512, 512), // memberlist MetaMaxSize

    /** Base64 AES keys (16, 24 or 32 bytes); the first is primary. Empty = no encryption. */
    encryptKeys: z._default(encryptKeyList, () => []), // plaintext unless configured, as Serf
    gossipVerifyIncoming: bool(true), // with keys: refuse plaintext
    gossipVerifyOutgoing: bool(true), // with keys: encrypt what we send
    label: z._default(text(0, 255), ""), // upstream memberlist label; Debian serf 0.9.4 has none

    /** Serf tags carried in node meta. */
    tags: z._default(stringMap, () => ({})), // none unless configured, as Serf
    reapIntervalMs: ms(15_000), // Serf: 15 s
    reconnectIntervalMs: ms(30_000), // Serf: try one failed member every 30 s
    reconnectTimeoutMs: ms(24 * 3600_000), // Serf: forget a failed member after 24 h
    tombstoneTimeoutMs: ms(24 * 3600_000), // Serf: forget a left member after 24 h
    broadcastTimeoutMs: ms(5_000), // Serf: wait at most 5 s for the leave intent to go out
    leavePropagateDelayMs: ms(1_000), // Serf: let the dead message spread before exiting
    eventBuffer: count(16, 512), // Serf: user-event ring size (must match peers' 512)
    userEventSizeLimit: count(1, 512), // Serf agent: name + payload
    queryTimeoutMult: count(1, 16), // Serf: query timeout = gossip × 16 × log10(N+1)
    // Event coalescing for the event callback; each kind is on only when both its periods are > 0.
    coalescePeriodMs: ms(0), // Serf library: off; serf agent: 3 s window for member events
    quiescentPeriodMs: ms(0), // Serf library: off; serf agent: flush after 1 s quiet
    userCoalescePeriodMs: ms(0), // Serf library: off; agent: 3 s for coalesce=true events
    userQuiescentPeriodMs: ms(0), // Serf library: off; serf agent: 1 s
  },
  says((v) => `expected an object, got ${kind(v)}`),
);

/** A resolved configuration (every field present, defaults applied). */
export type GossipConfig = Readonly<z.output<typeof gossipConfigSchema>>;

/** What callers pass: a name, and any other field to override its default. */
export type GossipConfigInput = { readonly name: string } & {
  readonly [K in Exclude<keyof GossipConfig, "name">]?: GossipConfig[K] | undefined;
};
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

/** A zod path as the field is written: `tags.role`, `encryptKeys[0]`; the root is `config`. */
function fieldName(path: readonly PropertyKey[]): string {
  let s = "";
  for (const k of path) s += typeof k === "number" ? `[${k}]` : s === "" ? String(k) : `.${String(k)}`;
  return s === "" ? "config" : s;
}

/** One line per failing field (its first issue), in schema order: "field: expected ..., got ...". */
function describe(issues: readonly z.core.$ZodIssue[]): string {
  const lines = new Map<string, string>();
  for (const issue of issues) {
    const field = fieldName(issue.path);
    if (!lines.has(field)) lines.set(field, `${field}: ${issue.message}`);
  }
  return [...lines.values()].join("\n");
}

/** The profile's deltas under the input (a field given as undefined is not given). */
function withProfile(input: unknown, profile: Profile): unknown {
  // not an object: left for the schema to refuse, naming what it got
  if (typeof input !== "object" || input === null || Array.isArray(input)) return input;
  const given = Object.entries(input).filter(([, v]) => v !== undefined);
  return { ...PROFILES[profile], ...Object.fromEntries(given) };
}

/**
 * Lays the profile under `input`, then validates it with `gossipConfigSchema`. Unknown keys are
 * ignored; every problem is reported, one line each, as "field: what was expected, got what".
 */
export function resolveConfig(input: GossipConfigInput, profile: Profile = "lan"): GossipConfig {
  const parsed = gossipConfigSchema.safeParse(withProfile(input, profile));
  if (!parsed.success) throw new ConfigError(describe(parsed.error.issues));
  return parsed.data;
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
