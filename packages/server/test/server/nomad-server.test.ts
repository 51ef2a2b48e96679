// The composed server in one process over real sockets: Raft and RPC share one port, gossip on
// its own; a dev-mode server elects itself, accepts a node and a job, and schedules it.
import { afterEach, describe, expect, it } from "vitest";
import {
  parseJob,
  parseNode,
  type Allocation,
  type JobRegisterResponse,
  type NodeUpdateResponse,
} from "@nomad/structs";
import { RpcClient } from "@nomad/rpc";
import { NomadServer } from "../../src/index.js";
import { until } from "./until.js";

const servers: NomadServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.shutdown();
});

function node(id: string) {
  return parseNode({
    ID: id,
    SecretID: "secret-" + id,
    Name: "n-" + id.slice(0, 4),
    Datacenter: "dc1",
    Status: "ready",
    Attributes: { "kernel.name": "linux", "driver.raw_exec": "1" },
    Drivers: { raw_exec: { Detected: true, Healthy: true } },
    NodeResources: { Cpu: { CpuShares: 4000 }, Memory: { MemoryMB: 8192 }, Disk: { DiskMB: 10000 } },
  });
}

const job = parseJob({
  ID: "web",
  Name: "web",
  Type: "service",
  Datacenters: ["dc1"],
  TaskGroups: [
    {
      Name: "app",
      Count: 2,
      Tasks: [
        {
          Name: "t",
          Driver: "raw_exec",
          Config: { command: "/bin/true" },
          Resources: { CPU: 100, MemoryMB: 64 },
        },
      ],
    },
  ],
});

describe("NomadServer", () => {
  it("a dev server leads at once, registers a node and schedules a job", async () => {
    const s = await NomadServer.start({
      name: "dev1",
      devMode: true,
      bootstrapExpect: 1,
      rpcPort: 0,
      serfPort: 0,
    });
    servers.push(s);
    await until("leadership", () => (s.isLeader() ? true : undefined));
    const reg = await s.rpc.call<NodeUpdateResponse>("Node.Register", {
      Node: node("11111111-2222-3333-4444-555555555555"),
    });
    expect(reg.HeartbeatTTL).toBeGreaterThan(0);
    const run = await s.rpc.call<JobRegisterResponse>("Job.Register", { Job: job });
    expect(run.EvalID).toMatch(/^[0-9a-f-]{36}$/);
    const allocs = await until("two allocations", async () => {
      const r = await s.rpc.call<{ Allocations: Allocation[] }>("Job.Allocations", { JobID: "web" });
      return r.Allocations.length === 2 ? r.Allocations : undefined;
    });
    expect(allocs.every((a) => a.NodeID === "11111111-2222-3333-4444-555555555555")).toBe(true);
    expect(await s.rpc.call<string>("Status.Leader", {})).toBe(s.rpcAdvertise);
    expect(s.members().map((m) => m.Name)).toEqual(["dev1.global"]);
  });

  it("RPC over the network reaches the same endpoints on the Raft port", async () => {
    const s = await NomadServer.start({
      name: "dev2",
      devMode: true,
      bootstrapExpect: 1,
      rpcPort: 0,
      serfPort: 0,
    });
    servers.push(s);
    await until("leadership", () => (s.isLeader() ? true : undefined));
    const client = new RpcClient({ address: s.rpcAdvertise });
    try {
      expect(await client.call<string[]>("Status.Peers", {})).toEqual([s.rpcAdvertise]);
    } finally {
      await client.close();
    }
  });
});
