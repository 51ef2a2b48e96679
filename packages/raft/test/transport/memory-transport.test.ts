import { describe, expect, it } from "vitest";
import type { Message } from "../../src/core/messages.js";
import { MemoryNetwork, type MemoryTransport } from "../../src/transport/memory-transport.js";

function ping(from: string, to: string, term: number): Message {
  return { type: "timeoutNow", from, to, term };
}

function cluster(ids: string[], network = new MemoryNetwork()) {
  const inbox = new Map<string, Message[]>();
  const transports = new Map<string, MemoryTransport>();
  for (const id of ids) {
    const transport = network.createTransport(id, `mem-${id}`);
    const messages: Message[] = [];
    transport.onMessage((m) => messages.push(m));
    inbox.set(id, messages);
    transports.set(id, transport);
  }
  const send = (from: string, to: string, term = 1) =>
    transports.get(from)?.send(to, `mem-${to}`, ping(from, to, term));
  const got = (id: string) => (inbox.get(id) ?? []).map((m) => `${m.from}:${m.term}`);
  return { network, transports, send, got, inbox };
}

describe("MemoryTransport", () => {
  it("delivers asynchronously, in order per sending peer, as a copy", async () => {
    const { network, transports, got, inbox } = cluster(["a", "b"]);
    const data = new Uint8Array([1, 2, 3]);
    const a = transports.get("a");
    a?.send("b", "mem-b", {
      type: "installSnapshot",
      from: "a",
      to: "b",
      term: 1,
      meta: { index: 1, term: 1, configuration: { servers: [] }, configurationIndex: 0 },
      offset: 0,
      data,
      done: true,
      totalBytes: 3,
    });
    for (let term = 2; term <= 100; term++) a?.send("b", "mem-b", ping("a", "b", term));
    expect(got("b")).toEqual([]);
    await network.settle();
    expect(got("b")).toEqual(Array.from({ length: 100 }, (_, i) => `a:${i + 1}`));
    const first = inbox.get("b")?.[0];
    expect(first?.type === "installSnapshot" && first.data).not.toBe(data);
    expect(first?.type === "installSnapshot" && Array.from(first.data)).toEqual([1, 2, 3]);
    expect(transports.get("b")?.stats()).toMatchObject({ received: 100, droppedInvalid: 0 });
    expect(a?.stats()).toMatchObject({ sent: 100, droppedSend: 0 });
  });

  it("delivers replies sent from a handler in a later turn, and settle waits for them", async () => {
    const network = new MemoryNetwork();
    const a = network.createTransport("a");
    const b = network.createTransport("b");
    const seen: number[] = [];
    a.onMessage((m) => {
      seen.push(m.term);
      if (m.term < 10) a.send("b", "b", ping("a", "b", m.term + 1));
    });
    b.onMessage((m) => {
      seen.push(m.term);
      b.send("a", "a", ping("b", "a", m.term));
    });
    a.send("b", "b", ping("a", "b", 1));
    await network.settle();
    expect(seen).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10]);
  });

  it("partition cuts links between groups both ways and heal restores them", async () => {
    const { network, send, got, transports } = cluster(["a", "b", "c"]);
    network.partition(["a"], ["b", "c"]);
    send("a", "b");
    send("b", "a");
    send("b", "c");
    send("c", "b");
    await network.settle();
    expect(got("a")).toEqual([]);
    expect(got("b")).toEqual(["c:1"]);
    expect(got("c")).toEqual(["b:1"]);
    expect(transports.get("a")?.stats().droppedSend).toBe(1);
    network.heal();
    send("a", "b", 2);
    send("b", "a", 2);
    await network.settle();
    expect(got("a")).toEqual(["b:2"]);
    expect(got("b")).toEqual(["c:1", "a:2"]);
  });

  it("disconnect isolates one node; reconnect undoes it; cut is one-way", async () => {
    const { network, send, got } = cluster(["a", "b", "c"]);
    network.disconnect("c");
    send("a", "c");
    send("c", "a");
    send("a", "b");
    await network.settle();
    expect(got("c")).toEqual([]);
    expect(got("a")).toEqual([]);
    expect(got("b")).toEqual(["a:1"]);
    network.reconnect("c");
    network.cut("a", "b");
    send("a", "b", 2);
    send("b", "a", 2);
    send("c", "a", 2);
    await network.settle();
    expect(got("b")).toEqual(["a:1"]);
    expect(got("a")).toEqual(["b:2", "c:2"]);
  });

  it("a partition that starts while a message is in flight loses it", async () => {
    const { network, send, got } = cluster(["a", "b"]);
    send("a", "b");
    network.disconnect("b");
    await network.settle();
    expect(got("b")).toEqual([]);
  });

  it("drops messages addressed to another node or ill-formed, and counts them", async () => {
    const { network, transports, got } = cluster(["a", "b"]);
    const a = transports.get("a");
    a?.send("b", "mem-b", ping("a", "someone-else", 1));
    a?.send("b", "mem-b", { ...ping("a", "b", 1), term: -3 });
    a?.send("b", "mem-b", ping("a", "b", 4));
    await network.settle();
    expect(got("b")).toEqual(["a:4"]);
    expect(transports.get("b")?.stats().droppedInvalid).toBe(2);
  });

  it("validates even without encoding, and then hands over the same object", async () => {
    const { network, transports } = cluster(["a", "b"], new MemoryNetwork({ encode: false }));
    let received: Message | undefined;
    transports.get("b")?.onMessage((m) => (received = m));
    const message = ping("a", "b", 5);
    transports.get("a")?.send("b", "mem-b", { ...message, term: Number.NaN });
    transports.get("a")?.send("b", "mem-b", message);
    await network.settle();
    expect(received).toBe(message);
    expect(transports.get("b")?.stats().droppedInvalid).toBe(1);
  });

  it("a closed transport neither sends nor receives, and its address can be reused", async () => {
    const { network, transports, send, got } = cluster(["a", "b"]);
    expect(() => network.createTransport("b2", "mem-b")).toThrow(/in use/);
    await transports.get("b")?.close();
    send("a", "b");
    await network.settle();
    expect(got("b")).toEqual([]);
    expect(transports.get("a")?.stats().droppedSend).toBe(1);
    const again = network.createTransport("b", "mem-b");
    const seen: Message[] = [];
    again.onMessage((m) => seen.push(m));
    send("a", "b", 9);
    await network.settle();
    expect(seen.map((m) => m.term)).toEqual([9]);
  });
});
