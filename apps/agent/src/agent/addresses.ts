// Bind and advertise addresses from bind_addr, addresses {}, advertise {} and ports {}, as Nomad
// normalises them: a listener binds `addresses.<x>` or bind_addr; peers are told `advertise.<x>`,
// else the bind address, else (bind 0.0.0.0) the host's private IP.
import { networkInterfaces } from "node:os";
import type { AgentConfig } from "./config/schema.js";

export interface AgentAddresses {
  /** Hosts the HTTP API listens on (`addresses.http` may list several, space separated). */
  readonly httpBind: string[];
  readonly rpcBind: string;
  readonly serfBind: string;
  /** `host:port` told to others. */
  readonly httpAdvertise: string;
  readonly rpcAdvertise: string;
  readonly serfAdvertise: string;
}

export function agentAddresses(
  config: AgentConfig,
  privateIp: () => string = defaultPrivateIp,
): AgentAddresses {
  const bind = config.bind_addr;
  const httpBind = (config.addresses.http ?? bind).split(/\s+/).filter((s) => s !== "");
  const rpcBind = config.addresses.rpc ?? bind;
  const serfBind = config.addresses.serf ?? bind;
  const advertise = (explicit: string | undefined, bound: string, port: number): string => {
    if (explicit !== undefined && explicit !== "")
      return hasPort(explicit) ? explicit : joinHostPort(explicit, port);
    return joinHostPort(isAnyAddress(bound) ? privateIp() : bound, port);
  };
  return {
    httpBind: httpBind.length > 0 ? httpBind : [bind],
    rpcBind,
    serfBind,
    httpAdvertise: advertise(config.advertise.http, httpBind[0] ?? bind, config.ports.http),
    rpcAdvertise: advertise(config.advertise.rpc, rpcBind, config.ports.rpc),
    serfAdvertise: advertise(config.advertise.serf, serfBind, config.ports.serf),
  };
}

export function isAnyAddress(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "[::]";
}

export function joinHostPort(host: string, port: number): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Host part of `host:port` / `[v6]:port`. */
export function hostOf(hostPort: string): string {
  if (hostPort.startsWith("[")) return hostPort.slice(1, hostPort.indexOf("]"));
  const at = hostPort.lastIndexOf(":");
  return at < 0 ? hostPort : hostPort.slice(0, at);
}

function hasPort(addr: string): boolean {
  if (addr.startsWith("[")) return /\]:\d+$/.test(addr);
  return (addr.match(/:/g) ?? []).length === 1;
}

const PRIVATE_V4 = [
  /^10\./,
  /^192\.168\./,
  /^172\.(1[6-9]|2\d|3[01])\./,
  /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./,
];

/** The first private IPv4 of this host (Nomad's default advertise when binding 0.0.0.0). */
export function defaultPrivateIp(): string {
  const all = Object.values(networkInterfaces())
    .flat()
    .filter((i) => i !== undefined && i.family === "IPv4" && !i.internal);
  const priv = all.find((i) => PRIVATE_V4.some((re) => re.test(i!.address)));
  return (priv ?? all[0])?.address ?? "127.0.0.1";
}
