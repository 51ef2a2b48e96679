import { Packr } from "msgpackr";
import WebSocket from "ws";
import { afterEach, describe, expect, it } from "vitest";
import { RpcClient, RPC_PROTOCOL_VERSION, isRpcError, type RpcServer } from "../src/index.js";
import { listen, waitFor } from "./helpers.js";

const packr = new Packr({ useRecords: false });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function rawSocket(server: RpcServer): Promise<WebSocket> {
  const socket = new WebSocket(`ws://${server.address}/rpc`);
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) return resolve();
        socket.once("close", () => resolve());
        socket.terminate();
      }),
  );
  return socket;
}

async function setup(maxFrameBytes?: number) {
  const server = await listen(maxFrameBytes === undefined ? {} : { maxFrameBytes });
  const client = new RpcClient({ address: server.address });
  cleanups.push(
    () => server.close(),
    () => client.close(),
  );
  return { server, client };
}

describe("hostile frames are dropped and counted; the server keeps serving", () => {
  it("garbage bytes, a text frame, a wrong version and a bad shape on one connection", async () => {
    const { server, client } = await setup();
    const socket = await rawSocket(server);
    socket.send(Buffer.from([0xc1, 0xff, 0x00, 0x13]));
    socket.send("hello", { binary: false });
    socket.send(packr.pack([RPC_PROTOCOL_VERSION + 1, 0, 1, "Test.Echo", 1]));
    socket.send(packr.pack([RPC_PROTOCOL_VERSION, 0, -5, "Test.Echo", 1]));
    socket.send(packr.pack([RPC_PROTOCOL_VERSION, 9, 1]));
    socket.send(packr.pack({ not: "a frame" }));
    await waitFor(() => {
      const s = server.stats();
      return (
        s.droppedGarbage === 2 && s.droppedText === 1 && s.droppedWrongVersion === 1 && s.droppedInvalid === 2
      );
    }, "every bad frame to be counted");
    // The same connection still answers a valid request.
    const replies: unknown[] = [];
    socket.on("message", (data: Buffer) => replies.push(packr.unpack(data)));
    socket.send(packr.pack([RPC_PROTOCOL_VERSION, 0, 7, "Test.Echo", "ok"]));
    await waitFor(() => replies.length === 1, "a reply on the hostile connection");
    expect(replies[0]).toEqual([RPC_PROTOCOL_VERSION, 1, 7, "ok"]);
    expect(await client.call("Test.Echo", "still serving")).toBe("still serving");
    expect(server.stats().callsReceived).toBe(2);
  });

  it("an oversized frame closes only the connection that sent it", async () => {
    const { server, client } = await setup(4096);
    const socket = await rawSocket(server);
    const closed = new Promise<number>((resolve) => socket.once("close", (code: number) => resolve(code)));
    socket.send(packr.pack([RPC_PROTOCOL_VERSION, 0, 1, "Test.Echo", "x".repeat(10_000)]));
    expect(await closed).toBe(1009);
    await waitFor(() => server.stats().droppedOversized === 1, "the oversized frame to be counted");
    expect(server.stats().callsReceived).toBe(0);
    expect(await client.call("Test.Echo", "fine")).toBe("fine");
  });

  it("a reply frame sent to the server and a duplicate request id are dropped", async () => {
    const { server } = await setup();
    const socket = await rawSocket(server);
    socket.send(packr.pack([RPC_PROTOCOL_VERSION, 1, 3, "a result"]));
    socket.send(packr.pack([RPC_PROTOCOL_VERSION, 0, 4, "Test.Hang", {}]));
    socket.send(packr.pack([RPC_PROTOCOL_VERSION, 0, 4, "Test.Hang", {}]));
    await waitFor(() => server.stats().droppedInvalid === 2, "both to be counted");
    expect(server.stats().callsReceived).toBe(1);
  });

  it("an upgrade to another path is refused with 404", async () => {
    const { server } = await setup();
    const socket = new WebSocket(`ws://${server.address}/elsewhere`);
    const status = await new Promise<number>((resolve) => {
      socket.once("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
      socket.once("error", () => resolve(-1));
    });
    socket.terminate();
    expect(status).toBe(404);
  });

  it("the client drops garbage replies and counts them", async () => {
    const { WebSocketServer } = await import("ws");
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
    wss.on("connection", (ws) => {
      ws.on("message", (data: Buffer) => {
        const [, , id] = packr.unpack(data) as [number, number, number];
        ws.send(Buffer.from([0xc1]));
        ws.send(packr.pack([RPC_PROTOCOL_VERSION, 1, id, "answer"]));
      });
    });
    const port = (wss.address() as { port: number }).port;
    const client = new RpcClient({ address: `127.0.0.1:${port}`, path: "/" });
    cleanups.push(
      () => new Promise<void>((resolve) => wss.close(() => resolve())),
      () => client.close(),
    );
    expect(await client.call("Any", 1)).toBe("answer");
    expect(client.stats().droppedInvalid).toBe(1);
  });
});

describe("liveness", () => {
  it("the server drops a client that stops answering pings and aborts its calls", async () => {
    let aborted = false;
    const server = await listen({
      pingIntervalMs: 30,
      handler: (_method, _args, context) =>
        new Promise((_resolve, reject) => {
          context.signal.addEventListener("abort", () => {
            aborted = true;
            reject(new Error("aborted"));
          });
        }),
    });
    cleanups.push(() => server.close());
    const socket = await rawSocket(server);
    socket.send(packr.pack([RPC_PROTOCOL_VERSION, 0, 1, "Test.Hang", {}]));
    await waitFor(() => server.stats().callsReceived === 1, "the call at the server");
    // Stop reading: pings go unanswered, as with a client that vanished.
    (socket as unknown as { _socket: { pause(): void } })._socket.pause();
    await waitFor(() => server.stats().connections === 0, "the silent client to be dropped");
    expect(aborted).toBe(true);
  });

  it("the client drops a server that stops answering pings, failing its calls with CONNECTION", async () => {
    const { WebSocketServer } = await import("ws");
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
    // Accepts, then stops reading: requests and pings go unanswered.
    wss.on("connection", (ws) => (ws as unknown as { _socket: { pause(): void } })._socket.pause());
    const port = (wss.address() as { port: number }).port;
    const client = new RpcClient({ address: `127.0.0.1:${port}`, path: "/", pingIntervalMs: 30 });
    cleanups.push(
      async () => {
        for (const ws of wss.clients) ws.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
      },
      () => client.close(),
    );
    const error = await client.call("Any", {}, { timeoutMs: 60_000 }).catch((e: unknown) => e);
    expect(isRpcError(error, "CONNECTION")).toBe(true);
  });
});
