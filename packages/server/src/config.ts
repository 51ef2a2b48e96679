// What a Nomad server needs to start, with Nomad's defaults (reference/NOMAD.md §1.2). The agent
// maps its HCL/JSON config and flags onto this; durations are milliseconds here.
import { z } from "zod";
import { SCHEDULER_TYPES } from "./leader/config.js";

const ms = (defaultMs: number) => z.number().int().min(0).default(defaultMs);

export const serverConfigSchema = z.object({
  region: z.string().min(1).default("global"), // Nomad's default region
  datacenter: z.string().min(1).default("dc1"), // Nomad's default datacenter
  /** Node name; the gossip member name is `<name>.<region>` as in Nomad. */
  name: z.string().min(1),
  /** `<data_dir>/server` holds raft/, serf/ and node-id. Absent in dev mode: nothing is persisted. */
  dataDir: z.string().min(1).optional(),
  bindAddr: z.string().default("127.0.0.1"), // loopback unless told otherwise: never expose by accident
  rpcPort: z.number().int().min(0).max(65535).default(4647), // Nomad's RPC (and Raft) port
  serfPort: z.number().int().min(0).max(65535).default(4648), // Nomad's gossip port (TCP + UDP)
  /** Address peers and clients are told to use; defaults to the bind address. */
  advertiseAddr: z.string().optional(),
  bootstrapExpect: z.number().int().min(0).default(0), // Nomad: 0 = wait to be joined into an existing cluster
  numSchedulers: z.number().int().min(0).optional(), // Nomad: one worker per CPU core when unset
  enabledSchedulers: z.array(z.enum(SCHEDULER_TYPES)).default(["service", "batch", "system", "sysbatch"]), // + `_core`, always
  raftMultiplier: z.number().int().min(1).max(10).default(1), // Nomad's raft_multiplier
  raftSnapshotThreshold: z.number().int().min(1).default(8192), // Nomad's raft_snapshot_threshold
  raftTrailingLogs: z.number().int().min(1).default(10240), // Nomad's raft_trailing_logs
  heartbeatGraceMs: ms(10_000), // Nomad's heartbeat_grace: slack for a client's network and GC pauses
  minHeartbeatTtlMs: ms(10_000), // Nomad's min_heartbeat_ttl
  maxHeartbeatsPerSecond: z.number().positive().default(50), // Nomad: caps the aggregate heartbeat rate
  failoverHeartbeatTtlMs: ms(300_000), // Nomad: a new leader gives every node 5 m to check in
  nodeGcThresholdMs: ms(24 * 3600_000), // Nomad: a node down for 24 h is collected
  jobGcThresholdMs: ms(4 * 3600_000), // Nomad's job_gc_threshold
  evalGcThresholdMs: ms(3600_000), // Nomad's eval_gc_threshold
  batchEvalGcThresholdMs: ms(24 * 3600_000), // Nomad's batch_eval_gc_threshold
  deploymentGcThresholdMs: ms(3600_000), // Nomad's deployment_gc_threshold
  gcIntervalMs: ms(300_000), // Nomad: each periodic GC runs every 5 m
  /** Gossip encryption key (base64, 16/24/32 bytes). */
  encrypt: z.string().optional(),
  startJoin: z.array(z.string()).default([]), // Nomad: a failing start_join aborts start-up
  retryJoin: z.array(z.string()).default([]),
  retryIntervalMs: ms(30_000), // Nomad's server_join.retry_interval
  retryMax: z.number().int().min(0).default(0), // 0 = retry forever, as Nomad
  /** Dev mode: in-memory Raft, a fresh node ID each start. */
  devMode: z.boolean().default(false),
  /** Agent version carried in the gossip `build` tag. */
  version: z.string().default("0.1.0"),
});

export type ServerConfig = z.output<typeof serverConfigSchema>;
export type ServerConfigInput = z.input<typeof serverConfigSchema>;

export class ServerConfigError extends Error {
  override readonly name = "ServerConfigError";
}

export function parseServerConfig(input: ServerConfigInput): ServerConfig {
  const r = serverConfigSchema.safeParse(input);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new ServerConfigError(`${first?.path.join(".") ?? "server"}: ${first?.message ?? "invalid"}`);
  }
  if (r.data.dataDir === undefined && !r.data.devMode) {
    throw new ServerConfigError('dataDir: required unless in dev mode (Nomad: Must specify "data_dir")');
  }
  return r.data;
}
