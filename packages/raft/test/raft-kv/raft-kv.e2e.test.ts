// raft-kv end to end: three real processes (tsx on the sources), durable stores in temp dirs,
// real sockets on 127.0.0.1, the test profile's short timeouts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KvCluster, sleep, type KvProcess } from "./kv-cluster.js";

let c: KvCluster;

beforeAll(async () => {
  c = await KvCluster.start(3);
  await c.waitLeader();
}, 120_000);

afterAll(async () => {
  await c?.stop();
});

async function put(p: KvProcess, key: string, value: string) {
  return c.request(p, "PUT", `/kv/${key}`, { value });
}

async function get(p: KvProcess, key: string) {
  return c.request(p, "GET", `/kv/${key}`);
}

describe("raft-kv over three processes", () => {
  it("a write on any node is read back from every node; cas answers 409 with the current value", async () => {
    const [a, b, d] = c.nodes as [KvProcess, KvProcess, KvProcess];
    expect((await put(a, "color", "red")).status).toBe(200);
    for (const p of [a, b, d]) expect(await get(p, "color")).toEqual({ status: 200, body: { value: "red" } });
    expect(await c.request(b, "POST", "/kv/color/cas", { from: "blue", to: "green" })).toEqual({
      status: 409,
      body: { ok: false, value: "red" },
    });
    expect(await c.request(d, "POST", "/kv/color/cas", { from: "red", to: "green" })).toEqual({
      status: 200,
      body: { ok: true },
    });
    expect(await c.request(a, "POST", "/kv/fresh/cas", { from: null, to: "1" })).toEqual({
      status: 200,
      body: { ok: true },
    });
    expect((await get(b, "color")).body).toEqual({ value: "green" });
    expect((await c.request(d, "DELETE", "/kv/color")).status).toBe(200);
    expect((await get(a, "color")).status).toBe(404);
  }, 60_000);

  it("rejects malformed JSON with 400 and a body over 1 MiB with 413", async () => {
    const p = c.nodes[1]!;
    const bad = await c.request(p, "PUT", "/kv/x", "{not json");
    expect(bad.status).toBe(400);
    expect(String(bad.body["error"])).toMatch(/JSON/);
    expect((await c.request(p, "PUT", "/kv/x", { value: 42 })).status).toBe(400);
    const big = await c.request(p, "PUT", "/kv/x", JSON.stringify({ value: "a".repeat(1024 * 1024 + 10) }));
    expect(big.status).toBe(413);
  }, 60_000);

  it("GET /status names the node, its role, term, leader and indexes", async () => {
    const leader = await c.waitLeader();
    const s = await c.status(c.nodes[0]!);
    expect(s).toMatchObject({ id: "n1", leader: leader.id });
    expect(["leader", "follower"]).toContain(s?.["state"]);
    expect(typeof s?.["term"]).toBe("number");
    expect(s?.["commitIndex"]).toBeGreaterThanOrEqual(s?.["appliedIndex"] as number);
  }, 30_000);

  it("SIGKILL of the leader mid-stream, then a restart: no acknowledged write is lost", async () => {
    const acked = new Map<string, string>();
    const victim = await c.waitLeader();
    let killed = false;
    for (let i = 0; i < 60; i++) {
      if (i === 20) {
        await c.killAndWait(victim, "SIGKILL");
        killed = true;
      }
      const live = c.nodes.filter((p) => p.child !== undefined);
      const p = live[i % live.length]!;
      const key = `w${i}`;
      try {
        const r = await put(p, key, `v${i}`);
        if (r.status === 200) acked.set(key, `v${i}`);
      } catch {
        // a request to a dying node: not acknowledged
      }
    }
    expect(killed).toBe(true);
    expect(acked.size).toBeGreaterThan(40);
    await c.restart(victim);
    await c.waitLeader();
    for (const p of c.nodes) {
      for (const [key, value] of acked) {
        const r = await get(p, key);
        expect(r, `${key} on ${p.id}`).toEqual({ status: 200, body: { value } });
      }
    }
  }, 120_000);

  it("a leader paused with SIGSTOP and resumed never serves a stale read", async () => {
    const old = await c.waitLeader();
    expect((await put(old, "epoch", "before")).status).toBe(200);
    c.kill(old, "SIGSTOP");
    try {
      const next = await c.waitLeader(30_000, old);
      // The new leader may still be announcing itself: retry until the write is acknowledged.
      let r = await put(next, "epoch", "after");
      for (let i = 0; r.status !== 200 && i < 20; i++) {
        await sleep(100);
        r = await put(next, "epoch", "after");
      }
      expect(r.status).toBe(200);
    } finally {
      c.kill(old, "SIGCONT");
    }
    // Straight after resuming, the old leader still believes it leads; its reads must not say "before".
    for (let i = 0; i < 5; i++) {
      const r = await get(old, "epoch");
      expect(r.body).not.toEqual({ value: "before" });
      if (r.status === 200) expect(r.body).toEqual({ value: "after" });
    }
  }, 90_000);

  it("a follower paused with SIGSTOP and resumed never serves a stale read", async () => {
    const leader = await c.waitLeader();
    const follower = c.nodes.find((p) => p !== leader && p.child !== undefined)!;
    expect((await put(leader, "tick", "1")).status).toBe(200);
    c.kill(follower, "SIGSTOP");
    try {
      expect((await put(leader, "tick", "2")).status).toBe(200);
    } finally {
      c.kill(follower, "SIGCONT");
    }
    const r = await get(follower, "tick");
    expect(r).toEqual({ status: 200, body: { value: "2" } });
  }, 60_000);

  it("SIGTERM shuts a node down cleanly (exit code 0) and it resumes from its data dir", async () => {
    const p = c.nodes[2]!;
    expect((await put(c.nodes[0]!, "durable", "yes")).status).toBe(200);
    expect(await c.killAndWait(p, "SIGTERM")).toBe(0);
    await c.restart(p);
    expect(await get(p, "durable")).toEqual({ status: 200, body: { value: "yes" } });
  }, 90_000);

  it("without a quorum a request fails with 503 within 5 s", async () => {
    const [a, b, d] = c.nodes as [KvProcess, KvProcess, KvProcess];
    await c.killAndWait(b, "SIGKILL");
    await c.killAndWait(d, "SIGKILL");
    // Let `a` notice: with check quorum it steps down within the (test) lease timeout.
    await sleep(1_000);
    const t0 = Date.now();
    const r = await put(a, "lonely", "1");
    expect(r.status).toBe(503);
    expect(Date.now() - t0).toBeLessThan(5_000);
    await Promise.all([c.restart(b), c.restart(d)]);
  }, 90_000);
});
