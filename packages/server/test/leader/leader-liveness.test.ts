import { nodeEvents } from "../../src/state/index.js";
import { describe, expect, it } from "vitest";
import { NODE_HEARTBEAT_MISSED } from "../../src/leader/index.js";
import { LeaderHarness } from "./harness.js";

describe("Leader: heartbeats, delivery limit, core GC", () => {
  it("a node that misses its heartbeat is marked down and its allocations are replaced on another node", async () => {
    const h = new LeaderHarness();
    h.registerNode({ id: "node-a" });
    h.registerNode({ id: "node-b" });
    await h.leader.start();
    const { eval: ev } = h.registerJob({ id: "web", count: 1 });
    await h.until(() => h.evalByID(ev.ID)?.Status === "complete", "initial placement");
    const [first] = h.liveAllocs("web");
    const lostNode = first!.NodeID;
    const liveNode = lostNode === "node-a" ? "node-b" : "node-a";

    // After the election every node has the failover TTL (5 m); only liveNode keeps heartbeating.
    for (let t = 0; t < 31; t++) {
      const ttl = h.leader.resetHeartbeat(liveNode);
      expect(ttl).toBeGreaterThanOrEqual(10_000);
      expect(ttl).toBeLessThanOrEqual(20_000);
      await h.clock.advance(10_000);
    }
    await h.until(() => h.state.snapshot().nodeByID(lostNode)?.Status === "down", "node marked down");
    const down = h.state.snapshot().nodeByID(lostNode)!;
    expect(nodeEvents(down).at(-1)).toMatchObject({ Message: NODE_HEARTBEAT_MISSED, Subsystem: "Cluster" });
    expect(h.state.snapshot().nodeByID(liveNode)?.Status).toBe("ready");

    await h.until(() => h.liveAllocs("web").some((a) => a.NodeID === liveNode), "replacement placed");
    const replacement = h.liveAllocs("web").find((a) => a.NodeID === liveNode)!;
    expect(replacement.PreviousAllocation).toBe(first!.ID);
    expect(h.state.snapshot().allocByID(first!.ID)).toMatchObject({
      ClientStatus: "lost",
      DesiredStatus: "stop",
    });
    const nodeEvals = h.state
      .snapshot()
      .evals()
      .filter((e) => e.TriggeredBy === "node-update");
    expect(nodeEvals.map((e) => [e.JobID, e.NodeID])).toEqual([["web", lostNode]]);
    await h.leader.stop();
  });

  it("an eval that fails three deliveries is marked failed with a delayed failed-follow-up eval", async () => {
    let victim = "";
    const h = new LeaderHarness({
      // The worker's final eval update keeps failing, so every delivery is nacked.
      failApply: (cmd) =>
        cmd.type === "EvalUpdate" && cmd.Evals.some((e) => e.ID === victim && e.Status === "complete"),
    });
    h.registerNode({ id: "node-a" });
    await h.leader.start();
    const { eval: ev } = h.registerJob({ id: "poison", count: 1 });
    victim = ev.ID;
    await h.until(() => h.leader.brokerStats().TotalWaiting === 1, "first nack");
    await h.clock.advance(1_000); // first redelivery after 1 s
    await h.until(() => h.leader.brokerStats().TotalWaiting === 1, "second nack");
    await h.clock.advance(20_000); // then 20 s
    await h.until(() => h.evalByID(ev.ID)?.Status === "failed", "marked failed");
    const failed = h.evalByID(ev.ID)!;
    expect(failed.StatusDescription).toBe("evaluation reached delivery limit (3)");
    const followup = h.evalByID(failed.NextEval)!;
    expect(followup).toMatchObject({
      TriggeredBy: "failed-follow-up",
      PreviousEval: ev.ID,
      Status: "pending",
    });
    expect(followup.Wait).toBeGreaterThanOrEqual(60_000 * 1e6);
    expect(followup.Wait).toBeLessThanOrEqual(360_000 * 1e6);
    // The follow-up waits in the broker, then runs (and succeeds: it is not the poisoned eval).
    expect(h.leader.brokerStats().TotalWaiting).toBe(1);
    await h.clock.advance(followup.Wait / 1e6);
    await h.until(() => h.evalByID(followup.ID)?.Status === "complete", "follow-up processed");
    await h.leader.stop();
  });

  it("enqueues the periodic core GC evals every 5 minutes through Raft, and force-gc on demand", async () => {
    const h = new LeaderHarness();
    await h.leader.start();
    await h.clock.advance(300_000);
    await h.until(
      () =>
        h.state
          .snapshot()
          .evals()
          .filter((e) => e.Type === "_core" && e.Status === "complete").length === 4,
      "four core evals processed",
    );
    const core = h.state
      .snapshot()
      .evals()
      .filter((e) => e.Type === "_core");
    expect(core.map((e) => e.JobID).sort()).toEqual(["deployment-gc", "eval-gc", "job-gc", "node-gc"]);
    for (const e of core)
      expect(e).toMatchObject({ Namespace: "-", Priority: 32767, TriggeredBy: "scheduled" });
    const id = await h.leader.forceGC();
    await h.until(() => h.evalByID(id)?.Status === "complete", "force-gc processed");
    expect(h.evalByID(id)?.JobID).toBe("force-gc");
    await h.leader.stop();
  });

  it("force-gc collects a down node past nothing but the 1 ms threshold", async () => {
    const h = new LeaderHarness();
    h.registerNode({ id: "gone" });
    h.apply({
      type: "NodeUpdateStatus",
      NodeID: "gone",
      Status: "down",
      UpdatedAt: Math.floor(h.clock.nowMs() / 1000),
      Evals: [],
    });
    await h.leader.start();
    await h.clock.advance(1_000);
    const id = await h.leader.forceGC();
    await h.until(() => h.evalByID(id)?.Status === "complete", "force-gc processed");
    expect(h.state.snapshot().nodeByID("gone")).toBeUndefined();
    expect(h.commands.some((c) => c.type === "NodeBatchDeregister")).toBe(true);
    await h.leader.stop();
  });
});
