import { parseEvaluation } from "@nomad/structs";
import { describe, expect, it } from "vitest";
import { createNodeEvals } from "../../src/leader/index.js";
import { LeaderHarness } from "./harness.js";

describe("Leader: eval bookkeeping", () => {
  it("superseded pending evals of a job are canceled through Raft once the outstanding one is acked", async () => {
    const h = new LeaderHarness({ config: { numSchedulers: 0 } });
    h.registerNode({ id: "node-a" });
    await h.leader.start();
    const { job, eval: first } = h.registerJob({ id: "web", count: 1 });
    const more = [1, 2, 3].map((i) =>
      parseEvaluation({
        ID: h.newID(),
        JobID: job.ID,
        Type: "service",
        TriggeredBy: "job-register",
        Status: "pending",
        ModifyTime: i,
      }),
    );
    for (const e of more) h.apply({ type: "EvalUpdate", Evals: [e] });
    expect(h.leader.brokerStats()).toMatchObject({ TotalReady: 1, TotalPending: 3 });
    const d = await h.leader.broker.dequeue(["service"], 0);
    expect(d?.eval.ID).toBe(first.ID);
    h.leader.broker.ack(d!.eval.ID, d!.token);
    const newest = more[2]!;
    await h.until(
      () => more.slice(0, 2).every((e) => h.evalByID(e.ID)?.Status === "canceled"),
      "older pending evals canceled",
    );
    expect(h.evalByID(more[0]!.ID)?.StatusDescription).toBe("canceled after more recent eval was processed");
    expect(h.evalByID(newest.ID)?.Status).toBe("pending");
    expect((await h.leader.broker.dequeue(["service"], 0))?.eval.ID).toBe(newest.ID);
    await h.leader.stop();
  });

  it("a second blocked eval for a job cancels the older one", async () => {
    const h = new LeaderHarness({ config: { numSchedulers: 0 } });
    await h.leader.start();
    const blocked = (id: string, index: number) =>
      parseEvaluation({
        ID: id,
        JobID: "web",
        Type: "service",
        TriggeredBy: "queued-allocs",
        Status: "blocked",
        SnapshotIndex: index,
      });
    h.apply({ type: "EvalUpdate", Evals: [blocked("b-old", 1)] });
    h.apply({ type: "EvalUpdate", Evals: [blocked("b-new", 5)] });
    await h.until(() => h.evalByID("b-old")?.Status === "canceled", "older blocked eval canceled");
    expect(h.evalByID("b-old")?.StatusDescription).toBe('existing blocked evaluation exists for job "web"');
    expect(h.evalByID("b-new")?.Status).toBe("blocked");
    expect(h.leader.brokerStats().TotalBlocked).toBe(1);
    await h.leader.stop();
  });

  it("createNodeEvals: one node-update eval per job with allocs on the node, plus system jobs, deduplicated", async () => {
    const h = new LeaderHarness();
    h.registerNode({ id: "node-a" });
    h.registerNode({ id: "node-b" });
    await h.leader.start();
    const { eval: ev } = h.registerJob({ id: "web", count: 4 });
    const { eval: sysEval } = h.registerJob({ id: "agent", type: "system" });
    await h.until(
      () => h.evalByID(ev.ID)?.Status === "complete" && h.evalByID(sysEval.ID)?.Status === "complete",
      "both scheduled",
    );
    await h.leader.stop();
    const snap = h.state.snapshot();
    const node = snap.allocsByJob("default", "web")[0]!.NodeID;
    const evals = createNodeEvals(snap, node, { nowNs: 7, newID: () => h.newID() });
    expect(evals.map((e) => e.JobID).sort()).toEqual(["agent", "web"]);
    for (const e of evals) {
      expect(e).toMatchObject({
        TriggeredBy: "node-update",
        NodeID: node,
        Status: "pending",
        CreateTime: 7,
        NodeModifyIndex: snap.nodeByID(node)!.ModifyIndex,
      });
    }
    expect(evals.find((e) => e.JobID === "agent")?.Type).toBe("system");
  });

  it("on start every live node gets the failover TTL (5 m), down nodes none", async () => {
    const h = new LeaderHarness();
    h.registerNode({ id: "live" });
    h.registerNode({ id: "dead" });
    h.apply({ type: "NodeUpdateStatus", NodeID: "dead", Status: "down", UpdatedAt: 1, Evals: [] });
    await h.leader.start();
    expect(h.leader.heartbeats.has("live")).toBe(true);
    expect(h.leader.heartbeats.has("dead")).toBe(false);
    await h.clock.advance(299_000);
    expect(h.state.snapshot().nodeByID("live")?.Status).toBe("ready");
    await h.clock.advance(1_000);
    await h.until(() => h.state.snapshot().nodeByID("live")?.Status === "down", "live node expired at 5 m");
    await h.leader.stop();
  });

  it("stop() clears every timer and the broker, and start() again restores from state", async () => {
    const h = new LeaderHarness({ config: { numSchedulers: 0 } });
    h.registerNode({ id: "node-a" });
    await h.leader.start();
    h.registerJob({ id: "web" });
    expect(h.leader.brokerStats().TotalReady).toBe(1);
    await h.leader.stop();
    expect(h.clock.pending()).toBe(0);
    expect(h.leader.brokerStats().TotalReady).toBe(0);
    await h.leader.start();
    expect(h.leader.brokerStats().TotalReady).toBe(1);
    await h.leader.stop();
  });
});

describe("snapshotAtLeast", () => {
  it("waits for the state to reach the eval's index, and gives up when stopped", async () => {
    const { snapshotAtLeast } = await import("../../src/leader/index.js");
    const h = new LeaderHarness();
    h.registerNode({ id: "node-a" });
    const at = h.state.latestIndex();
    const waiting = snapshotAtLeast(h.state, at + 1, 5_000, h.clock);
    let done = false;
    void waiting.then(() => (done = true));
    await h.until(() => true, "tick");
    expect(done).toBe(false);
    h.registerNode({ id: "node-b" });
    expect((await waiting).latestIndex()).toBe(at + 1);
    const abort = new AbortController();
    const stuck = snapshotAtLeast(h.state, at + 100, 5_000, h.clock, abort.signal);
    abort.abort();
    await expect(stuck).rejects.toThrow(/stopped while waiting/);
  });
});
