import { emptyPlan, type PlanResult } from "@nomad/structs";
import { describe, expect, it } from "vitest";
import { Heap, HeartbeatTimers, heartbeatTtlMs, ManualClock, PlanQueue } from "../../src/leader/index.js";

const okResult = (): PlanResult => ({
  NodeUpdate: {},
  NodeAllocation: {},
  NodePreemptions: {},
  Deployment: null,
  DeploymentUpdates: [],
  RejectedNodes: [],
  IneligibleNodes: [],
  RefreshIndex: 0,
  AllocIndex: 1,
});

describe("Heap", () => {
  it("pops in order and removes arbitrary items", () => {
    const h = new Heap<number>((a, b) => a < b);
    for (const x of [5, 3, 9, 1, 7, 2]) h.push(x);
    expect(h.remove((x) => x === 7)).toBe(7);
    const out: number[] = [];
    while (h.size > 0) out.push(h.pop()!);
    expect(out).toEqual([1, 2, 3, 5, 9]);
  });
});

describe("PlanQueue", () => {
  it("hands plans to the applier by priority, FIFO within a priority", async () => {
    const q = new PlanQueue(10);
    q.setEnabled(true);
    const names: string[] = [];
    const submit = (id: string, prio: number) => void q.enqueue(emptyPlan(id, "t", prio, null));
    submit("low", 10);
    submit("high-1", 90);
    submit("high-2", 90);
    for (let i = 0; i < 3; i++) {
      const p = await q.dequeue();
      names.push(p!.plan.EvalID);
      p!.respond(okResult());
    }
    expect(names).toEqual(["high-1", "high-2", "low"]);
  });

  it("answers the submitter with the applier's result", async () => {
    const q = new PlanQueue(10);
    q.setEnabled(true);
    const waiting = q.dequeue();
    const submitted = q.enqueue(emptyPlan("e", "t", 50, null));
    const p = await waiting;
    p!.respond({ ...okResult(), AllocIndex: 42 });
    expect((await submitted).AllocIndex).toBe(42);
  });

  it("is bounded, and disabling fails queued plans and wakes the applier with null", async () => {
    const q = new PlanQueue(1);
    q.setEnabled(true);
    const first = q.enqueue(emptyPlan("a", "t", 50, null));
    await expect(q.enqueue(emptyPlan("b", "t", 50, null))).rejects.toMatchObject({ code: "FULL" });
    q.setEnabled(false);
    await expect(first).rejects.toMatchObject({ code: "DISABLED" });
    expect(await q.dequeue()).toBeNull();
  });
});

describe("heartbeat TTL", () => {
  const cfg = { minHeartbeatTtlMs: 10_000, maxHeartbeatsPerSecond: 50 };

  it("is base + random(0, base) with base = max(min_heartbeat_ttl, N / max_heartbeats_per_second)", () => {
    expect(heartbeatTtlMs(3, cfg, () => 0)).toBe(10_000);
    expect(heartbeatTtlMs(3, cfg, () => 0.5)).toBe(15_000);
    expect(heartbeatTtlMs(1_000, cfg, () => 0)).toBe(20_000);
    expect(heartbeatTtlMs(10_000, cfg, () => 0.999)).toBeCloseTo(399_800, -1);
  });

  it("the leader's timer is the client TTL plus heartbeat_grace; expiry reports the node once", async () => {
    const clock = new ManualClock();
    const expired: string[] = [];
    const t = new HeartbeatTimers({
      clock,
      random: () => 0,
      ...cfg,
      heartbeatGraceMs: 10_000,
      onExpire: (id) => expired.push(id),
    });
    expect(t.reset("n1")).toBe(10_000);
    await clock.advance(19_999);
    expect(expired).toEqual([]);
    t.reset("n1");
    await clock.advance(19_999);
    expect(expired).toEqual([]);
    await clock.advance(1);
    expect(expired).toEqual(["n1"]);
    expect(t.has("n1")).toBe(false);
  });

  it("clear stops a timer", async () => {
    const clock = new ManualClock();
    const expired: string[] = [];
    const t = new HeartbeatTimers({
      clock,
      random: () => 0,
      ...cfg,
      heartbeatGraceMs: 0,
      onExpire: (id) => expired.push(id),
    });
    t.resetWithTimeout("n1", 300_000);
    t.clear("n1");
    await clock.advance(400_000);
    expect(expired).toEqual([]);
    expect(clock.pending()).toBe(0);
  });
});
