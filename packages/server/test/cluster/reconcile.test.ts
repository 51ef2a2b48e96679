import { describe, expect, it } from "vitest";
import type { Member } from "@nomad/gossip";
import { bootstrapServers, reconcileActions } from "../../src/cluster/reconcile.js";
import { serverParts, serverTags, type ServerParts } from "../../src/cluster/server-parts.js";

function member(
  id: string,
  status: Member["status"],
  over: Partial<Record<string, string>> = {},
  region = "global",
): ServerParts {
  const tags = serverTags({
    region,
    datacenter: "dc1",
    nodeID: id,
    rpcHost: "10.0.0." + id.slice(-1),
    rpcPort: 4647,
    bootstrapExpect: 3,
    build: "0.1.0",
  });
  const m: Member = {
    name: `${id}.${region}`,
    addr: { host: "10.0.0.9", port: 4648 },
    tags: { ...tags, ...over } as Record<string, string>,
    status,
    vsn: [1, 5, 2, 2, 5, 5],
  };
  const p = serverParts(m);
  if (p === undefined) throw new Error("not a server");
  return p;
}

describe("server tags", () => {
  it("carry Nomad's role, region, id, rpc address and expect, and parse back", () => {
    const p = member("s1", "alive");
    expect(p).toMatchObject({
      id: "s1",
      region: "global",
      datacenter: "dc1",
      rpcAddr: "10.0.0.1:4647",
      expect: 3,
      bootstrap: false,
    });
  });

  it("members that are not Nomad servers are ignored", () => {
    const m: Member = {
      name: "x",
      addr: { host: "1.2.3.4", port: 1 },
      tags: { role: "consul" },
      status: "alive",
      vsn: [],
    };
    expect(serverParts(m)).toBeUndefined();
  });

  it("bootstrap_expect=1 gossips bootstrap=1 instead of expect", () => {
    const t = serverTags({
      region: "r",
      datacenter: "d",
      nodeID: "i",
      rpcHost: "h",
      rpcPort: 1,
      bootstrapExpect: 1,
      build: "b",
    });
    expect(t["bootstrap"]).toBe("1");
    expect(t["expect"]).toBeUndefined();
  });
});

describe("leader reconciliation of gossip and the Raft peer set", () => {
  const peers = [{ id: "s1", address: "10.0.0.1:4647" }];

  it("an alive server of our region that Raft does not know is added as a voter", () => {
    expect(reconcileActions("global", "s1", [member("s1", "alive"), member("s2", "alive")], peers)).toEqual([
      { type: "add", id: "s2", address: "10.0.0.2:4647", voter: true },
    ]);
  });

  it("a server that left is removed; a failed one stays", () => {
    const p = [...peers, { id: "s2", address: "10.0.0.2:4647" }, { id: "s3", address: "10.0.0.3:4647" }];
    expect(reconcileActions("global", "s1", [member("s2", "left"), member("s3", "failed")], p)).toEqual([
      { type: "remove", id: "s2", reason: "left the cluster" },
    ]);
  });

  it("servers of other regions never join our Raft", () => {
    expect(reconcileActions("global", "s1", [member("s4", "alive", {}, "eu")], peers)).toEqual([]);
  });

  it("a known server on a new address is removed then added again", () => {
    const p = [{ id: "s2", address: "10.9.9.9:4647" }];
    expect(reconcileActions("global", "s1", [member("s2", "alive")], p).map((a) => a.type)).toEqual([
      "remove",
      "add",
    ]);
  });
});

describe("bootstrap_expect", () => {
  it("waits until the expected number of alive voters of our region is known", () => {
    expect(bootstrapServers("global", 3, [member("s1", "alive"), member("s2", "alive")])).toBeUndefined();
    const three = bootstrapServers("global", 3, [
      member("s3", "alive"),
      member("s1", "alive"),
      member("s2", "alive"),
    ]);
    expect(three?.map((s) => s.id)).toEqual(["s1", "s2", "s3"]);
  });

  it("a member with a different expect value disables automatic bootstrap", () => {
    expect(
      bootstrapServers("global", 3, [
        member("s1", "alive"),
        member("s2", "alive"),
        member("s3", "alive", { expect: "5" }),
      ]),
    ).toBeUndefined();
  });

  it("failed members and other regions do not count", () => {
    expect(
      bootstrapServers("global", 2, [
        member("s1", "alive"),
        member("s2", "failed"),
        member("s3", "alive", {}, "eu"),
      ]),
    ).toBeUndefined();
  });
});
