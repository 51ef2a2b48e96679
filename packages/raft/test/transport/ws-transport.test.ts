import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import type { InstallSnapshotRequest, Message } from "../../src/core/messages.js";
import { WsTransport } from "../../src/transport/ws-transport.js";
import { arbMessage, normalize, sampleAppend } from "./arbitraries.js";
import { deadAddress, ping, startNode, waitFor, type Node } from "./helpers.js";

const open: WsTransport[] = [];
async function node(...args: Parameters<typeof startNode>): Promise<Node> {
  const started = await startNode(...args);
  open.push(started.transport);
  return started;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

describe("WsTransport", () => {
  it("listens on port 0 and reports the real address", async () => {
    const a = await node("a");
    expect(a.transport.localAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(a.transport.localAddress).not.toBe("127.0.0.1:0");
  });

  it("delivers messages both ways over real sockets, validated and as sent", async () => {
    const a = await node("a");
    const b = await node("b");
    const append = sampleAppend(64, 100, "a", "b");
    a.transport.send("b", b.transport.localAddress, append);
    b.transport.send("a", a.transport.localAddress, ping("b", "a", 3));
    await waitFor(() => a.inbox.length === 1 && b.inbox.length === 1, "one message each way");
    const got = b.inbox[0];
    expect(got?.type).toBe("append");
    if (got?.type !== "append") return;
    expect(got.entries.length).toBe(64);
    expect(got.entries.map((e) => e.index)).toEqual(append.entries.map((e) => e.index));
    expect(Array.from(got.entries[63]?.data ?? [])).toEqual(Array.from(append.entries[63]?.data ?? []));
    expect(a.inbox[0]).toEqual(ping("b", "a", 3));
    expect(a.events.some((e) => e.type === "connected" && e.peer === "b")).toBe(true);
    expect(a.transport.stats()).toMatchObject({
      connectedPeers: 1,
      inboundConnections: 1,
      queuedMessages: 0,
    });
  });

  it("keeps each peer's order under load: 10,000 messages arrive in order, batched into fewer frames", async () => {
    const a = await node("a");
    const c = await node("c");
    const b = await node("b");
    const total = 10_000;
    // Connect first: messages sent while dialing only wait in the bounded queue.
    a.transport.send("b", b.transport.localAddress, ping("a", "b", 0));
    c.transport.send("b", b.transport.localAddress, ping("c", "b", 0));
    await waitFor(() => b.inbox.length === 2, "connections up");
    b.inbox.length = 0;
    // Two senders interleaved: order is per sending peer.
    for (let term = 1; term <= total; term++) {
      a.transport.send("b", b.transport.localAddress, ping("a", "b", term));
      if (term % 2 === 0) c.transport.send("b", b.transport.localAddress, ping("c", "b", term));
      // Yield now and then so sends span many event-loop turns, as under a real workload.
      if (term % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor(
      () => b.inbox.length === total + total / 2,
      () => `all messages (got ${b.inbox.length}; a: ${JSON.stringify(a.transport.stats())})`,
      20_000,
    );
    const fromA = b.inbox.filter((m) => m.from === "a").map((m) => m.term);
    const fromC = b.inbox.filter((m) => m.from === "c").map((m) => m.term);
    expect(fromA).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(fromC).toEqual(Array.from({ length: total / 2 }, (_, i) => 2 * (i + 1)));
    const stats = a.transport.stats();
    expect(stats.sent).toBe(total + 1);
    expect(stats.droppedSend).toBe(0);
    expect(stats.framesSent).toBeLessThan(total / 10);
    expect(b.transport.stats()).toMatchObject({ received: total * 1.5 + 2, droppedInvalid: 0 });
  });

  it("reconnects after the peer restarts on the same port, and messages flow again", async () => {
    const a = await node("a", "127.0.0.1:0", { reconnectMinMs: 20, reconnectMaxMs: 200 });
    const b1 = await startNode("b");
    const address = b1.transport.localAddress;
    a.transport.send("b", address, ping("a", "b", 1));
    await waitFor(() => b1.inbox.length === 1, "first message");
    await b1.transport.close();
    await waitFor(() => a.events.some((e) => e.type === "disconnected" && e.peer === "b"), "a to notice");
    // While b is down: the dial fails and is retried with backoff, messages wait in the queue.
    a.transport.send("b", address, ping("a", "b", 2));
    await waitFor(() => a.transport.stats().reconnects >= 2, "a few failed redials");
    const b2 = await node("b", address);
    a.transport.send("b", address, ping("a", "b", 3));
    await waitFor(() => b2.inbox.some((m) => m.term === 3), "a message after the restart");
    expect(b2.inbox.map((m) => m.term)).toEqual([2, 3]);
  });

  it("bounds the send buffer while the peer is down: drops and counts beyond maxQueuedMessages", async () => {
    const address = await deadAddress();
    const a = await node("a", "127.0.0.1:0", { maxQueuedMessages: 10 });
    for (let term = 1; term <= 100; term++) a.transport.send("b", address, ping("a", "b", term));
    expect(a.transport.stats()).toMatchObject({
      sent: 0,
      droppedSend: 90,
      queuedMessages: 10,
      connectedPeers: 0,
    });
  });

  it("bounds the send buffer in bytes too", async () => {
    const address = await deadAddress();
    const a = await node("a", "127.0.0.1:0", { maxQueuedBytes: 20_000 });
    const append = sampleAppend(64, 100, "a", "b"); // ~7 KB encoded
    for (let i = 0; i < 10; i++) a.transport.send("b", address, append);
    expect(a.transport.stats().droppedSend).toBe(8);
  });

  it("drops a message larger than maxPayloadBytes at send instead of breaking the connection", async () => {
    const a = await node("a", "127.0.0.1:0", { maxPayloadBytes: 64 * 1024, maxFrameBytes: 4096 });
    const b = await node("b");
    a.transport.send("b", b.transport.localAddress, sampleAppend(64, 2000, "a", "b"));
    a.transport.send("b", b.transport.localAddress, ping("a", "b", 2));
    await waitFor(() => b.inbox.length === 1, "the small message");
    expect(b.inbox[0]?.term).toBe(2);
    expect(a.transport.stats().droppedSend).toBe(1);
  });

  it("sends snapshot chunks larger than a frame alone, in order with heartbeats around them", async () => {
    const a = await node("a", "127.0.0.1:0", { maxFrameBytes: 64 * 1024 });
    const b = await node("b");
    const chunk = (offset: number): InstallSnapshotRequest => ({
      type: "installSnapshot",
      from: "a",
      to: "b",
      term: 1,
      meta: { index: 10, term: 1, configurationIndex: 0, configuration: { servers: [] } },
      offset,
      data: new Uint8Array(512 * 1024).fill(offset & 0xff),
      done: false,
      totalBytes: 8 * 1024 * 1024,
    });
    const sent: Message[] = [];
    for (let i = 0; i < 4; i++) {
      sent.push(ping("a", "b", 1), chunk(i * 512 * 1024));
    }
    sent.push(ping("a", "b", 1));
    for (const m of sent) a.transport.send("b", b.transport.localAddress, m);
    await waitFor(() => b.inbox.length === sent.length, "all chunks and heartbeats");
    expect(b.inbox.map((m) => m.type)).toEqual(sent.map((m) => m.type));
    const last = b.inbox[7];
    expect(last?.type === "installSnapshot" && last.data.length).toBe(512 * 1024);
  });

  it("close() resolves with every socket closed; later sends are dropped and counted", async () => {
    const a = await startNode("a");
    const b = await startNode("b");
    a.transport.send("b", b.transport.localAddress, ping("a", "b", 1));
    b.transport.send("a", a.transport.localAddress, ping("b", "a", 1));
    await waitFor(() => a.inbox.length === 1 && b.inbox.length === 1, "connections up");
    await Promise.all([a.transport.close(), b.transport.close()]);
    a.transport.send("b", b.transport.localAddress, ping("a", "b", 2));
    expect(a.transport.stats().droppedSend).toBe(1);
    // The port is free again: nothing of the old listener is left.
    const again = await node("b", b.transport.localAddress);
    expect(again.transport.localAddress).toBe(b.transport.localAddress);
  });

  it("redials when a node's address changes, and drops sends to a malformed address", async () => {
    const a = await node("a");
    const b1 = await node("b");
    const b2 = await node("b");
    a.transport.send("b", b1.transport.localAddress, ping("a", "b", 1));
    await waitFor(() => b1.inbox.length === 1, "the first address");
    a.transport.send("b", b2.transport.localAddress, ping("a", "b", 2));
    await waitFor(() => b2.inbox.length === 1, "the new address");
    expect(b1.inbox.map((m) => m.term)).toEqual([1]);
    a.transport.send("c", "no port here", ping("a", "c", 1));
    expect(a.transport.stats().droppedSend).toBe(1);
  });

  it("round-trips arbitrary valid messages over a real connection", async () => {
    const a = await node("a");
    const b = await node("b");
    await fc.assert(
      fc.asyncProperty(fc.array(arbMessage, { minLength: 1, maxLength: 20 }), async (generated) => {
        const messages = generated.map((m) => ({ ...m, from: "a", to: "b" }));
        b.inbox.length = 0;
        for (const m of messages) a.transport.send("b", b.transport.localAddress, m);
        await waitFor(() => b.inbox.length === messages.length, "the batch");
        expect(normalize(b.inbox)).toEqual(normalize(messages));
      }),
      { numRuns: 50 },
    );
    expect(b.transport.stats().droppedInvalid).toBe(0);
  });

  it("forgetPeer closes a peer's connection; a later send dials it again", async () => {
    const a = await node("a");
    const b = await node("b");
    a.transport.send("b", b.transport.localAddress, ping("a", "b", 1));
    await waitFor(() => b.inbox.length === 1, "the first message");
    await a.transport.forgetPeer("b");
    expect(a.transport.stats().connectedPeers).toBe(0);
    await waitFor(() => b.transport.stats().inboundConnections === 0, "b to see the close");
    a.transport.send("b", b.transport.localAddress, ping("a", "b", 2));
    await waitFor(() => b.inbox.length === 2, "the message after forgetting");
  });

  it("counts messages that arrive before a handler is set as unhandled, not invalid", async () => {
    const b = await WsTransport.listen({ id: "b", address: "127.0.0.1:0" });
    open.push(b);
    const a = await node("a");
    a.transport.send("b", b.localAddress, ping("a", "b", 1));
    await waitFor(() => b.stats().droppedUnhandled === 1, "the unhandled message");
    expect(b.stats()).toMatchObject({ received: 0, droppedInvalid: 0 });
    const seen: Message[] = [];
    b.onMessage((m) => seen.push(m));
    a.transport.send("b", b.localAddress, ping("a", "b", 2));
    await waitFor(() => seen.length === 1, "the handled message");
    expect(seen[0]?.term).toBe(2);
  });

  it("rejects an invalid configuration with the field named", async () => {
    await expect(WsTransport.listen({ id: "", address: "127.0.0.1:0" })).rejects.toThrow(/id/);
    await expect(WsTransport.listen({ id: "a", address: "nonsense" })).rejects.toThrow(/host:port/);
  });
});
