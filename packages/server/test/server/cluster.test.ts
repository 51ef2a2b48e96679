// Three servers in one process over real sockets: bootstrap_expect through gossip, a write sent
// to a follower is forwarded to the leader and replicated everywhere, and a server that leaves
// gracefully is removed from the Raft peer set.
import { afterEach, describe, expect, it } from "vitest";
import {
  parseJob,
  type JobRegisterResponse,
  type RaftConfigurationResponse,
  type SingleJobResponse,
} from "@nomad/structs";
import { NomadServer } from "../../src/index.js";
import { until } from "./until.js";

const servers: NomadServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.shutdown();
});

async function startThree(): Promise<NomadServer[]> {
  for (const name of ["s1", "s2", "s3"]) {
    servers.push(
      await NomadServer.start({ name, devMode: true, bootstrapExpect: 3, rpcPort: 0, serfPort: 0 }),
    );
  }
  const [s1, s2, s3] = servers as [NomadServer, NomadServer, NomadServer];
  expect(await s2.join([s1.serfAdvertise])).toBe(1);
  expect(await s3.join([s1.serfAdvertise])).toBe(1);
  return [s1, s2, s3];
}

const job = parseJob({
  ID: "replicated",
  Type: "batch",
  Datacenters: ["dc1"],
  TaskGroups: [{ Name: "g", Tasks: [{ Name: "t", Driver: "raw_exec", Config: { command: "/bin/true" } }] }],
});

describe("a three-server cluster", { timeout: 90_000 }, () => {
  it("bootstraps once three servers are known, forwards a follower's write and replicates it", async () => {
    const all = await startThree();
    const leader = await until("one leader", () => {
      const leaders = all.filter((s) => s.isLeader());
      return leaders.length === 1 ? leaders[0] : undefined;
    });
    const peers = await until("three raft peers", async () => {
      const c = await leader.rpc.call<RaftConfigurationResponse>("Operator.RaftGetConfiguration", {});
      return c.Servers.length === 3 ? c.Servers : undefined;
    });
    expect(peers.filter((p) => p.Leader)).toHaveLength(1);
    expect(peers.map((p) => p.Node).sort()).toEqual(["s1.global", "s2.global", "s3.global"]);

    const follower = all.find((s) => s !== leader)!;
    const reply = await follower.rpc.call<JobRegisterResponse>("Job.Register", { Job: job });
    expect(reply.Index).toBeGreaterThan(0);
    for (const s of all) {
      await until(`the job on ${s.config.name}`, async () => {
        const r = await s.rpc.call<SingleJobResponse>("Job.GetJob", {
          JobID: "replicated",
          AllowStale: true,
        });
        return r.Job !== null ? true : undefined;
      });
    }
    expect(await follower.rpc.call<string>("Status.Leader", {})).toBe(leader.rpcAdvertise);
  });

  it("a server that leaves gracefully is removed from the Raft peer set", async () => {
    const all = await startThree();
    const leader = await until("one leader", () => all.find((s) => s.isLeader()));
    await until("three raft peers", async () => {
      const c = await leader.rpc.call<RaftConfigurationResponse>("Operator.RaftGetConfiguration", {});
      return c.Servers.length === 3 ? true : undefined;
    });
    const leaving = all.find((s) => s !== leader)!;
    await leaving.leave();
    servers.splice(servers.indexOf(leaving), 1);
    const c = await until("two raft peers", async () => {
      const r = await leader.rpc.call<RaftConfigurationResponse>("Operator.RaftGetConfiguration", {});
      return r.Servers.length === 2 ? r : undefined;
    });
    expect(c.Servers.map((s) => s.ID)).not.toContain(leaving.nodeID);
  });
});
