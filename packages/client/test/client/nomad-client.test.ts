import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDefaultRegistry } from "@nomad/fingerprint";
import type { Rpc } from "@nomad/rpc";
import type { ClientConfigInput } from "../../src/config.js";
import { NomadClient } from "../../src/client.js";
import { FakeServer, RecordingRunners, waitFor } from "./fakes.js";

const A1 = "a1a1a1a1-0000-4000-8000-000000000001";
const A2 = "a2a2a2a2-0000-4000-8000-000000000002";

let dataDir: string;
let server: FakeServer;
let runners: RecordingRunners;
const clients: NomadClient[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "nomad-client-"));
  server = new FakeServer();
  runners = new RecordingRunners();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.shutdown()));
  await rm(dataDir, { recursive: true, force: true });
});

function config(over: ClientConfigInput = {}): ClientConfigInput {
  return {
    dataDir,
    nodeName: "test-node",
    datacenter: "dc7",
    nodeClass: "linux-medium",
    meta: { rack: "r1" },
    servers: ["10.0.0.1"],
    rawExecEnabled: true,
    initialHeartbeatStaggerMs: 0,
    registerRetryMs: 50,
    allocSyncIntervalMs: 50,
    httpAdvertise: "127.0.0.1:4646",
    ...over,
  };
}

async function start(over: ClientConfigInput = {}, rpc: Rpc = server.rpc()): Promise<NomadClient> {
  const client = await NomadClient.start(config(over), { rpc, runners: runners.factory });
  clients.push(client);
  return client;
}

describe("NomadClient registration", () => {
  it("registers a fingerprinted node as initializing, then heartbeats it to ready", async () => {
    const client = await start();
    await waitFor(() => server.nodes.get(client.nodeID)?.Status === "ready", "node ready");
    const registered = server.calls.find((c) => c.method === "Node.Register")!.args as {
      Node: Record<string, unknown>;
    };
    const node = registered.Node as ReturnType<NomadClient["node"]>;
    expect(node.Status).toBe("initializing");
    expect(node.ID).toBe((await readFile(join(dataDir, "client", "client-id"), "utf8")).trim());
    expect(node.SecretID).toBe((await readFile(join(dataDir, "client", "secret-id"), "utf8")).trim());
    expect(node).toMatchObject({
      Name: "test-node",
      Datacenter: "dc7",
      NodeClass: "linux-medium",
      NodePool: "default",
      Meta: { rack: "r1" },
      HTTPAddr: "127.0.0.1:4646",
    });
    expect(node.Attributes["kernel.name"]).toBe("linux");
    expect(node.Attributes["driver.raw_exec"]).toBe("1");
    expect(node.Drivers["raw_exec"]).toMatchObject({ Detected: true, Healthy: true });
    expect(node.NodeResources.Memory.MemoryMB).toBeGreaterThan(0);
    expect(node.ComputedClass).not.toBe("");
    expect(client.node().Status).toBe("ready");
  });

  it("retries Node.Register until a server accepts it", async () => {
    server.failRegistrations = 3;
    const client = await start();
    await waitFor(() => server.nodes.has(client.nodeID), "registration");
    expect(server.count("Node.Register")).toBe(4);
  });

  it("keeps its node ID and secret across restarts on the same data dir", async () => {
    const first = await start();
    const { ID, SecretID } = first.node();
    await first.shutdown();
    const second = await start();
    expect(second.node().ID).toBe(ID);
    expect(second.node().SecretID).toBe(SecretID);
  });

  it("refuses to start when the node's secret file is damaged, rather than minting a new identity", async () => {
    await mkdir(join(dataDir, "client"), { recursive: true });
    await writeFile(join(dataDir, "client", "secret-id"), "not a uuid");
    await expect(start()).rejects.toThrow(/refusing to replace/);
    expect(server.calls).toEqual([]);
  });

  it("dev mode keeps nothing: a fresh node ID per start, allocs in a temporary dir", async () => {
    const a = await start({ dataDir: undefined, devMode: true });
    const b = await start({ dataDir: undefined, devMode: true });
    expect(a.nodeID).not.toBe(b.nodeID);
    expect(a.config.allocDir).toMatch(/NomadClient/);
    expect((await stat(a.config.allocDir!)).mode & 0o777).toBe(0o711); // tasks as other users get through
    expect(a.config.stateDir).toBeUndefined();
  });

  it("registers again when the server no longer knows the node", async () => {
    server.heartbeatTtlMs = 100;
    const client = await start();
    await waitFor(() => server.nodes.get(client.nodeID)?.Status === "ready", "ready");
    const before = server.count("Node.Register");
    server.forgetNodes();
    await waitFor(
      () => server.count("Node.Register") > before && server.nodes.has(client.nodeID),
      "re-registration",
    );
    await waitFor(() => server.nodes.get(client.nodeID)?.Status === "ready", "ready again");
  });

  it("learns the server list from replies and hands it to the Rpc", async () => {
    const base = server.rpc();
    const seen: string[][] = [];
    const rpc = { call: base.call.bind(base), setServers: (s: readonly string[]) => seen.push([...s]) };
    server.servers = ["10.0.0.1:4647", "10.0.0.2:4647", "10.0.0.3:4647"];
    const client = await start({}, rpc);
    await waitFor(() => seen.length > 0, "setServers");
    expect(seen[0]).toEqual(server.servers);
    expect(client.stats()["known_servers"]).toBe("10.0.0.1:4647,10.0.0.2:4647,10.0.0.3:4647");
    client.setServers(["10.0.0.9"]);
    expect(seen.at(-1)).toEqual(["10.0.0.9:4647"]);
  });
});

describe("NomadClient fingerprint refresh", () => {
  it("registers the node again (once) when a refresh changes its attributes", async () => {
    let value = "one";
    const registry = createDefaultRegistry().register({
      name: "test_source",
      periodicIntervalMs: 20,
      fingerprint: async () => ({ detected: true, attributes: { "test.value": value } }),
    });
    const client = await NomadClient.start(config({ nodeUpdateDebounceMs: 150 }), {
      rpc: server.rpc(),
      runners: runners.factory,
      fingerprint: { registry },
    });
    clients.push(client);
    await waitFor(() => server.nodes.get(client.nodeID)?.Status === "ready", "ready");
    expect(server.nodes.get(client.nodeID)?.Attributes["test.value"]).toBe("one");
    const registrations = server.count("Node.Register");
    value = "two";
    await waitFor(
      () => server.nodes.get(client.nodeID)?.Attributes["test.value"] === "two",
      "re-registration",
    );
    expect(server.count("Node.Register")).toBe(registrations + 1);
    expect(client.node().Attributes["test.value"]).toBe("two");
    // Still ready: a re-registration of a ready node does not send it back to initializing.
    expect(server.nodes.get(client.nodeID)?.Status).toBe("ready");
  });
});

describe("NomadClient heartbeats", () => {
  it("heartbeats at the TTL the server returns, and follows a new TTL", async () => {
    server.heartbeatTtlMs = 300;
    const client = await start();
    const beats = () => server.calls.filter((c) => c.method === "Node.UpdateStatus").map((c) => c.atMs);
    await waitFor(() => beats().length >= 5, "5 heartbeats");
    const gaps = (ts: number[]) => ts.slice(1).map((t, i) => t - ts[i]!);
    const slow = gaps(beats().slice(0, 5));
    // Timers never fire early (a few ms of clock granularity aside); a loaded machine may fire late.
    for (const g of slow) expect(g).toBeGreaterThanOrEqual(270);
    expect(slow.sort((a, b) => a - b)[1]).toBeLessThan(1_500);

    server.heartbeatTtlMs = 60;
    const from = beats().length + 1; // the next reply carries the new TTL
    await waitFor(() => beats().length >= from + 6, "faster heartbeats");
    const fast = gaps(beats().slice(from, from + 6));
    for (const g of fast) expect(g).toBeGreaterThanOrEqual(50);
    expect(fast.sort((a, b) => a - b)[2]).toBeLessThan(270);
    expect(client.stats()["heartbeat_ttl"]).toBe("60ms");
  });

  it("stats() reports Nomad's client keys as strings", async () => {
    server.heartbeatTtlMs = 12_500;
    const client = await start();
    await waitFor(() => server.count("Node.UpdateStatus") >= 1, "heartbeat");
    const stats = client.stats();
    expect(Object.keys(stats).sort()).toEqual([
      "heartbeat_ttl",
      "known_servers",
      "last_heartbeat",
      "node_id",
      "num_allocations",
    ]);
    expect(stats).toMatchObject({ node_id: client.nodeID, num_allocations: "0", heartbeat_ttl: "12.5s" });
    expect(stats["last_heartbeat"]).toMatch(/^\d+(\.\d+)?(ms|s|µs|ns)$|^0s$/);
  });

  it("shutdown stops heartbeats and the watch", async () => {
    server.heartbeatTtlMs = 50;
    const client = await start();
    await waitFor(() => server.count("Node.UpdateStatus") >= 2, "heartbeats");
    await client.shutdown();
    const beats = server.count("Node.UpdateStatus");
    const watches = server.count("Node.GetClientAllocs");
    await new Promise((r) => setTimeout(r, 300)); // six TTLs with nothing expected to happen
    expect(server.count("Node.UpdateStatus")).toBe(beats);
    expect(server.count("Node.GetClientAllocs")).toBe(watches);
  });
});

describe("NomadClient allocations", () => {
  it("starts allocations from the watch, updates and destroys them as the servers decide", async () => {
    const client = await start();
    await waitFor(() => server.count("Node.GetClientAllocs") >= 1, "watch");
    server.place(client.nodeID, A1);
    await waitFor(() => client.hasAlloc(A1), "alloc started");
    expect(runners.of(A1)).toEqual(["run"]);
    expect(client.numAllocations()).toBe(1);
    const req = server.calls.find((c) => c.method === "Node.GetClientAllocs")!.args as Record<
      string,
      unknown
    >;
    expect(req["MaxQueryTime"]).toBe(300_000 * 1_000_000);
    await waitFor(() => server.allocs.get(A1)?.ClientStatus === "running", "running reported");

    server.stop(A1);
    await waitFor(() => runners.of(A1).includes("update:stop"), "stop delivered");
    expect(client.hasAlloc(A1)).toBe(true); // terminal allocs stay until the servers GC them
    await waitFor(() => server.allocs.get(A1)?.ClientStatus === "complete", "complete reported");

    server.gc(A1);
    await waitFor(() => !client.hasAlloc(A1), "alloc removed");
    expect(runners.of(A1)).toEqual(["run", "update:stop", "destroy"]);
  });

  it("does not start an allocation that is already stopped when first seen", async () => {
    const client = await start();
    server.place(client.nodeID, A2, { DesiredStatus: "stop" });
    server.place(client.nodeID, A1);
    await waitFor(() => client.hasAlloc(A1), "the running one");
    expect(client.hasAlloc(A2)).toBe(false);
    expect(runners.of(A2)).toEqual([]);
  });

  it("batches status updates: one Node.UpdateAlloc per interval with the latest status of each alloc", async () => {
    const client = await start({ allocSyncIntervalMs: 300 });
    server.place(client.nodeID, A1);
    server.place(client.nodeID, A2);
    await waitFor(() => client.hasAlloc(A1) && client.hasAlloc(A2), "both running");
    await waitFor(() => server.updates.flat().length >= 2, "first report");
    const batchesBefore = server.updates.length;
    const deps1 = runners.deps.get(A1)!;
    const deps2 = runners.deps.get(A2)!;
    for (let i = 0; i < 10; i++) {
      deps1.onUpdate({
        ID: A1,
        ClientStatus: "running",
        ClientDescription: `step ${i}`,
        TaskStates: {},
        ModifyTime: i,
      });
      deps2.onUpdate({
        ID: A2,
        ClientStatus: "running",
        ClientDescription: `step ${i}`,
        TaskStates: {},
        ModifyTime: i,
      });
    }
    await waitFor(() => server.updates.length > batchesBefore, "the batch");
    const batch = server.updates[batchesBefore]!;
    expect(batch.map((u) => [u.ID, u.ClientDescription]).sort()).toEqual([
      [A1, "step 9"],
      [A2, "step 9"],
    ]);
    // Twenty reports, one call.
    expect(server.updates.length).toBe(batchesBefore + 1);
  });

  it("a restarted client re-attaches to its allocations before syncing, and stops what the servers dropped", async () => {
    const first = await start();
    server.place(first.nodeID, A1);
    server.place(first.nodeID, A2);
    await waitFor(() => first.hasAlloc(A1) && first.hasAlloc(A2), "running");
    await first.shutdown();
    expect(runners.of(A1)).toEqual(["run", "shutdown"]); // tasks left running, not destroyed

    // While the agent is down the servers garbage-collect A2.
    server.gc(A2);
    const restarted = new RecordingRunners();
    runners = restarted;
    const callsBefore = server.calls.length;
    const second = await start();
    // Restored before the first call to the servers returned anything.
    expect(restarted.of(A1)).toEqual(["restore"]);
    expect(restarted.of(A2)).toEqual(["restore"]);
    expect(second.hasAlloc(A1)).toBe(true);
    await waitFor(() => !second.hasAlloc(A2), "dropped alloc stopped");
    expect(restarted.of(A2)).toEqual(["restore", "destroy"]);
    expect(restarted.of(A1)).toEqual(["restore"]); // never started again
    expect(server.calls.length).toBeGreaterThan(callsBefore);
    const deps = restarted.deps.get(A1)!;
    expect((await deps.state.getTaskState(A1, "web"))?.taskState.State).toBe("running");
  });

  it("a dev-mode client destroys its allocations and its temporary alloc dir on shutdown", async () => {
    const client = await start({ dataDir: undefined, devMode: true });
    server.place(client.nodeID, A1);
    await waitFor(() => client.hasAlloc(A1), "running");
    const dir = client.config.allocDir!;
    await client.shutdown();
    expect(runners.of(A1)).toEqual(["run", "destroy"]);
    await expect(stat(dir)).rejects.toThrow(/ENOENT/);
  });

  it("streamLogs refuses an allocation the client does not run", async () => {
    const client = await start();
    expect(() =>
      client.streamLogs({
        allocID: "nope",
        task: "web",
        type: "stdout",
        follow: false,
        offset: 0,
        origin: "start",
        signal: new AbortController().signal,
      }),
    ).toThrow(/Unknown allocation/);
  });
});

describe("NomadClient in -dev", () => {
  it("retries registration quickly while the in-process server has no leader yet", async () => {
    server.failRegistrations = 2; // e.g. "No cluster leader" during the first election
    const client = await start({ dataDir: undefined, devMode: true, registerRetryMs: undefined });
    const t0 = Date.now();
    await waitFor(() => server.nodes.get(client.nodeID)?.Status === "ready", "ready");
    // 100 ms + 200 ms of retries, far below two 1 s retries (generous for a loaded machine).
    expect(Date.now() - t0).toBeLessThan(1_900);
    expect(server.count("Node.Register")).toBe(3);
  });
});
