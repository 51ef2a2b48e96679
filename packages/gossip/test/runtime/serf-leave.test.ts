// Graceful leave on the socket runtime: the memberlist leave (dead-from-self) is queued inside
// the callback that reports the leave intent transmitted enough, as the simulator's serfLeave
// does and as Serf effectively does (its Leave goroutine queues it while memberlist's gossip
// loop is still sending that round), so the rest of that round already carries it. Queued
// from a promise continuation it waited for the next gossip round (~100 ms more at N = 20).
import { describe, expect, it } from "vitest";
import type { SerfNode } from "../../src/runtime/serf-node.js";
import { loopbackNodes, until } from "./nodes.js";

const start = loopbackNodes("test");

describe("SerfNode graceful leave", () => {
  it("queues the memberlist leave within the send that finished the leave intent", async () => {
    const a = await start("leave-a");
    const b = await start("leave-b");
    expect(await b.join([`127.0.0.1:${a.address.port}`])).toBe(1);
    const bothAlive = (n: SerfNode) => n.members().filter((m) => m.status === "alive").length === 2;
    await until("both members alive", () => bothAlive(a) && bothAlive(b));

    // Observe our own memberlist state the moment the intent's finished callback returns.
    const seen: (string | undefined)[] = [];
    const intent = a.serf.leaveIntent.bind(a.serf);
    a.serf.leaveIntent = (onSent) =>
      intent(() => {
        onSent();
        seen.push(a.memberlist.core.member("leave-a")?.state);
      });
    const left = a.leave();
    await until("the intent to go out", () => seen.length > 0);
    // Dead-from-self already queued (we are "left" in our own table), not a round later.
    expect(seen).toEqual(["left"]);
    await left;
    await until("b to see a left", () => b.members().find((m) => m.name === "leave-a")?.status === "left");
  });
});
