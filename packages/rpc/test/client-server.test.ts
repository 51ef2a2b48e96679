import { createServer } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { RpcClient, RpcPool, RpcServer, isRpcError, type RpcError } from "../src/index.js";
import { deadAddress, listen, testHandler, waitFor } from "./helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(
  options: ConstructorParameters<typeof RpcClient>[0] extends infer O ? Partial<O> : never = {},
) {
  const server = await listen();
  const client = new RpcClient({ address: server.address, ...options });
  cleanups.push(
    () => server.close(),
    () => client.close(),
  );
  return { server, client };
}

describe("RpcClient and RpcServer over a real socket", () => {
  it("returns the handler's result, keeping nested values, binary data and large integers", async () => {
    const { client } = await setup();
    const args = {
      Job: { ID: "web", Meta: { a: "b" } },
      Data: new Uint8Array([1, 2, 3]),
      SubmitTime: 1732500000123456800,
    };
    const reply = await client.call<typeof args>("Test.Echo", args);
    expect(reply.Job).toEqual(args.Job);
    expect([...reply.Data]).toEqual([1, 2, 3]);
    expect(reply.SubmitTime).toBe(args.SubmitTime);
  });

  it("passes the caller's ip:port to the handler", async () => {
    const { client } = await setup();
    expect(await client.call<string>("Test.Remote", {})).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it("rejects with the handler's RpcError code, message and details", async () => {
    const { client } = await setup();
    const error = (await client.call("Test.NotFound", {}).catch((e: unknown) => e)) as RpcError;
    expect(isRpcError(error, "NOT_FOUND")).toBe(true);
    expect(error.message).toBe("job not found");
    expect(error.details).toEqual({ id: "web" });
  });

  it("turns an unexpected handler exception into INTERNAL", async () => {
    const { client } = await setup();
    const error = await client.call("Test.Bug", {}).catch((e: unknown) => e);
    expect(isRpcError(error, "INTERNAL")).toBe(true);
    expect((error as Error).message).toBe("boom");
  });

  it("times out a call with TIMEOUT and cancels it on the server", async () => {
    const { server, client } = await setup();
    const error = await client.call("Test.Hang", {}, { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(isRpcError(error, "TIMEOUT")).toBe(true);
    await waitFor(() => server.stats().callsCancelled === 1, "the server to see the cancel");
  });

  it("keeps at most maxInFlight calls on the wire; the rest wait their turn", async () => {
    const { server, client } = await setup({ maxInFlight: 2 });
    const hanging = [1, 2, 3].map(() =>
      client.call("Test.Hang", {}, { timeoutMs: 60_000 }).catch(() => "ended"),
    );
    await waitFor(() => server.stats().callsReceived === 2, "two calls at the server");
    expect(client.stats()).toMatchObject({ inFlight: 2, waiting: 1 });
    await client.close();
    expect(await Promise.all(hanging)).toEqual(["ended", "ended", "ended"]);
  });

  it("a waiting call times out even though it never reached the wire", async () => {
    const { client } = await setup({ maxInFlight: 1 });
    const first = client.call("Test.Hang", {}, { timeoutMs: 60_000 }).catch(() => "ended");
    const second = await client.call("Test.Echo", 1, { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(isRpcError(second, "TIMEOUT")).toBe(true);
    await client.close();
    await first;
  });

  it("fails with CONNECTION when nothing listens, then backs off before dialing again", async () => {
    const client = new RpcClient({
      address: await deadAddress(),
      reconnectMinMs: 60_000,
      reconnectMaxMs: 60_000,
    });
    cleanups.push(() => client.close());
    const first = await client.call("Test.Echo", 1).catch((e: unknown) => e);
    expect(isRpcError(first, "CONNECTION")).toBe(true);
    const second = await client.call("Test.Echo", 1).catch((e: unknown) => e);
    expect(isRpcError(second, "CONNECTION")).toBe(true);
    expect((second as Error).message).toMatch(/next attempt in/);
    expect(client.stats().dials).toBe(1);
  });

  it("fails in-flight calls with CONNECTION when the server goes away and reconnects when it is back", async () => {
    const httpServer = createServer();
    await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
    const port = (httpServer.address() as { port: number }).port;
    const server = RpcServer.attach(httpServer, { handler: testHandler });
    const client = new RpcClient({ address: `127.0.0.1:${port}`, reconnectMinMs: 10, reconnectMaxMs: 50 });
    cleanups.push(() => client.close());
    const hanging = client.call("Test.Hang", {}, { timeoutMs: 60_000 }).catch((e: unknown) => e);
    await waitFor(() => server.stats().callsReceived === 1, "the call at the server");
    await server.close();
    expect(isRpcError(await hanging, "CONNECTION")).toBe(true);
    const again = RpcServer.attach(httpServer, { handler: testHandler });
    cleanups.push(async () => {
      await again.close();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    });
    let reply: unknown;
    // Retries until the client's backoff lets it dial again.
    for (let i = 0; i < 200 && reply === undefined; i += 1) {
      reply = await client.call("Test.Echo", "back").catch(() => undefined);
      if (reply === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(reply).toBe("back");
  });

  it("refuses a request larger than maxFrameBytes with INVALID, without sending it", async () => {
    const { server, client } = await setup({ maxFrameBytes: 4096 });
    const error = await client.call("Test.Echo", "x".repeat(10_000)).catch((e: unknown) => e);
    expect(isRpcError(error, "INVALID")).toBe(true);
    expect(server.stats().callsReceived).toBe(0);
  });

  it("a call aborted by its signal is rejected at once", async () => {
    const { client } = await setup();
    const controller = new AbortController();
    const pending = client.call("Test.Hang", {}, { signal: controller.signal }).catch((e: unknown) => e);
    controller.abort();
    expect(isRpcError(await pending, "SHUTDOWN")).toBe(true);
  });

  it("rejects calls after close with SHUTDOWN", async () => {
    const { client } = await setup();
    await client.close();
    expect(isRpcError(await client.call("Test.Echo", 1).catch((e: unknown) => e), "SHUTDOWN")).toBe(true);
  });
});

describe("RpcServer.setHandler and RpcPool", () => {
  it("a server attached without a handler refuses calls with SHUTDOWN until setHandler", async () => {
    const httpServer = createServer();
    await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
    const server = RpcServer.attach(httpServer, {});
    const pool = new RpcPool();
    cleanups.push(async () => {
      await pool.closeAll();
      await server.close();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    });
    const address = `127.0.0.1:${(httpServer.address() as { port: number }).port}`;
    expect(
      isRpcError(
        await pool
          .get(address)
          .call("Test.Echo", 1)
          .catch((e: unknown) => e),
        "SHUTDOWN",
      ),
    ).toBe(true);
    server.setHandler(testHandler);
    expect(await pool.get(address).call("Test.Echo", 2)).toBe(2);
    expect(pool.get(address)).toBe(pool.get(address));
    expect(pool.addresses()).toEqual([address]);
  });
});
