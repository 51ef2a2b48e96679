// Several real agent processes: three servers that find each other through gossip
// (bootstrap_expect = 3, `-retry-join`), a client-only agent that registers through them, a
// job submitted to a follower, and the leader SIGKILLed: the two left elect a new leader and
// keep serving the job.
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  AgentProcess,
  freePorts,
  killProcessesUnder,
  nomad,
  portsConfig,
  tempDir,
  type Ports,
} from "./agent-process.js";
import { RAW_EXEC_PLUGIN, tickerJob } from "./jobs.js";

const agents: AgentProcess[] = [];
let dir = "";
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop("SIGKILL");
  if (dir !== "") {
    killProcessesUnder(dir);
    rmSync(dir, { recursive: true, force: true });
  }
});

interface Member {
  Name: string;
  Status: string;
  Tags: Record<string, string>;
}

describe("a cluster of agent processes", { timeout: 240_000 }, () => {
  it("three servers and a client run a job, and survive the loss of the leader", async () => {
    dir = tempDir("nomad-e2e-cluster-");
    const serverPorts: Ports[] = [];
    for (let i = 0; i < 3; i++) serverPorts.push(await freePorts());
    const seed = `127.0.0.1:${serverPorts[0]!.serf}`;
    for (let i = 0; i < 3; i++) {
      const name = `s${i + 1}`;
      const cfgDir = join(dir, name);
      mkdirSync(cfgDir, { recursive: true });
      const args = [
        "-server",
        "-bind=127.0.0.1",
        `-node=${name}`,
        "-bootstrap-expect=3",
        `-data-dir=${join(cfgDir, "data")}`,
        `-config=${portsConfig(cfgDir, serverPorts[i]!)}`,
        ...(i === 0 ? [] : [`-retry-join=${seed}`]),
      ];
      agents.push(AgentProcess.start(args, serverPorts[i]!));
    }
    const [s1] = agents as [AgentProcess];
    const leaderRpc = await s1.until("a leader", async () => {
      const l = await s1.get<string>("/v1/status/leader");
      return l !== "" ? l : undefined;
    });
    await s1.until("three raft peers", async () => {
      const peers = await s1.get<string[]>("/v1/status/peers");
      return peers.length === 3 ? true : undefined;
    });

    const members = await nomad(s1.address, ["server", "members"]);
    expect(members.code, members.stdout + members.stderr).toBe(0);
    expect(members.stdout.split("\n").filter((l) => / alive /.test(l))).toHaveLength(3);
    expect(members.stdout.split("\n").filter((l) => / true /.test(l))).toHaveLength(1);

    const clientPorts = await freePorts();
    const clientDir = join(dir, "c1");
    mkdirSync(clientDir, { recursive: true });
    const servers = serverPorts.map((p) => `127.0.0.1:${p.rpc}`).join(",");
    const client = AgentProcess.start(
      [
        "-client",
        "-bind=127.0.0.1",
        "-node=c1",
        `-data-dir=${join(clientDir, "data")}`,
        `-servers=${servers}`,
        `-config=${portsConfig(clientDir, clientPorts, RAW_EXEC_PLUGIN)}`,
      ],
      clientPorts,
    );
    agents.push(client);
    await s1.until("the client node ready", async () => {
      const nodes = await s1.get<Array<{ Name: string; Status: string }>>("/v1/nodes");
      return nodes.some((n) => n.Name === "c1" && n.Status === "ready") ? true : undefined;
    });

    // Submit through a follower: its HTTP API forwards the write to the leader.
    const followerIndex = serverPorts.findIndex((p) => `127.0.0.1:${p.rpc}` !== leaderRpc);
    const follower = agents[followerIndex]!;
    const run = await nomad(follower.address, ["job", "run", tickerJob(dir)]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    await follower.until("the allocation running on c1", async () => {
      const allocs = await follower.get<Array<{ ClientStatus: string; NodeName: string }>>(
        "/v1/job/ticker/allocations",
      );
      return allocs.some((a) => a.ClientStatus === "running" && a.NodeName === "c1") ? true : undefined;
    });

    // Lose the leader.
    const leaderIndex = serverPorts.findIndex((p) => `127.0.0.1:${p.rpc}` === leaderRpc);
    await agents[leaderIndex]!.stop("SIGKILL");
    const survivor = agents[(leaderIndex + 1) % 3]!;
    const newLeader = await survivor.until(
      "a new leader",
      async () => {
        const l = await survivor.get<string>("/v1/status/leader");
        return l !== "" && l !== leaderRpc ? l : undefined;
      },
      90_000,
    );
    expect(newLeader).not.toBe(leaderRpc);
    const status = await nomad(survivor.address, ["job", "status", "ticker"]);
    expect(status.code, status.stdout + status.stderr).toBe(0);
    expect(status.stdout).toMatch(/Status\s+= running/);
    const failed = await survivor.until("the old leader seen as failed", async () => {
      const m = await survivor.get<{ Members: Member[] }>("/v1/agent/members");
      return m.Members.find((x) => x.Status === "failed");
    });
    expect(failed.Tags["port"]).toBe(String(serverPorts[leaderIndex]!.rpc));
  });
});
