// `nomad agent` flags mapped onto config keys (reference/NOMAD.md §1.4). Flags merge last, over
// every file, with the same rules as files (so `-servers` appends to client.servers, as Nomad).
import { ConfigError } from "./errors.js";
import type { PartialAgentConfig } from "./schema.js";

/** What commander hands over (long names, camel-cased); repeatable flags arrive as lists. */
export interface AgentFlags {
  dev?: boolean;
  server?: boolean;
  client?: boolean;
  config?: string[];
  bootstrapExpect?: string;
  dataDir?: string;
  pluginDir?: string;
  bind?: string;
  region?: string;
  dc?: string;
  logLevel?: string;
  logJson?: boolean;
  node?: string;
  servers?: string;
  retryJoin?: string[];
  retryMax?: string;
  retryInterval?: string;
  join?: string[];
  rejoin?: boolean;
  encrypt?: string;
  meta?: string[];
  networkInterface?: string;
  stateDir?: string;
  allocDir?: string;
  nodeClass?: string;
  nodePool?: string;
}

export function flagsToConfig(flags: AgentFlags): PartialAgentConfig {
  const server: Record<string, unknown> = {};
  const client: Record<string, unknown> = {};
  const top: Record<string, unknown> = {};
  const serverJoin: Record<string, unknown> = {};

  if (flags.server === true) server["enabled"] = true;
  if (flags.client === true) client["enabled"] = true;
  if (flags.bootstrapExpect !== undefined)
    server["bootstrap_expect"] = intFlag("bootstrap-expect", flags.bootstrapExpect);
  if (flags.encrypt !== undefined) server["encrypt"] = flags.encrypt;
  if (flags.rejoin === true) server["rejoin_after_leave"] = true;
  if (flags.join !== undefined && flags.join.length > 0) server["start_join"] = [...flags.join];
  if (flags.retryJoin !== undefined && flags.retryJoin.length > 0)
    server["retry_join"] = [...flags.retryJoin];
  if (flags.retryMax !== undefined) serverJoin["retry_max"] = intFlag("retry-max", flags.retryMax);
  if (flags.retryInterval !== undefined) serverJoin["retry_interval"] = flags.retryInterval;
  if (Object.keys(serverJoin).length > 0) server["server_join"] = serverJoin;

  if (flags.servers !== undefined) client["servers"] = splitList(flags.servers);
  if (flags.stateDir !== undefined) client["state_dir"] = flags.stateDir;
  if (flags.allocDir !== undefined) client["alloc_dir"] = flags.allocDir;
  if (flags.nodeClass !== undefined) client["node_class"] = flags.nodeClass;
  if (flags.nodePool !== undefined) client["node_pool"] = flags.nodePool;
  if (flags.networkInterface !== undefined) client["network_interface"] = flags.networkInterface;
  if (flags.meta !== undefined && flags.meta.length > 0) client["meta"] = parseMeta(flags.meta);

  if (flags.dataDir !== undefined) top["data_dir"] = flags.dataDir;
  if (flags.pluginDir !== undefined) top["plugin_dir"] = flags.pluginDir;
  if (flags.bind !== undefined) top["bind_addr"] = flags.bind;
  if (flags.region !== undefined) top["region"] = flags.region;
  if (flags.dc !== undefined) top["datacenter"] = flags.dc;
  if (flags.logLevel !== undefined) top["log_level"] = flags.logLevel;
  if (flags.logJson === true) top["log_json"] = true;
  if (flags.node !== undefined) top["name"] = flags.node;
  if (Object.keys(server).length > 0) top["server"] = server;
  if (Object.keys(client).length > 0) top["client"] = client;
  return top;
}

function intFlag(name: string, text: string): number {
  const n = Number(text.trim());
  if (text.trim() === "" || !Number.isInteger(n)) {
    throw new ConfigError(`invalid value ${JSON.stringify(text)} for flag -${name}: parse error`);
  }
  return n;
}

function splitList(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

function parseMeta(pairs: readonly string[]): Record<string, string> {
  const meta: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new ConfigError(`Error parsing Client.Meta value: ${pair}`);
    meta[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return meta;
}
