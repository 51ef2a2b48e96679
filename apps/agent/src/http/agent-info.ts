// The agent facts the HTTP API reports (agent/self's `config`, region defaults, member names),
// with Nomad's PascalCase field names.
import type { AgentAddresses } from "../agent/addresses.js";
import type { AgentConfig } from "../agent/config/schema.js";

export interface AgentInfo {
  readonly region: string;
  readonly datacenter: string;
  readonly nodeName: string;
  readonly version: string;
  /** `/v1/agent/self` -> `config`. */
  selfConfig(): Record<string, unknown>;
}

export function agentInfoFromConfig(
  config: AgentConfig,
  addresses: AgentAddresses,
  extra: { version: string; files: readonly string[]; dev: boolean },
): AgentInfo {
  return {
    region: config.region,
    datacenter: config.datacenter,
    nodeName: config.name ?? "",
    version: extra.version,
    selfConfig: () => ({
      Region: config.region,
      Datacenter: config.datacenter,
      NodeName: config.name ?? "",
      DataDir: config.data_dir ?? "",
      PluginDir: config.plugin_dir ?? "",
      LogLevel: config.log_level,
      LogJson: config.log_json,
      BindAddr: config.bind_addr,
      EnableDebug: config.enable_debug,
      LeaveOnInt: config.leave_on_interrupt,
      LeaveOnTerm: config.leave_on_terminate,
      DevMode: extra.dev,
      Ports: { HTTP: config.ports.http, RPC: config.ports.rpc, Serf: config.ports.serf },
      Addresses: {
        HTTP: config.addresses.http ?? config.bind_addr,
        RPC: config.addresses.rpc ?? config.bind_addr,
        Serf: config.addresses.serf ?? config.bind_addr,
      },
      AdvertiseAddrs: {
        HTTP: addresses.httpAdvertise,
        RPC: addresses.rpcAdvertise,
        Serf: addresses.serfAdvertise,
      },
      Server: {
        Enabled: config.server.enabled,
        BootstrapExpect: config.server.bootstrap_expect,
        DataDir: config.server.data_dir ?? "",
        NumSchedulers: config.server.num_schedulers ?? null,
        EnabledSchedulers: config.server.enabled_schedulers ?? null,
        HeartbeatGrace: config.server.heartbeat_grace,
        MinHeartbeatTTL: config.server.min_heartbeat_ttl,
        MaxHeartbeatsPerSecond: config.server.max_heartbeats_per_second,
        NodeGCThreshold: config.server.node_gc_threshold,
        JobGCThreshold: config.server.job_gc_threshold,
        EvalGCThreshold: config.server.eval_gc_threshold,
        RaftProtocol: config.server.raft_protocol,
        RaftMultiplier: config.server.raft_multiplier,
        RejoinAfterLeave: config.server.rejoin_after_leave,
        ServerJoin: {
          StartJoin: config.server.server_join.start_join,
          RetryJoin: config.server.server_join.retry_join,
          RetryInterval: config.server.server_join.retry_interval,
          RetryMaxAttempts: config.server.server_join.retry_max,
        },
      },
      Client: {
        Enabled: config.client.enabled,
        StateDir: config.client.state_dir ?? "",
        AllocDir: config.client.alloc_dir ?? "",
        Servers: config.client.servers,
        NodeClass: config.client.node_class,
        NodePool: config.client.node_pool,
        Meta: config.client.meta,
        Options: config.client.options,
        NetworkInterface: config.client.network_interface,
        MaxKillTimeout: config.client.max_kill_timeout,
        GCInterval: config.client.gc_interval,
        GCMaxAllocs: config.client.gc_max_allocs,
      },
      Version: { Version: extra.version, VersionPrerelease: "", VersionMetadata: "", Revision: "" },
      Files: [...extra.files],
    }),
  };
}
