// The client's configuration: Nomad's `client { ... }` block (plus the agent keys the client
// reads: data_dir, name, datacenter, region) in camelCase, validated by zod with Nomad's
// defaults. Defaults that differ in `-dev` (retry 1 s, gc thresholds, raw_exec) are left
// unset by the schema and resolved from `devMode` afterwards, so a caller can still
// override each one explicitly.

import { hostname } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { parseDurationNs, NS_PER_MS } from "@nomad/structs";

/** Thrown for an invalid client config; the message names every bad field. */
export class ClientConfigError extends Error {
  readonly code = "INVALID_CONFIG" as const;
  constructor(message: string) {
    super(message);
    this.name = "ClientConfigError";
  }
}

/** Milliseconds, given as a number of ms or a Go duration string ("30s", "1m"). */
const durationMs = z.union([z.number().int().nonnegative(), z.string()]).transform((v, ctx) => {
  if (typeof v === "number") return v;
  try {
    return Math.round(parseDurationNs(v) / NS_PER_MS);
  } catch (e) {
    ctx.addIssue({ code: "custom", message: e instanceof Error ? e.message : String(e) });
    return z.NEVER;
  }
});

/** Nomad's client port for RPC; a server address without a port gets it. */
export const DEFAULT_RPC_PORT = 4647;

/** `host`, `host:port`, `[v6]` or `[v6]:port` -> `host:port` (port 4647 when absent), as Nomad. */
export function normalizeServerAddress(addr: string): string {
  const a = addr.trim();
  if (a === "") throw new Error("empty server address");
  if (a.startsWith("[")) {
    const end = a.indexOf("]");
    if (end < 0) throw new Error(`bad IPv6 server address "${addr}"`);
    const rest = a.slice(end + 1);
    if (rest === "") return `${a}:${DEFAULT_RPC_PORT}`;
    if (!/^:\d{1,5}$/.test(rest)) throw new Error(`bad port in server address "${addr}"`);
    return a;
  }
  const colons = a.split(":").length - 1;
  if (colons === 0) return `${a}:${DEFAULT_RPC_PORT}`;
  if (colons > 1) return `[${a}]:${DEFAULT_RPC_PORT}`; // bare IPv6
  const [host, port] = a.split(":") as [string, string];
  if (host === "" || !/^\d{1,5}$/.test(port) || Number(port) > 65535)
    throw new Error(`bad server address "${addr}"`);
  return a;
}

const serverAddress = z.string().transform((v, ctx) => {
  try {
    return normalizeServerAddress(v);
  } catch (e) {
    ctx.addIssue({ code: "custom", message: e instanceof Error ? e.message : String(e) });
    return z.NEVER;
  }
});

export const clientConfigSchema = z.object({
  // Nomad requires data_dir outside -dev; in -dev a temporary directory is used.
  dataDir: z.string().min(1).optional(),
  // Nomad's defaults: <data_dir>/client and <data_dir>/alloc.
  stateDir: z.string().min(1).optional(),
  allocDir: z.string().min(1).optional(),
  // The node's name: the host name unless the operator names it (Nomad's `name`).
  nodeName: z.string().min(1).optional(),
  // Nomad's defaults for the agent's datacenter and region.
  datacenter: z
    .string()
    .min(1)
    .refine((v) => !v.includes("\0") && !v.includes("*"), "may not contain NUL or *")
    .default("dc1"),
  region: z.string().min(1).default("global"),
  // No class unless given (Nomad).
  nodeClass: z.string().default(""),
  // Every node is in the `default` pool unless told; `all` is reserved by Nomad.
  nodePool: z
    .string()
    .min(1)
    .refine((v) => v !== "all", 'node pool "all" is reserved')
    .default("default"),
  meta: z.record(z.string(), z.string()).default({}),
  // host[:port]; port 4647 by default as in Nomad.
  servers: z.array(serverAddress).default([]),
  // Empty: the default route's interface (Nomad); -dev uses `lo`.
  networkInterface: z.string().optional(),
  // -dev: in-memory client state, raw_exec on, fast retries.
  devMode: z.boolean().default(false),
  // raw_exec has no isolation: off unless enabled or -dev (Nomad).
  rawExecEnabled: z.boolean().optional(),
  // exec is isolated: on wherever it is detected (Nomad).
  execEnabled: z.boolean().default(true),
  // The test driver: never on unless asked for.
  mockDriverEnabled: z.boolean().default(false),
  // Nomad's free-form client options (driver.allowlist, fingerprint.denylist, ...).
  options: z.record(z.string(), z.string()).default({}),
  reserved: z
    .object({
      // Nothing is withheld unless the operator says so (Nomad).
      cpu: z.number().int().nonnegative().default(0),
      cores: z.string().default(""),
      memory: z.number().int().nonnegative().default(0),
      disk: z.number().int().nonnegative().default(0),
      reservedPorts: z.string().default(""),
    })
    .prefault({}),
  // Upper bound on a task's kill_timeout (Nomad: 30s).
  maxKillTimeoutMs: durationMs.default(30_000),
  // Node.HTTPAddr: where this agent's HTTP API is reachable (log streaming).
  httpAdvertise: z.string().default(""),
  gc: z
    .object({
      // Client-side alloc GC (Nomad: 1m, -dev 10m).
      intervalMs: durationMs.optional(),
      // Percent (Nomad: 80 / 70, -dev 99 / 99).
      diskUsageThreshold: z.number().min(0).max(100).optional(),
      inodeUsageThreshold: z.number().min(0).max(100).optional(),
      // Terminal allocs kept before GC (Nomad: 50).
      maxAllocs: z.number().int().nonnegative().default(50),
      // Concurrent alloc-dir destroys (Nomad: 2).
      parallelDestroys: z.number().int().positive().default(2),
    })
    .prefault({}),
  fingerprint: z
    .object({
      // 0 = detect (Nomad keys cpu_total_compute, memory_total_mb, disk_total_mb).
      cpuTotalCompute: z.number().int().nonnegative().default(0),
      memoryTotalMb: z.number().int().nonnegative().default(0),
      diskTotalMb: z.number().int().nonnegative().default(0),
      // Random node ID rather than the host's UUID (Nomad's default since 0.9).
      noHostUuid: z.boolean().default(true),
      // Per-fingerprinter refresh intervals (tests).
      periodicIntervalsMs: z.record(z.string(), z.number().int().positive()).default({}),
    })
    .prefault({}),
  // Nomad retries Node.Register every 15 s (1 s in -dev).
  registerRetryMs: durationMs.optional(),
  // First heartbeat after registering: random stagger up to 10 s (Nomad), none in -dev.
  initialHeartbeatStaggerMs: durationMs.optional(),
  // Nomad batches alloc status updates to the servers every 200 ms.
  allocSyncIntervalMs: durationMs.default(200),
  // Upper bound of one blocking alloc watch (Nomad: 5 m; the server caps at 300 s).
  watchMaxQueryTimeMs: durationMs.default(300_000),
  // Fingerprint changes are coalesced before re-registering (Nomad: 5 s; -dev 500 ms).
  nodeUpdateDebounceMs: durationMs.optional(),
  // How often a followed log file is checked for new data when no fs event arrives.
  logPollIntervalMs: durationMs.default(250),
});

export type ClientConfigInput = z.input<typeof clientConfigSchema>;
type Parsed = z.output<typeof clientConfigSchema>;

/** A validated config with every default (dev-dependent ones included) resolved. */
export interface ClientConfig extends Omit<
  Parsed,
  | "dataDir"
  | "stateDir"
  | "allocDir"
  | "nodeName"
  | "networkInterface"
  | "rawExecEnabled"
  | "gc"
  | "registerRetryMs"
  | "initialHeartbeatStaggerMs"
  | "nodeUpdateDebounceMs"
> {
  /** Undefined only in -dev without a data dir (nothing is persisted then). */
  dataDir: string | undefined;
  stateDir: string | undefined;
  /** Undefined only in -dev without a data dir: the client makes a temporary one at start. */
  allocDir: string | undefined;
  nodeName: string;
  networkInterface: string;
  rawExecEnabled: boolean;
  gc: {
    intervalMs: number;
    diskUsageThreshold: number;
    inodeUsageThreshold: number;
    maxAllocs: number;
    parallelDestroys: number;
  };
  registerRetryMs: number;
  initialHeartbeatStaggerMs: number;
  nodeUpdateDebounceMs: number;
}

function isTrue(v: string | undefined): boolean {
  return v !== undefined && ["1", "true", "t", "yes"].includes(v.trim().toLowerCase());
}

export function parseClientConfig(input: ClientConfigInput | ClientConfig = {}): ClientConfig {
  const result = clientConfigSchema.safeParse(input);
  if (!result.success) throw new ClientConfigError(`client config: ${z.prettifyError(result.error)}`);
  const c = result.data;
  const dev = c.devMode;
  if (c.dataDir === undefined && !dev && (c.stateDir === undefined || c.allocDir === undefined)) {
    throw new ClientConfigError('client config: dataDir is required outside dev mode (Nomad\'s "data_dir")');
  }
  return {
    ...c,
    dataDir: c.dataDir,
    stateDir: c.stateDir ?? (c.dataDir === undefined ? undefined : join(c.dataDir, "client")),
    allocDir: c.allocDir ?? (c.dataDir === undefined ? undefined : join(c.dataDir, "alloc")),
    nodeName: c.nodeName ?? hostname(),
    networkInterface: c.networkInterface ?? (dev ? "lo" : ""),
    // Nomad's legacy client option `driver.raw_exec.enable` (what -dev sets) counts too.
    rawExecEnabled: c.rawExecEnabled ?? (dev || isTrue(c.options["driver.raw_exec.enable"])),
    gc: {
      intervalMs: c.gc.intervalMs ?? (dev ? 600_000 : 60_000),
      diskUsageThreshold: c.gc.diskUsageThreshold ?? (dev ? 99 : 80),
      inodeUsageThreshold: c.gc.inodeUsageThreshold ?? (dev ? 99 : 70),
      maxAllocs: c.gc.maxAllocs,
      parallelDestroys: c.gc.parallelDestroys,
    },
    registerRetryMs: c.registerRetryMs ?? (dev ? 1_000 : 15_000),
    initialHeartbeatStaggerMs: c.initialHeartbeatStaggerMs ?? (dev ? 0 : 10_000),
    nodeUpdateDebounceMs: c.nodeUpdateDebounceMs ?? (dev ? 500 : 5_000),
  };
}
