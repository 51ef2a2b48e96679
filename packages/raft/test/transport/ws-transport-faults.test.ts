// Hostile and broken peers: raw garbage, protocol violations, foreign versions, wrong nodes.
// Plain `ws` clients and servers play the misbehaving side against a real WsTransport.
import { Packr } from "msgpackr";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import {
  decodeFrame,
  encodeHelloFrame,
  encodeMessages,
  encodeMessagesFrame,
  PROTOCOL_VERSION,
} from "../../src/transport/codec.js";
import { WsTransport } from "../../src/transport/ws-transport.js";
import { sampleAppend } from "./arbitraries.js";
import { ping, startNode, waitFor, type Node } from "./helpers.js";

const cleanups: (() => Promise<void>)[] = [];
async function node(...args: Parameters<typeof startNode>): Promise<Node> {
  const started = await startNode(...args);
  cleanups.push(() => started.transport.close());
  return started;
}

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((f) => f()));
});

interface RawClient {
  readonly socket: WebSocket;
  readonly received: Uint8Array[];
  readonly closed: Promise<{ code: number; reason: string }>;
}

async function rawClient(address: string): Promise<RawClient> {
  const socket = new WebSocket(`ws://${address}/`, { perMessageDeflate: false });
  const received: Uint8Array[] = [];
  socket.on("message", (data) => received.push(data as Buffer));
  socket.on("error", () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  cleanups.push(async () => {
    socket.terminate();
    await closed;
  });
  return { socket, received, closed };
}

/** A plain client that completed the hello as node `id`. */
async function handshaken(address: string, id: string, to: string): Promise<RawClient> {
  const client = await rawClient(address);
  client.socket.send(encodeHelloFrame({ id, to }));
  await waitFor(() => client.received.length === 1, "the listener's hello");
  return client;
}

const raw = new Packr({ useRecords: false });
function frameOf(...values: unknown[]): Uint8Array {
  const bodies = values.map((v) => raw.pack(v));
  return encodeMessagesFrame(
    bodies,
    bodies.reduce((n, b) => n + b.length, 0),
  );
}

describe("WsTransport against misbehaving peers", () => {
  it("closes a connection whose first frame is garbage, counts it, and keeps serving", async () => {
    const b = await node("b");
    const client = await rawClient(b.transport.localAddress);
    client.socket.send(Buffer.from("GET / HTTP/1.1 definitely not a hello"));
    const { code, reason } = await client.closed;
    expect(code).toBe(4003);
    expect(reason).toMatch(/hello/);
    expect(b.transport.stats()).toMatchObject({ droppedInvalid: 1, handshakeRejected: 1 });
    const a = await node("a");
    a.transport.send("b", b.transport.localAddress, ping("a", "b", 1));
    await waitFor(() => b.inbox.length === 1, "a real peer's message");
  });

  it("drops garbage, truncated, ill-typed, misaddressed and text frames after the hello, and keeps the connection", async () => {
    const b = await node("b");
    const client = await handshaken(b.transport.localAddress, "a", "b");
    const hello = decodeFrame(client.received[0] as Uint8Array);
    expect(hello).toEqual({ kind: "hello", version: PROTOCOL_VERSION, hello: { id: "b", to: "a" } });
    const good = encodeMessages([sampleAppend(3, 10, "a", "b")]);
    const bad: (Uint8Array | string)[] = [
      Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8),
      good.subarray(0, good.length - 5), // truncated
      good.subarray(0, 3), // shorter than a header
      frameOf({ type: "append", from: "a", to: "b", term: "one" }), // wrong field type
      frameOf({ type: "nope", from: "a", to: "b", term: 1 }), // unknown type
      frameOf({ type: "timeoutNow", from: "a", to: "c", term: 1 }), // addressed to another node
      frameOf({ type: "timeoutNow", from: "z", to: "b", term: 1 }), // not from the peer that said hello
      encodeHelloFrame({ id: "a", to: "b" }), // a second hello
      "a text frame",
    ];
    for (const frame of bad) client.socket.send(frame);
    client.socket.send(good);
    await waitFor(() => b.inbox.length === 1, "the valid frame after the garbage");
    expect(b.inbox[0]?.type).toBe("append");
    expect(b.transport.stats()).toMatchObject({ droppedInvalid: bad.length, received: 1 });
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
  });

  it("closes a connection that sends a frame over maxPayloadBytes, counts it, and keeps serving", async () => {
    const b = await node("b", "127.0.0.1:0", { maxPayloadBytes: 64 * 1024, maxFrameBytes: 4096 });
    const client = await handshaken(b.transport.localAddress, "a", "b");
    client.socket.send(new Uint8Array(100 * 1024));
    expect((await client.closed).code).toBe(1009);
    expect(b.transport.stats().droppedInvalid).toBe(1);
    const a = await node("a");
    a.transport.send("b", b.transport.localAddress, ping("a", "b", 1));
    await waitFor(() => b.inbox.length === 1, "a real peer's message");
  });

  it("delivers the valid messages of a frame and drops only its invalid ones", async () => {
    const b = await node("b");
    const client = await handshaken(b.transport.localAddress, "a", "b");
    const valid = ping("a", "b", 4);
    client.socket.send(frameOf(valid, { ...valid, term: -1 }, { ...valid, term: 5 }));
    await waitFor(() => b.inbox.length === 2, "the two valid messages");
    expect(b.inbox.map((m) => m.term)).toEqual([4, 5]);
    expect(b.transport.stats().droppedInvalid).toBe(1);
  });

  it("refuses a dialer speaking another protocol version, with a reason naming both versions", async () => {
    const b = await node("b");
    const client = await rawClient(b.transport.localAddress);
    client.socket.send(encodeHelloFrame({ id: "a", to: "b" }, PROTOCOL_VERSION + 1));
    const { code, reason } = await client.closed;
    expect(code).toBe(4001);
    expect(reason).toBe(
      `protocol version mismatch: this node speaks ${PROTOCOL_VERSION}, the peer ${PROTOCOL_VERSION + 1}`,
    );
    // The listener said its own version before closing.
    const answer = decodeFrame(client.received[0] as Uint8Array);
    expect(answer.kind === "hello" && answer.version).toBe(PROTOCOL_VERSION);
    expect(b.transport.stats().handshakeRejected).toBe(1);
    expect(b.events.some((e) => e.type === "handshakeRejected" && e.peer === "a")).toBe(true);
  });

  it("a dialer refuses a listener speaking another protocol version and sends it nothing", async () => {
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise((resolve) => wss.once("listening", resolve));
    cleanups.push(() => new Promise((resolve) => wss.close(() => resolve())));
    const port = (wss.address() as { port: number }).port;
    const seen: Uint8Array[] = [];
    const closes: number[] = [];
    wss.on("connection", (socket) => {
      socket.on("message", (data) => seen.push(data as Buffer));
      socket.on("close", (code) => closes.push(code));
      socket.send(encodeHelloFrame({ id: "b", to: "a" }, PROTOCOL_VERSION + 7));
    });
    const a = await node("a", "127.0.0.1:0", { reconnectMinMs: 5000, reconnectMaxMs: 5000 });
    a.transport.send("b", `127.0.0.1:${port}`, ping("a", "b", 1));
    await waitFor(() => closes.length === 1, "the dialer to close");
    expect(closes[0]).toBe(4001);
    expect(seen.map((f) => decodeFrame(f).kind)).toEqual(["hello"]);
    expect(a.transport.stats()).toMatchObject({ handshakeRejected: 1, sent: 0 });
    const event = a.events.find((e) => e.type === "handshakeRejected");
    expect(event?.type === "handshakeRejected" && event.reason).toMatch(/version mismatch/);
  });

  it("redials a listener that stops answering pings (a peer gone without FIN or RST)", async () => {
    // A listener that completes the hello but never answers pings, like a host that vanished.
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, autoPong: false });
    await new Promise((resolve) => wss.once("listening", resolve));
    cleanups.push(() => new Promise((resolve) => wss.close(() => resolve())));
    const port = (wss.address() as { port: number }).port;
    let connections = 0;
    wss.on("connection", (socket) => {
      connections += 1;
      socket.on("error", () => {});
      socket.send(encodeHelloFrame({ id: "b", to: "a" }));
    });
    const a = await node("a", "127.0.0.1:0", { pingIntervalMs: 50, reconnectMinMs: 10, reconnectMaxMs: 20 });
    a.transport.send("b", `127.0.0.1:${port}`, ping("a", "b", 1));
    await waitFor(
      () => a.events.some((e) => e.type === "disconnected" && e.peer === "b"),
      "the dead connection dropped",
    );
    a.transport.send("b", `127.0.0.1:${port}`, ping("a", "b", 2));
    await waitFor(() => connections >= 2, "a redial");
    expect(a.transport.stats().reconnects).toBeGreaterThanOrEqual(1);
  });

  it("a peer that stops reading fills the bounded buffers, then sends are dropped, not buffered without end", async () => {
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise((resolve) => wss.once("listening", resolve));
    cleanups.push(async () => {
      for (const client of wss.clients) client.terminate(); // a paused socket would never see EOF
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    });
    const port = (wss.address() as { port: number }).port;
    let stalled = false;
    wss.on("connection", (socket) => {
      socket.on("error", () => {});
      socket.send(encodeHelloFrame({ id: "b", to: "a" }));
      // Stop reading after the hello: the kernel buffers fill, then the sender's own.
      (socket as unknown as { _socket: { pause(): void } })._socket.pause();
      stalled = true;
    });
    const limits = { maxInflightBytes: 256 * 1024, maxQueuedBytes: 1024 * 1024, maxFrameBytes: 64 * 1024 };
    const a = await node("a", "127.0.0.1:0", { ...limits, pingIntervalMs: 60_000 });
    const append = sampleAppend(64, 100, "a", "b");
    a.transport.send("b", `127.0.0.1:${port}`, append);
    await waitFor(() => stalled && a.transport.stats().connectedPeers === 1, "the connection");
    const attempts = 8000; // ~54 MB, more than loopback's socket buffers hold
    for (let i = 0; i < attempts; i++) {
      a.transport.send("b", `127.0.0.1:${port}`, append);
      if (i % 200 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const stats = a.transport.stats();
    expect(stats.droppedSend).toBeGreaterThan(0);
    expect(stats.queuedBytes).toBeLessThanOrEqual(limits.maxQueuedBytes);
    expect(stats.sent + stats.queuedMessages + stats.droppedSend).toBe(attempts + 1);
  });

  it("keeps a connection whose listener answers pings", async () => {
    const b = await node("b");
    const a = await node("a", "127.0.0.1:0", { pingIntervalMs: 100 });
    a.transport.send("b", b.transport.localAddress, ping("a", "b", 1));
    await waitFor(() => b.inbox.length === 1, "the first message");
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(a.events.filter((e) => e.type === "disconnected")).toEqual([]);
    expect(a.transport.stats().reconnects).toBe(0);
  });

  it("refuses a dialer that expected another node at this address", async () => {
    const b = await node("b");
    const a = await node("a", "127.0.0.1:0", { reconnectMinMs: 5000, reconnectMaxMs: 5000 });
    a.transport.send("c", b.transport.localAddress, ping("a", "c", 1));
    await waitFor(() => a.transport.stats().handshakeRejected === 1, "the dialer to see the refusal");
    expect(b.transport.stats().handshakeRejected).toBe(1);
    const event = a.events.find((e) => e.type === "handshakeRejected");
    expect(event?.type === "handshakeRejected" && event.reason).toBe("this is node b, not c");
    expect(b.inbox).toEqual([]);
  });

  it("closes a connection that says no hello within the handshake timeout", async () => {
    const b = await node("b", "127.0.0.1:0", { handshakeTimeoutMs: 100 });
    const client = await rawClient(b.transport.localAddress);
    const { code } = await client.closed;
    expect(code).toBe(4003);
    expect(b.transport.stats().handshakeRejected).toBe(1);
  });

  it("answers plain HTTP with 426 and survives raw TCP garbage", async () => {
    const b = await node("b");
    const response = await fetch(`http://${b.transport.localAddress}/`);
    expect(response.status).toBe(426);
    expect(await response.text()).toMatch(/upgrade/);
    const net = await import("node:net");
    const [host, port] = b.transport.localAddress.split(":");
    await new Promise<void>((resolve) => {
      const socket = net.connect(Number(port), host, () =>
        socket.end(Buffer.from([0, 1, 2, 255, 13, 10, 13, 10])),
      );
      socket.resume(); // read (and discard) the 400 answer so that 'close' can follow
      socket.on("error", () => resolve());
      socket.on("close", () => resolve());
    });
    const a = await node("a");
    a.transport.send("b", b.transport.localAddress, ping("a", "b", 1));
    await waitFor(() => b.inbox.length === 1, "a real peer's message");
  });

  it("refuses inbound connections beyond maxInboundConnections", async () => {
    const b = await node("b", "127.0.0.1:0", { maxInboundConnections: 2 });
    await rawClient(b.transport.localAddress);
    await rawClient(b.transport.localAddress);
    const third = await rawClient(b.transport.localAddress);
    expect((await third.closed).code).toBe(1013);
    expect(b.transport.stats().connectionsRejected).toBe(1);
  });

  it("a newer connection from the same node replaces the older one", async () => {
    const b = await node("b");
    const first = await handshaken(b.transport.localAddress, "a", "b");
    const second = await handshaken(b.transport.localAddress, "a", "b");
    expect((await first.closed).code).toBe(4004);
    second.socket.send(encodeMessages([ping("a", "b", 9)]));
    await waitFor(() => b.inbox.length === 1, "the message on the new connection");
  });

  it("close() is bounded even when a peer never answers the close handshake", async () => {
    const b = await WsTransport.listen({ id: "b", address: "127.0.0.1:0", closeTimeoutMs: 200 });
    const client = await handshaken(b.localAddress, "a", "b");
    // A peer that stopped reading: it never sees our close frame, so it never answers it.
    (client.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const started = Date.now();
    await b.close();
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it("close() ends connections of raw clients too", async () => {
    const b = await WsTransport.listen({ id: "b", address: "127.0.0.1:0" });
    const client = await rawClient(b.localAddress);
    await b.close();
    expect((await client.closed).code).toBe(1001);
  });
});
