// The Serf layer against real `serf agent` processes on 127.0.0.1: tags, user events,
// queries, graceful leave and failure, both ways, plain and encrypted.
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { SerfEvent } from "../../src/core/serf-types.js";
import { SerfNode } from "../../src/runtime/serf-node.js";
import { SerfAgent, waitFor } from "./serf-agent.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function ours(
  name: string,
  events: SerfEvent[],
  extra: Record<string, unknown> = {},
): Promise<SerfNode> {
  const n = await SerfNode.start({ name, bindPort: 0, tags: { lang: "ts" }, ...extra }, (e) =>
    events.push(e),
  );
  cleanups.push(() => n.shutdown());
  return n;
}

const status = (n: SerfNode, name: string) => n.members().find((m) => m.name === name)?.status;

describe("Serf interop with real serf", () => {
  it("mixed cluster: tags both ways, user events both ways, a query answered, graceful leave seen as left", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gossip-interop-"));
    const file = join(dir, "events.txt");
    const agent = await SerfAgent.start("go1", { tags: { role: "db" }, eventHandler: `user=cat >> ${file}` });
    cleanups.push(() => agent.kill());
    const events: SerfEvent[] = [];
    const node = await ours("ts1", events);
    expect(await node.join([agent.addr])).toBe(1);
    await waitFor(() => status(node, "go1") === "alive", 10_000, "ts1 sees go1 alive");
    await waitFor(() => agent.status("ts1") === "alive", 10_000, "go1 sees ts1 alive");
    expect(node.members().find((m) => m.name === "go1")?.tags).toEqual({ role: "db" });
    expect(agent.members()?.find((m) => m.name === "ts1")?.tags).toEqual({ lang: "ts" });

    // user event: real -> ours
    agent.rpc("event", "-coalesce=false", "deploy", "from-go");
    await waitFor(
      () =>
        events.some(
          (e) => e.type === "user" && e.name === "deploy" && Buffer.from(e.payload).toString() === "from-go",
        ),
      10_000,
      "ts1 receives go1's user event",
    );
    // user event: ours -> real (its handler appends the payload to a file)
    node.userEvent("release", "from-ts");
    await waitFor(
      () => existsSync(file) && readFileSync(file, "utf8").includes("from-ts"),
      10_000,
      "go1 runs its handler for ts1's event",
    );

    // a query from the real agent is acked and answered by us
    events.length = 0;
    const answer = new Promise<void>((resolve) => {
      const t = setInterval(() => {
        const q = events.find((e) => e.type === "query" && e.name === "who");
        if (q !== undefined && q.type === "query") {
          q.respond(new TextEncoder().encode("ts-here"));
          clearInterval(t);
          resolve();
        }
      }, 20);
    });
    const out = await agent.rpcAsync("query", "-timeout=3s", "who", "x");
    await answer;
    expect(out).toContain("Ack from 'ts1'");
    expect(out).toContain("Response from 'ts1': ts-here");

    // graceful leave of ours: the real agent reports "left", not "failed"
    await node.leave();
    await waitFor(() => agent.status("ts1") === "left", 15_000, "go1 sees ts1 left");
  }, 90_000);

  it("a real agent joins us, leaves gracefully (we see left), another is killed (we see failed)", async () => {
    const events: SerfEvent[] = [];
    const node = await ours("ts2", events);
    const a = await SerfAgent.start("go2", { join: `127.0.0.1:${node.address.port}` });
    cleanups.push(() => a.kill());
    const b = await SerfAgent.start("go3", { join: `127.0.0.1:${node.address.port}` });
    cleanups.push(() => b.kill());
    await waitFor(
      () => status(node, "go2") === "alive" && status(node, "go3") === "alive",
      10_000,
      "ts2 sees go2, go3",
    );
    a.rpc("leave");
    await waitFor(() => status(node, "go2") === "left", 15_000, "ts2 sees go2 left");
    b.kill("SIGKILL");
    await waitFor(() => status(node, "go3") === "failed", 30_000, "ts2 sees go3 failed");
    expect(events.some((e) => e.type === "member-leave" && e.members[0]?.name === "go2")).toBe(true);
    expect(events.some((e) => e.type === "member-failed" && e.members[0]?.name === "go3")).toBe(true);
    expect(events.some((e) => e.type === "member-failed" && e.members[0]?.name === "go2")).toBe(false);
  }, 90_000);

  it("encrypted (AES-256 and AES-128): the cluster forms both ways; a member with the wrong key is kept out", async () => {
    const key32 = Buffer.alloc(32, 7).toString("base64");
    const key16 = Buffer.alloc(16, 9).toString("base64");
    for (const key of [key32, key16]) {
      const agent = await SerfAgent.start(`goenc${key.length}`, { encrypt: key });
      cleanups.push(() => agent.kill());
      const events: SerfEvent[] = [];
      const node = await ours(`tsenc${key.length}`, events, { encryptKeys: [key] });
      expect(await node.join([agent.addr])).toBe(1);
      await waitFor(
        () => agent.status(`tsenc${key.length}`) === "alive",
        10_000,
        "encrypted: go sees ts alive",
      );
      agent.rpc("event", "-coalesce=false", "secret", "s3");
      await waitFor(
        () => events.some((e) => e.type === "user" && e.name === "secret"),
        10_000,
        "encrypted event arrives",
      );
      const intruder = await ours(`wrong${key.length}`, [], {
        encryptKeys: [Buffer.alloc(32, 1).toString("base64")],
      });
      expect(await intruder.join([agent.addr])).toBe(0);
      await new Promise((r) => setTimeout(r, 1500));
      expect(agent.status(`wrong${key.length}`)).toBeUndefined();
      expect(intruder.members().map((m) => m.name)).toEqual([`wrong${key.length}`]);
    }
  }, 90_000);

  it("key rotation through `serf keys` (install, use, remove, list) reaches our keyring", async () => {
    const oldKey = Buffer.alloc(32, 3).toString("base64");
    const newKey = Buffer.alloc(16, 5).toString("base64");
    const agent = await SerfAgent.start("gokeys", { encrypt: oldKey });
    cleanups.push(() => agent.kill());
    const events: SerfEvent[] = [];
    const node = await ours("tskeys", events, { encryptKeys: [oldKey] });
    expect(await node.join([agent.addr])).toBe(1);
    await waitFor(() => agent.status("tskeys") === "alive", 10_000, "go sees ts alive");
    const ring = () => node.memberlist.keyring.all().map((k) => Buffer.from(k).toString("base64"));
    expect(await agent.rpcAsync("keys", "-install", newKey)).toMatch(/Successfully/);
    expect(ring()).toEqual([oldKey, newKey]);
    expect(await agent.rpcAsync("keys", "-use", newKey)).toMatch(/Successfully/);
    expect(ring()[0]).toBe(newKey);
    expect(await agent.rpcAsync("keys", "-remove", oldKey)).toMatch(/Successfully/);
    expect(ring()).toEqual([newKey]);
    const list = await agent.rpcAsync("keys", "-list");
    expect(list).toContain(newKey);
    expect(list).toContain("[2/2]");
    // traffic still flows under the new key
    agent.rpc("event", "-coalesce=false", "after-rotation", "ok");
    await waitFor(
      () => events.some((e) => e.type === "user" && e.name === "after-rotation"),
      10_000,
      "event after rotation",
    );
  }, 90_000);
});
