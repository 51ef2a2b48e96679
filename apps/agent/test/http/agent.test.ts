import { afterEach, describe, expect, it } from "vitest";
import { SELF_MEMBER, startHarness, type Harness } from "./fake-backend.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function json(path: string, init?: RequestInit): Promise<unknown> {
  const res = await fetch(h!.base + path, init);
  expect(res.status, `${path}: ${res.status}`).toBe(200);
  return res.json();
}

describe("/v1/agent", () => {
  it("self: config, this server's member, and stats whose values are all strings", async () => {
    h = await startHarness();
    const self = (await json("/v1/agent/self")) as {
      config: Record<string, unknown>;
      member: { Name: string };
      stats: Record<string, Record<string, unknown>>;
    };
    expect(self.config).toMatchObject({ Region: "global", NodeName: "node1" });
    expect(self.member.Name).toBe("node1.global");
    expect(Object.keys(self.stats).sort()).toEqual(["client", "nomad", "raft", "runtime"]);
    expect(self.stats["raft"]?.["commit_index"]).toBe("42");
    expect(self.stats["client"]?.["num_allocations"]).toBe("1");
    expect(self.stats["nomad"]?.["eval_broker_ready"]).toBe("3");
    for (const group of Object.values(self.stats))
      for (const v of Object.values(group)) expect(typeof v).toBe("string");
  });

  it("members lists the servers with the agent's name, region and dc", async () => {
    h = await startHarness();
    expect(await json("/v1/agent/members")).toEqual({
      ServerName: "node1",
      ServerRegion: "global",
      ServerDC: "dc1",
      Members: [SELF_MEMBER],
    });
  });

  it("members on a client-only agent asks a server (Status.Members)", async () => {
    h = await startHarness({ server: false });
    h.rpc.answer("Status.Members", () => ({
      ServerName: "s1",
      ServerRegion: "global",
      ServerDC: "dc1",
      Members: [SELF_MEMBER],
    }));
    expect(((await json("/v1/agent/members")) as { ServerName: string }).ServerName).toBe("s1");
  });

  it("join takes repeated address params and reports num_joined or the error", async () => {
    h = await startHarness();
    expect(await json("/v1/agent/join?address=10.0.0.2:4648&address=10.0.0.3", { method: "PUT" })).toEqual({
      num_joined: 2,
      error: "",
      warning: "",
    });
    expect(h.server.joined).toEqual([["10.0.0.2:4648", "10.0.0.3"]]);
    expect(await json("/v1/agent/join?address=unreachable:4648", { method: "POST" })).toEqual({
      num_joined: 0,
      error: "no agent at unreachable:4648",
      warning: "",
    });
    const missing = await fetch(`${h.base}/v1/agent/join`, { method: "PUT" });
    expect([missing.status, await missing.text()]).toEqual([400, "missing address to join"]);
  });

  it("force-leave needs a node and passes prune", async () => {
    h = await startHarness();
    const res = await fetch(`${h.base}/v1/agent/force-leave?node=s2.global&prune=true`, { method: "PUT" });
    expect([res.status, await res.text()]).toEqual([200, ""]);
    expect(h.server.forced).toEqual([{ node: "s2.global", prune: true }]);
    const missing = await fetch(`${h.base}/v1/agent/force-leave`, { method: "PUT" });
    expect([missing.status, await missing.text()]).toEqual([400, "missing node to force leave"]);
  });

  it("join and force-leave on a client-only agent are 501 `Invalid method`", async () => {
    h = await startHarness({ server: false });
    const res = await fetch(`${h.base}/v1/agent/join?address=x`, { method: "PUT" });
    expect([res.status, await res.text()]).toEqual([501, "Invalid method"]);
  });

  it("servers and health", async () => {
    h = await startHarness();
    expect(await json("/v1/agent/servers")).toEqual(["127.0.0.1:4647"]);
    expect((await fetch(`${h.base}/v1/agent/servers?address=10.0.0.9:4647`, { method: "PUT" })).status).toBe(
      200,
    );
    expect(h.client.serverList).toEqual(["10.0.0.9:4647"]);
    expect(await json("/v1/agent/health")).toEqual({
      client: { ok: true, message: "ok" },
      server: { ok: true, message: "ok" },
    });
  });
});

describe("status, regions, operator, system", () => {
  it("status/leader and status/peers answer a JSON string and list", async () => {
    h = await startHarness();
    h.rpc.answer("Status.Leader", () => "127.0.0.1:4647").answer("Status.Peers", () => ["127.0.0.1:4647"]);
    expect(await json("/v1/status/leader")).toBe("127.0.0.1:4647");
    expect(await json("/v1/status/peers")).toEqual(["127.0.0.1:4647"]);
  });

  it("regions are sorted", async () => {
    h = await startHarness();
    h.rpc.answer("Status.Regions", () => ["us", "eu", "global"]);
    expect(await json("/v1/regions")).toEqual(["eu", "global", "us"]);
  });

  it("operator/raft/configuration passes stale and returns the configuration", async () => {
    h = await startHarness();
    const conf = {
      Index: 7,
      Servers: [
        {
          ID: "id1",
          Node: "node1.global",
          Address: "127.0.0.1:4647",
          Leader: true,
          Voter: true,
          RaftProtocol: "3",
        },
      ],
    };
    h.rpc.answer("Operator.RaftGetConfiguration", () => conf);
    expect(await json("/v1/operator/raft/configuration?stale")).toEqual(conf);
    expect(h.rpc.last("Operator.RaftGetConfiguration")).toMatchObject({ AllowStale: true });
  });

  it("system/gc is a PUT with an empty 200", async () => {
    h = await startHarness();
    h.rpc.answer("System.GarbageCollect", () => ({}));
    const res = await fetch(`${h.base}/v1/system/gc`, { method: "PUT" });
    expect([res.status, await res.text()]).toEqual([200, ""]);
    expect(h.rpc.calls.map((c) => c.method)).toEqual(["System.GarbageCollect"]);
  });

  it("without a leader, reads are 500 `No cluster leader`", async () => {
    h = await startHarness();
    const { RpcError } = await import("@nomad/rpc");
    h.rpc.answer("Status.Peers", () => {
      throw new RpcError("NO_LEADER", "no leader");
    });
    const res = await fetch(`${h.base}/v1/status/peers`);
    expect([res.status, await res.text()]).toEqual([500, "No cluster leader"]);
  });
});

describe("/v1/metrics", () => {
  it("JSON has Nomad's sections; request counters and agent gauges are there", async () => {
    h = await startHarness();
    await fetch(`${h.base}/v1/agent/health`);
    const m = (await json("/v1/metrics")) as {
      Gauges: Array<{ Name: string; Value: number }>;
      Counters: Array<{ Name: string; Count: number; Labels: Record<string, string> }>;
      Samples: unknown[];
    };
    expect(m.Gauges.find((g) => g.Name === "nomad_raft_commit_index")?.Value).toBe(42);
    expect(m.Gauges.find((g) => g.Name === "nomad_runtime_alloc_bytes")?.Value).toBeGreaterThan(0);
    const health = m.Counters.find(
      (c) => c.Name === "nomad_http_requests_total" && c.Labels["path"] === "/v1/agent/health",
    );
    expect(health?.Count).toBe(1);
    expect(m.Samples.length).toBeGreaterThan(0);
  });

  it("?format=prometheus is the text exposition format", async () => {
    h = await startHarness();
    await fetch(`${h.base}/v1/jobs`, { method: "DELETE" });
    const res = await fetch(`${h.base}/v1/metrics?format=prometheus`);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    expect(text).toContain('nomad_http_requests_total{method="DELETE",path="/v1/jobs",code="405"} 1');
    expect(text).toContain("nomad_client_num_allocations 1");
    expect(text).toContain("process_resident_memory_bytes");
  });
});
