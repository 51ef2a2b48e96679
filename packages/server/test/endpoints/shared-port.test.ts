// Nomad serves RPC and Raft on one port (4647): RpcServer at /rpc and WsTransport at /raft on
// the same http.Server, over real sockets.
import { createServer, type Server } from "node:http";
import { RpcClient, RpcServer } from "@nomad/rpc";
import { WsTransport } from "@nomad/raft";
import type { RaftConfigurationResponse } from "@nomad/structs";
import { afterEach, describe, expect, it } from "vitest";
import { createEndpoints } from "../../src/endpoints/index.js";
import { harness } from "./harness.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function sharedServer(): Promise<{ http: Server; address: string }> {
  const http = createServer();
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  );
  return { http, address: `127.0.0.1:${(http.address() as { port: number }).port}` };
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("RPC and Raft on one port", () => {
  it("endpoints answer on /rpc while Raft messages flow on /raft of the same server", async () => {
    const a = await sharedServer();
    const b = await sharedServer();
    const h = harness();
    const rpcServer = RpcServer.attach(a.http, { handler: createEndpoints(h.deps), path: "/rpc" });
    const raftA = WsTransport.attach({ id: "a", server: a.http, path: "/raft" });
    const raftB = WsTransport.attach({ id: "b", server: b.http, path: "/raft" });
    const client = new RpcClient({ address: a.address });
    cleanups.push(
      () => rpcServer.close(),
      () => raftA.close(),
      () => raftB.close(),
      () => client.close(),
    );
    const inboxA: unknown[] = [];
    const inboxB: unknown[] = [];
    raftA.onMessage((m) => inboxA.push(m));
    raftB.onMessage((m) => inboxB.push(m));

    raftA.send("b", b.address, { type: "timeoutNow", from: "a", to: "b", term: 3 });
    raftB.send("a", a.address, { type: "timeoutNow", from: "b", to: "a", term: 4 });
    const config = await client.call<RaftConfigurationResponse>("Operator.RaftGetConfiguration", {});
    await waitFor(() => inboxA.length === 1 && inboxB.length === 1, "a raft message each way");

    expect(raftA.localAddress).toBe(a.address);
    expect(config.Servers.map((s) => s.Node)).toEqual(["s1.global", "s2.global"]);
    expect(await client.call("Status.Leader", {})).toBe("127.0.0.1:4647");
    expect(inboxA).toEqual([{ type: "timeoutNow", from: "b", to: "a", term: 4 }]);
    expect(rpcServer.stats().callsSucceeded).toBe(2);
  });
});
