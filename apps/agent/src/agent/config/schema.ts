// The agent configuration as Nomad's HCL/JSON files write it (snake_case keys, Go duration
// strings), with Nomad's defaults (reference/NOMAD.md §1.1-1.3). Unknown keys are refused so a
// typo is reported with its file and key instead of silently ignored.
import { parseDurationNs } from "@nomad/structs";
import { z } from "zod";

/** A Go duration string ("30s", "1h30m"); kept as text, read with `durationMs`. */
const duration = (defaultValue: string) =>
  z
    .string({ error: 'expected a duration string such as "30s"' })
    .refine(isDuration, { message: 'expected a duration string such as "30s"' })
    .default(defaultValue);

function isDuration(text: string): boolean {
  try {
    parseDurationNs(text);
    return true;
  } catch {
    return false;
  }
}

/** Milliseconds of a duration string the schema has already checked. */
export function durationMs(text: string): number {
  return Math.floor(parseDurationNs(text) / 1_000_000);
}

const port = (defaultPort: number) => z.number().int().min(0).max(65535).default(defaultPort);
const count = (defaultValue: number) => z.number().int().min(0).default(defaultValue);
/** HCL writes `meta { rack = 3 }`; Nomad's maps are string to string. */
const stringish = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));
const stringMap = z.record(z.string(), stringish).default({});
const stringList = z.array(z.string()).default([]);
/** Blocks we accept for compatibility but do not act on yet (tls, consul, vault, ...). */
const passthrough = z.record(z.string(), z.unknown()).optional();

const serverJoinSchema = z
  .strictObject({
    retry_join: stringList, // Nomad: nothing to retry by default
    retry_interval: duration("30s"), // Nomad's server_join.retry_interval
    retry_max: count(0), // 0 = retry forever, as Nomad
    start_join: stringList, // Nomad: a failing start_join aborts start-up
  })
  .prefault({});

const hostPortsSchema = z
  .strictObject({
    http: port(4646), // Nomad's HTTP API port
    rpc: port(4647), // Nomad's RPC (and Raft) port
    serf: port(4648), // Nomad's gossip port (TCP and UDP)
  })
  .prefault({});

/** `addresses {}` / `advertise {}`: unset means "derive from bind_addr". */
const hostAddressesSchema = z
  .strictObject({ http: z.string().optional(), rpc: z.string().optional(), serf: z.string().optional() })
  .prefault({});

const serverSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    bootstrap_expect: count(0), // 0 = wait to be joined into an existing cluster
    data_dir: z.string().optional(), // default <data_dir>/server
    num_schedulers: z.number().int().min(0).optional(), // unset = one per CPU core
    enabled_schedulers: z.array(z.enum(["service", "batch", "system", "sysbatch", "_core"])).optional(), // unset = all, `_core` always added
    encrypt: z.string().optional(),
    raft_protocol: z.number().int().min(3).max(3).default(3), // only v3 since Nomad 1.4
    raft_multiplier: z.number().int().min(0).max(10).default(1), // 0 means 1, as Nomad
    raft_snapshot_threshold: z.number().int().min(1).default(8192), // hashicorp/raft default
    raft_snapshot_interval: duration("120s"), // hashicorp/raft default
    raft_trailing_logs: z.number().int().min(1).default(10240), // hashicorp/raft default
    heartbeat_grace: duration("10s"), // slack for a client's network and GC pauses
    min_heartbeat_ttl: duration("10s"), // floor of a client's TTL
    max_heartbeats_per_second: z.number().positive().default(50), // caps the aggregate heartbeat rate
    failover_heartbeat_ttl: duration("5m"), // a new leader gives every node this long to check in
    node_gc_threshold: duration("24h"),
    job_gc_interval: duration("5m"),
    job_gc_threshold: duration("4h"),
    eval_gc_threshold: duration("1h"),
    batch_eval_gc_threshold: duration("24h"),
    deployment_gc_threshold: duration("1h"),
    rejoin_after_leave: z.boolean().default(false),
    server_join: serverJoinSchema,
    // Deprecated top-level forms of server_join, still read by Nomad.
    start_join: z.array(z.string()).optional(),
    retry_join: z.array(z.string()).optional(),
    retry_interval: z.string().refine(isDuration, 'expected a duration string such as "30s"').optional(),
    retry_max: z.number().int().min(0).optional(),
    job_default_priority: z.number().int().min(1).max(100).default(50),
    job_max_priority: z.number().int().min(1).default(100),
    job_max_count: z.number().int().min(0).default(50000),
    job_tracked_versions: z.number().int().min(1).default(6),
    authoritative_region: z.string().default(""),
    enable_event_broker: z.boolean().default(true),
    event_buffer_size: z.number().int().min(0).default(100),
    default_scheduler_config: passthrough,
    search: passthrough,
    plan_rejection_tracker: passthrough,
  })
  .prefault({});

const clientSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    servers: stringList, // host or host:port, port 4647 when omitted
    server_join: serverJoinSchema,
    state_dir: z.string().optional(), // default <data_dir>/client
    alloc_dir: z.string().optional(), // default <data_dir>/alloc
    alloc_mounts_dir: z.string().optional(),
    node_class: z.string().default(""),
    node_pool: z
      .string()
      .refine((v) => v !== "all", 'node pool "all" is reserved')
      .default("default"),
    meta: stringMap,
    options: stringMap,
    network_interface: z.string().default(""), // "" = detect
    network_speed: z.number().int().min(0).default(0), // deprecated
    cpu_total_compute: z.number().int().min(0).default(0), // 0 = fingerprint
    memory_total_mb: z.number().int().min(0).default(0),
    disk_total_mb: z.number().int().min(0).default(0),
    min_dynamic_port: port(20000),
    max_dynamic_port: port(32000),
    max_kill_timeout: duration("30s"),
    reserved: z
      .strictObject({
        cpu: count(0),
        cores: z.string().default(""),
        memory: count(0),
        disk: count(0),
        reserved_ports: z.string().default(""),
      })
      .prefault({}),
    gc_interval: duration("1m"), // client-side alloc GC
    gc_disk_usage_threshold: z.number().min(0).max(100).default(80),
    gc_inode_usage_threshold: z.number().min(0).max(100).default(70),
    gc_max_allocs: count(50),
    gc_parallel_destroys: count(2),
    no_host_uuid: z.boolean().default(true), // random node ID instead of the host's UUID
    disable_remote_exec: z.boolean().default(false),
    cni_path: z.string().default("/opt/cni/bin"),
    cni_config_dir: z.string().default("/opt/cni/config"),
    bridge_network_name: z.string().default("nomad"),
    bridge_network_subnet: z.string().default("172.26.64.0/20"),
    cgroup_parent: z.string().default("/nomad"),
    drain_on_shutdown: z
      .strictObject({
        deadline: duration("1h"),
        force: z.boolean().default(false),
        ignore_system_jobs: z.boolean().default(false),
      })
      .prefault({}),
    host_volume: passthrough,
    host_network: passthrough,
    artifact: passthrough,
    template: passthrough,
    chroot_env: passthrough,
  })
  .prefault({});

/** `plugin "raw_exec" { config { enabled = true } }`: per-driver settings keyed by plugin name. */
const pluginSchema = z
  .record(
    z.string(),
    z.strictObject({
      config: z.record(z.string(), z.unknown()).default({}),
      args: z.array(z.string()).optional(),
    }),
  )
  .default({});

export const AgentConfigSchema = z.strictObject({
  region: z
    .string()
    .min(1)
    .regex(/^[A-Za-z0-9_.-]+$/, "must contain only letters, digits, '_', '-' and '.'")
    .default("global"), // Nomad's default region
  datacenter: z
    .string()
    .min(1)
    .refine((v) => !v.includes("\0") && !v.includes("*"), "may not contain NUL or '*'")
    .default("dc1"), // Nomad's default datacenter
  name: z.string().optional(), // unset = hostname
  data_dir: z.string().optional(), // required except in dev mode
  plugin_dir: z.string().optional(), // unset = <data_dir>/plugins
  bind_addr: z.string().default("0.0.0.0"), // all interfaces, as Nomad
  addresses: hostAddressesSchema,
  advertise: hostAddressesSchema,
  ports: hostPortsSchema,
  log_level: z.string().default("INFO"), // Nomad's default; -dev sets DEBUG
  log_json: z.boolean().default(false),
  log_include_location: z.boolean().default(false),
  log_file: z.string().default(""),
  log_rotate_bytes: count(0),
  log_rotate_duration: duration("24h"),
  log_rotate_max_files: count(0),
  enable_syslog: z.boolean().default(false),
  syslog_facility: z.string().default("LOCAL0"),
  leave_on_interrupt: z.boolean().default(false), // SIGINT stops forcefully unless set
  leave_on_terminate: z.boolean().default(false), // SIGTERM stops forcefully unless set
  enable_debug: z.boolean().default(false),
  disable_update_check: z.boolean().default(false),
  disable_anonymous_signature: z.boolean().default(false),
  http_api_response_headers: z.record(z.string(), z.string()).default({}),
  server: serverSchema,
  client: clientSchema,
  plugin: pluginSchema,
  limits: z
    .strictObject({
      https_handshake_timeout: duration("5s"),
      http_max_conns_per_client: count(100), // per source IP; 0 = no limit (Nomad)
      rpc_handshake_timeout: duration("5s"),
      rpc_max_conns_per_client: count(100),
    })
    .prefault({}),
  telemetry: passthrough,
  acl: passthrough,
  tls: passthrough,
  consul: passthrough,
  vault: passthrough,
  ui: passthrough,
  audit: passthrough,
  autopilot: passthrough,
  sentinel: passthrough,
  reporting: passthrough,
  keyring: passthrough,
  // Deprecated top-level join settings (Nomad still reads them into the server's server_join).
  retry_join: z.array(z.string()).optional(),
  retry_interval: z.string().refine(isDuration, 'expected a duration string such as "30s"').optional(),
  retry_max: z.number().int().min(0).optional(),
  start_join: z.array(z.string()).optional(),
});

/** The whole configuration after defaults: what the agent runs with. */
export type AgentConfig = z.output<typeof AgentConfigSchema>;
/** What one file, the dev profile or the flags contribute before merging (snake_case, partial). */
export type PartialAgentConfig = Record<string, unknown>;
