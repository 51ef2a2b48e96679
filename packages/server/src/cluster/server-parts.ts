// A gossip member seen as a Nomad server: Nomad's serf tags (reference/NOMAD.md §2.4, §4.7)
// parsed once, so membership decisions never read raw tags.
import type { Member } from "@nomad/gossip";

export interface ServerParts {
  /** Gossip member name, `<node>.<region>`. */
  readonly name: string;
  readonly id: string;
  readonly region: string;
  readonly datacenter: string;
  /** `ip:port` of the server's RPC (and Raft) listener. */
  readonly rpcAddr: string;
  readonly expect: number;
  readonly bootstrap: boolean;
  readonly nonVoter: boolean;
  readonly status: Member["status"];
  readonly build: string;
}

/** The Nomad server behind a member, or undefined for anything else in the pool (clients, other agents). */
export function serverParts(m: Member): ServerParts | undefined {
  const t = m.tags;
  if (t["role"] !== "nomad") return undefined;
  const id = t["id"];
  const region = t["region"];
  const port = Number(t["port"]);
  if (id === undefined || region === undefined || !Number.isInteger(port) || port <= 0) return undefined;
  const host = t["rpc_addr"] ?? m.addr.host;
  const expect = Number(t["expect"] ?? "0");
  return {
    name: m.name,
    id,
    region,
    datacenter: t["dc"] ?? "",
    rpcAddr: host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`,
    expect: Number.isInteger(expect) ? expect : 0,
    bootstrap: t["bootstrap"] === "1",
    nonVoter: t["nonvoter"] === "1",
    status: m.status,
    build: t["build"] ?? "",
  };
}

export interface ServerTagInput {
  readonly region: string;
  readonly datacenter: string;
  readonly nodeID: string;
  readonly rpcHost: string;
  readonly rpcPort: number;
  readonly bootstrapExpect: number;
  readonly build: string;
}

/** The tags a Nomad server gossips (`role=nomad`, region, dc, id, rpc address, expect/bootstrap). */
export function serverTags(i: ServerTagInput): Record<string, string> {
  const tags: Record<string, string> = {
    role: "nomad",
    region: i.region,
    dc: i.datacenter,
    build: i.build,
    vsn: "1",
    raft_vsn: "3",
    id: i.nodeID,
    rpc_addr: i.rpcHost,
    port: String(i.rpcPort),
  };
  if (i.bootstrapExpect === 1) tags["bootstrap"] = "1";
  else if (i.bootstrapExpect > 1) tags["expect"] = String(i.bootstrapExpect);
  return tags;
}
