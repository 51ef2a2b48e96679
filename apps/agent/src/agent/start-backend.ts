// Starts the real server and client from the agent config, behind the AgentBackend seam.
// Mapping the agent's snake_case config onto each component's camelCase config lives here so
// the components stay ignorant of Nomad's file format.
import type { Rpc } from "@nomad/rpc";
import { ServerRpc } from "@nomad/rpc";
import type { ClientConfigInput } from "@nomad/client";
import type { ServerConfigInput } from "@nomad/server";
import { agentVersion } from "../version.js";
import { agentAddresses, hostOf, type AgentAddresses } from "./addresses.js";
import type { AgentBackend, ClientBackend, ServerBackend } from "./backend.js";
import { agentDirs, rawExecEnabled } from "./config/resolve.js";
import { durationMs, type AgentConfig } from "./config/schema.js";
import type { Logger } from "./logger.js";

/** What NomadClient.start takes (camelCase); the agent's snake_case config is mapped onto it here. */
export type ClientStartConfig = ClientConfigInput;

/** How the parts are made; tests (and the lead, while wiring) can swap any of them. */
export interface BackendFactories {
  startServer(config: ServerConfigInput, logger: Logger): Promise<ServerBackend>;
  startClient(config: ClientStartConfig, deps: { rpc: Rpc; logger: Logger }): Promise<ClientBackend>;
  /** The client's link to remote servers (client-only agents). */
  serverRpc(servers: string[]): Rpc;
}

export const defaultFactories: BackendFactories = {
  // Loaded on first use so that the config, banner and HTTP code (and their tests) do not pull in
  // the whole server.
  startServer: async (config, logger) => (await import("@nomad/server")).NomadServer.start(config, logger),
  startClient: async (config, deps) => (await import("@nomad/client")).NomadClient.start(config, deps),
  serverRpc: (servers) => new ServerRpc({ servers }),
};

export interface StartBackendOptions {
  readonly dev: boolean;
  /** Where this agent's HTTP API is reachable (the client's Node.HTTPAddr). */
  readonly httpAdvertise?: string;
  readonly factories?: Partial<BackendFactories>;
}

/** Starts the server (if enabled), then the client (if enabled) over the server's in-process RPC or the remote servers. */
export async function startBackend(
  config: AgentConfig,
  logger: Logger,
  options: StartBackendOptions,
): Promise<AgentBackend> {
  const factories: BackendFactories = { ...defaultFactories, ...options.factories };
  const addresses = agentAddresses(config);
  let server: ServerBackend | undefined;
  if (config.server.enabled)
    server = await factories.startServer(toServerConfig(config, options.dev, addresses), logger);
  let client: ClientBackend | undefined;
  let rpc: Rpc | undefined = server?.rpc;
  if (config.client.enabled) {
    const clientConfig = toClientConfig(
      config,
      options.dev,
      options.httpAdvertise ?? addresses.httpAdvertise,
    );
    // Nomad accepts servers without a port (4647 is implied); the RPC client needs host:port.
    const clientRpc =
      server?.rpc ??
      factories.serverRpc(
        clientConfig.servers.map((a) => (/:\d+$/.test(a) && !a.endsWith("]") ? a : `${a}:4647`)),
      );
    try {
      client = await factories.startClient(clientConfig, { rpc: clientRpc, logger: logger.named("client") });
    } catch (e) {
      if (server !== undefined) await server.shutdown().catch(() => undefined);
      throw e;
    }
    rpc ??= clientRpc;
  }
  if (rpc === undefined) throw new Error("Must specify either server, client or dev mode for the agent.");
  return { ...(server === undefined ? {} : { server }), ...(client === undefined ? {} : { client }), rpc };
}

export function toServerConfig(
  config: AgentConfig,
  dev: boolean,
  addresses: AgentAddresses = agentAddresses(config),
): ServerConfigInput {
  const s = config.server;
  const advertiseHost = hostOf(addresses.rpcAdvertise);
  const out: ServerConfigInput = {
    region: config.region,
    datacenter: config.datacenter,
    name: config.name ?? "nomad",
    bindAddr: addresses.rpcBind,
    rpcPort: config.ports.rpc,
    serfPort: config.ports.serf,
    advertiseAddr: advertiseHost,
    bootstrapExpect: s.bootstrap_expect,
    enabledSchedulers: s.enabled_schedulers ?? ["service", "batch", "system", "sysbatch"],
    raftMultiplier: s.raft_multiplier,
    raftSnapshotThreshold: s.raft_snapshot_threshold,
    raftTrailingLogs: s.raft_trailing_logs,
    heartbeatGraceMs: durationMs(s.heartbeat_grace),
    minHeartbeatTtlMs: durationMs(s.min_heartbeat_ttl),
    maxHeartbeatsPerSecond: s.max_heartbeats_per_second,
    failoverHeartbeatTtlMs: durationMs(s.failover_heartbeat_ttl),
    nodeGcThresholdMs: durationMs(s.node_gc_threshold),
    jobGcThresholdMs: durationMs(s.job_gc_threshold),
    evalGcThresholdMs: durationMs(s.eval_gc_threshold),
    batchEvalGcThresholdMs: durationMs(s.batch_eval_gc_threshold),
    deploymentGcThresholdMs: durationMs(s.deployment_gc_threshold),
    gcIntervalMs: durationMs(s.job_gc_interval),
    startJoin: s.server_join.start_join,
    retryJoin: s.server_join.retry_join,
    retryIntervalMs: durationMs(s.server_join.retry_interval),
    retryMax: s.server_join.retry_max,
    devMode: dev,
    version: agentVersion,
  };
  // NomadServer keeps its state under <dataDir>/server itself.
  if (config.data_dir !== undefined && config.data_dir !== "") out.dataDir = config.data_dir;
  if (s.num_schedulers !== undefined) out.numSchedulers = s.num_schedulers;
  if (s.encrypt !== undefined && s.encrypt !== "") out.encrypt = s.encrypt;
  return out;
}

export function toClientConfig(
  config: AgentConfig,
  dev: boolean,
  httpAdvertise: string,
): ClientStartConfig & { servers: string[] } {
  const c = config.client;
  const dirs = agentDirs(config);
  const out: ClientStartConfig & { servers: string[] } = {
    nodeName: config.name ?? "nomad",
    datacenter: config.datacenter,
    region: config.region,
    nodeClass: c.node_class,
    nodePool: c.node_pool,
    meta: c.meta,
    servers: [...c.servers, ...c.server_join.retry_join].map(withRpcPort),
    devMode: dev,
    rawExecEnabled: rawExecEnabled(config),
    options: c.options,
    reserved: {
      cpu: c.reserved.cpu,
      cores: c.reserved.cores,
      memory: c.reserved.memory,
      disk: c.reserved.disk,
      reservedPorts: c.reserved.reserved_ports,
    },
    maxKillTimeoutMs: durationMs(c.max_kill_timeout),
    httpAdvertise,
    gc: {
      intervalMs: durationMs(c.gc_interval),
      diskUsageThreshold: c.gc_disk_usage_threshold,
      inodeUsageThreshold: c.gc_inode_usage_threshold,
      maxAllocs: c.gc_max_allocs,
      parallelDestroys: c.gc_parallel_destroys,
    },
    fingerprint: {
      cpuTotalCompute: c.cpu_total_compute,
      memoryTotalMb: c.memory_total_mb,
      diskTotalMb: c.disk_total_mb,
      noHostUuid: c.no_host_uuid,
    },
  };
  if (config.data_dir !== undefined && config.data_dir !== "") out.dataDir = config.data_dir;
  if (dirs.clientState !== undefined) out.stateDir = dirs.clientState;
  if (dirs.clientAlloc !== undefined) out.allocDir = dirs.clientAlloc;
  if (c.network_interface !== "") out.networkInterface = c.network_interface;
  return out;
}

/** `host` -> `host:4647` (Nomad's default RPC port for client.servers); `[v6]` likewise. */
export function withRpcPort(addr: string): string {
  const a = addr.trim();
  if (a.startsWith("[")) return a.endsWith("]") ? `${a}:4647` : a;
  const colons = (a.match(/:/g) ?? []).length;
  if (colons === 0) return `${a}:4647`;
  if (colons > 1) return `[${a}]:4647`; // a bare IPv6 address
  return a;
}
