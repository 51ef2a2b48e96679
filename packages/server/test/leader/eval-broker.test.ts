import { parseEvaluation, type Evaluation } from "@nomad/structs";
import { describe, expect, it } from "vitest";
import { BrokerError, EvalBroker, FAILED_QUEUE, ManualClock } from "../../src/leader/index.js";

let n = 0;
function ev(f: Partial<Evaluation> = {}): Evaluation {
  n++;
  return parseEvaluation({
    ID: `eval-${n}`,
    Namespace: "default",
    Priority: 50,
    Type: "service",
    TriggeredBy: "job-register",
    JobID: `job-${n}`,
    Status: "pending",
    CreateIndex: n,
    ModifyIndex: n,
    ...f,
  });
}

function broker(clock = new ManualClock(), over: Partial<ConstructorParameters<typeof EvalBroker>[0]> = {}) {
  let t = 0;
  const b = new EvalBroker({
    clock,
    random: () => 0,
    newID: () => `token-${++t}`,
    nackTimeoutMs: 60_000,
    deliveryLimit: 3,
    initialNackDelayMs: 1_000,
    subsequentNackDelayMs: 20_000,
    maxEvals: 100,
    ...over,
  });
  b.setEnabled(true);
  return { b, clock };
}

describe("EvalBroker", () => {
  it("dequeues the highest priority first, then the lowest CreateIndex", async () => {
    const { b } = broker();
    const low = ev({ Priority: 10, CreateIndex: 1 });
    const highOld = ev({ Priority: 90, CreateIndex: 2 });
    const highNew = ev({ Priority: 90, CreateIndex: 3 });
    b.enqueue(highNew);
    b.enqueue(low);
    b.enqueue(highOld);
    const order: string[] = [];
    for (let i = 0; i < 3; i++) {
      const d = await b.dequeue(["service"], 0);
      order.push(d!.eval.ID);
      b.ack(d!.eval.ID, d!.token);
    }
    expect(order).toEqual([highOld.ID, highNew.ID, low.ID]);
  });

  it("serves only the scheduler types a worker asks for", async () => {
    const { b } = broker();
    b.enqueue(ev({ Type: "batch" }));
    expect(await b.dequeue(["service"], 0)).toBeNull();
    const d = await b.dequeue(["service", "batch"], 0);
    expect(d?.eval.Type).toBe("batch");
  });

  it("a blocked dequeue wakes up on enqueue and times out on the injected clock", async () => {
    const { b, clock } = broker();
    const waiting = b.dequeue(["service"], 5_000);
    const e = ev();
    b.enqueue(e);
    expect((await waiting)?.eval.ID).toBe(e.ID);
    const timeout = b.dequeue(["service"], 5_000);
    await clock.advance(5_000);
    expect(await timeout).toBeNull();
  });

  it("keeps one eval per job in flight; on ack the newest pending one is released and the rest become cancelable", async () => {
    const { b } = broker();
    const first = ev({ JobID: "web" });
    const older = ev({ JobID: "web", ModifyIndex: 10 });
    const newest = ev({ JobID: "web", ModifyIndex: 20 });
    b.enqueue(first);
    b.enqueue(older);
    b.enqueue(newest);
    expect(b.stats()).toMatchObject({ TotalReady: 1, TotalPending: 2 });
    const d = await b.dequeue(["service"], 0);
    expect(d?.eval.ID).toBe(first.ID);
    expect(await b.dequeue(["service"], 0)).toBeNull();
    b.ack(d!.eval.ID, d!.token);
    expect(b.stats()).toMatchObject({ TotalReady: 1, TotalPending: 0, TotalCancelable: 1 });
    expect((await b.dequeue(["service"], 0))?.eval.ID).toBe(newest.ID);
    expect(b.takeCancelable(10).map((e) => e.ID)).toEqual([older.ID]);
  });

  it("redelivers a nacked eval after 1 s, then 20 s, and sends it to the failed queue at the delivery limit (3)", async () => {
    const { b, clock } = broker();
    const e = ev();
    b.enqueue(e);
    let d = await b.dequeue(["service"], 0);
    b.nack(e.ID, d!.token);
    expect(await b.dequeue(["service"], 0)).toBeNull();
    await clock.advance(999);
    expect(await b.dequeue(["service"], 0)).toBeNull();
    await clock.advance(1);
    d = await b.dequeue(["service"], 0);
    expect(d?.eval.ID).toBe(e.ID);
    b.nack(e.ID, d!.token);
    await clock.advance(19_999);
    expect(await b.dequeue(["service"], 0)).toBeNull();
    await clock.advance(1);
    d = await b.dequeue(["service"], 0);
    expect(d?.eval.ID).toBe(e.ID);
    b.nack(e.ID, d!.token);
    expect(b.stats().TotalFailedQueue).toBe(1);
    expect(await b.dequeue(["service"], 0)).toBeNull();
    const failed = await b.dequeue([FAILED_QUEUE], 0);
    expect(failed?.eval.ID).toBe(e.ID);
  });

  it("an unacked eval is nacked after the 60 s nack timeout, and a reset restarts the timer", async () => {
    const { b, clock } = broker();
    const e = ev();
    b.enqueue(e);
    const d = await b.dequeue(["service"], 0);
    await clock.advance(50_000);
    b.outstandingReset(e.ID, d!.token);
    await clock.advance(50_000);
    expect(b.outstanding(e.ID)).toBe(d!.token);
    await clock.advance(10_000);
    expect(b.outstanding(e.ID)).toBeUndefined();
    expect(() => b.ack(e.ID, d!.token)).toThrow(BrokerError);
    await clock.advance(1_000);
    const again = await b.dequeue(["service"], 0);
    expect(again?.eval.ID).toBe(e.ID);
    expect(again?.token).not.toBe(d!.token);
  });

  it("a paused nack timer does not fire until resumed", async () => {
    const { b, clock } = broker();
    const e = ev();
    b.enqueue(e);
    const d = await b.dequeue(["service"], 0);
    b.pauseNackTimeout(e.ID, d!.token);
    await clock.advance(120_000);
    expect(b.outstanding(e.ID)).toBe(d!.token);
    b.resumeNackTimeout(e.ID, d!.token);
    await clock.advance(60_000);
    expect(b.outstanding(e.ID)).toBeUndefined();
  });

  it("ack and nack check the token", async () => {
    const { b } = broker();
    const e = ev();
    b.enqueue(e);
    await b.dequeue(["service"], 0);
    expect(() => b.ack(e.ID, "wrong")).toThrow(/token does not match/);
    expect(() => b.nack("nope", "x")).toThrow(/not outstanding/);
  });

  it("holds an eval with WaitUntil until it is due", async () => {
    const { b, clock } = broker();
    const e = ev({ WaitUntil: clock.nowNs() + 30_000 * 1e6 });
    b.enqueue(e);
    expect(b.stats().TotalWaiting).toBe(1);
    expect(await b.dequeue(["service"], 0)).toBeNull();
    await clock.advance(30_000);
    expect((await b.dequeue(["service"], 0))?.eval.ID).toBe(e.ID);
  });

  it("holds an eval with Wait (ns) for that long", async () => {
    const { b, clock } = broker();
    const e = ev({ Wait: 2_000 * 1e6 });
    b.enqueue(e);
    await clock.advance(1_999);
    expect(await b.dequeue(["service"], 0)).toBeNull();
    await clock.advance(1);
    expect((await b.dequeue(["service"], 0))?.eval.ID).toBe(e.ID);
  });

  it("re-announcing an outstanding eval enqueues it again after the ack", async () => {
    const { b } = broker();
    const e = ev();
    b.enqueue(e);
    const d = await b.dequeue(["service"], 0);
    b.enqueue({ ...e, ModifyIndex: 99 });
    expect(await b.dequeue(["service"], 0)).toBeNull();
    b.ack(e.ID, d!.token);
    const again = await b.dequeue(["service"], 0);
    expect(again?.eval.ModifyIndex).toBe(99);
  });

  it("reports ready and unacked per scheduler type", async () => {
    const { b } = broker();
    b.enqueue(ev({ Type: "service" }));
    b.enqueue(ev({ Type: "service" }));
    b.enqueue(ev({ Type: "batch" }));
    await b.dequeue(["batch"], 0);
    const s = b.stats();
    expect(s.TotalReady).toBe(2);
    expect(s.TotalUnacked).toBe(1);
    expect(s.ByScheduler).toEqual({ service: { Ready: 2, Unacked: 0 }, batch: { Ready: 0, Unacked: 1 } });
  });

  it("is bounded: enqueues beyond maxEvals are refused and counted", () => {
    const { b } = broker(new ManualClock(), { maxEvals: 2 });
    b.enqueue(ev());
    b.enqueue(ev());
    b.enqueue(ev());
    expect(b.stats()).toMatchObject({ TotalReady: 2, DroppedEvals: 1 });
  });

  it("disabling flushes everything, wakes waiters with null and refuses dequeues", async () => {
    const { b, clock } = broker();
    b.enqueue(ev({ WaitUntil: clock.nowNs() + 1e12 }));
    const waiting = b.dequeue(["service"], 0);
    b.setEnabled(false);
    expect(await waiting).toBeNull();
    expect(clock.pending()).toBe(0);
    await expect(b.dequeue(["service"], 0)).rejects.toMatchObject({ code: "DISABLED" });
    b.enqueue(ev());
    b.setEnabled(true);
    expect(b.stats().TotalReady).toBe(0);
  });

  it("breaks priority ties between scheduler types with the injected random", async () => {
    const pick = async (r: number) => {
      const { b } = broker(new ManualClock(), { random: () => r });
      b.enqueue(ev({ Type: "service" }));
      b.enqueue(ev({ Type: "batch" }));
      return (await b.dequeue(["service", "batch"], 0))?.eval.Type;
    };
    expect(await pick(0)).toBe("service");
    expect(await pick(0.99)).toBe("batch");
  });
});
