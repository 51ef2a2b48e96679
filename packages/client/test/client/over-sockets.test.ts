// The client over the real network RPC (RpcServer + ServerRpc on loopback, msgpack frames)
// against the in-memory fake endpoints: what the client sends and receives survives the wire.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RpcServer, ServerRpc } from "@nomad/rpc";
import { NomadClient } from "../../src/client.js";
import { FakeServer, RecordingRunners, waitFor } from "./fakes.js";

let dataDir: string;
let rpcServer: RpcServer | undefined;
let rpc: ServerRpc | undefined;
let client: NomadClient | undefined;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "nomad-client-ws-"));
});
afterEach(async () => {
  await client?.shutdown();
  await rpc?.close();
  await rpcServer?.close();
  client = rpc = rpcServer = undefined;
  await rm(dataDir, { recursive: true, force: true });
});

describe("NomadClient over ServerRpc", () => {
  it("registers, heartbeats at the TTL and runs an allocation over a real socket", async () => {
    const fake = new FakeServer();
    fake.heartbeatTtlMs = 200;
    rpcServer = await RpcServer.listen({ host: "127.0.0.1", port: 0, handler: fake.handler });
    fake.servers = [rpcServer.address];
    rpc = new ServerRpc({ servers: [rpcServer.address] });
    const runners = new RecordingRunners();
    client = await NomadClient.start(
      {
        dataDir,
        servers: [rpcServer.address],
        initialHeartbeatStaggerMs: 0,
        registerRetryMs: 100,
        allocSyncIntervalMs: 50,
      },
      { rpc, runners: runners.factory },
    );
    await waitFor(() => fake.nodes.get(client!.nodeID)?.Status === "ready", "ready over the wire");
    await waitFor(() => fake.count("Node.UpdateStatus") >= 3, "heartbeats at the TTL");
    expect(client.servers()).toEqual([rpcServer.address]);

    fake.place(client.nodeID, "c0ffee00-0000-4000-8000-000000000001");
    await waitFor(() => client!.hasAlloc("c0ffee00-0000-4000-8000-000000000001"), "alloc over the wire");
    await waitFor(
      () => fake.allocs.get("c0ffee00-0000-4000-8000-000000000001")?.ClientStatus === "running",
      "status",
    );
    expect(client.stats()["num_allocations"]).toBe("1");
  });
});
