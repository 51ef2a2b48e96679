// The simulator at scale: the fast mode (members share message objects instead of running
// the codec per delivery) must replay the real-codec run exactly, and 1,000 members joining
// one seed must converge in seconds of wall time.
import { describe, expect, it } from "vitest";
import { BroadcastQueue } from "../../src/core/broadcast-queue.js";
import { SimCluster } from "../../src/testing/sim.js";

function cluster(n: number, seed: number, wire: boolean, lossRate = 0): SimCluster {
  const sim = new SimCluster({ seed, wire, lossRate });
  for (let i = 0; i < n; i++) sim.add(`n${i}`);
  for (let i = 1; i < n; i++) sim.join(`n${i}`, ["n0"]);
  return sim;
}

describe("simulator at scale", () => {
  it("wire off (shared decoded messages) replays the real-codec run event for event", () => {
    const run = (wire: boolean) => {
      const sim = cluster(30, 11, wire, 0.05);
      sim.runUntil(() => sim.converged(), 30_000);
      sim.kill("n29");
      sim.leave("n28");
      sim.run(30_000);
      return { events: JSON.stringify(sim.events), packets: sim.packetsSent, lost: sim.packetsLost };
    };
    const real = run(true);
    const fast = run(false);
    expect(fast.packets).toBe(real.packets);
    expect(fast.lost).toBe(real.lost);
    expect(fast.events).toBe(real.events);
  });

  // The bar: 1,000 members, all joining one seed at once (the worst case for gossip).
  // ~15 s of wall time on one core of the shared box (columns + the message memo).
  it("1,000 members joining one seed converge (everyone alive at everyone)", { timeout: 300_000 }, () => {
    const sim = new SimCluster({ seed: 12, wire: false, recordEvents: false });
    for (let i = 0; i < 1000; i++) sim.add(`n${i}`);
    for (let i = 1; i < 1000; i++) sim.join(`n${i}`, ["n0"]);
    const t = sim.runUntil(() => sim.converged(), 120_000, 500);
    expect(t).toBeGreaterThan(0);
    expect(t).toBeLessThan(60_000);
    expect(sim.converged()).toBe(true);
    // nobody was even suspected on the way (so no false failure in the storm)
    let suspicions = 0;
    for (const m of sim.members.values()) suspicions += m.core.stats.suspicions;
    expect(suspicions).toBe(0);
  });
});

describe("broadcast queue under churn", () => {
  it("invalidations and evictions keep the count exact and never return a dead message", () => {
    const q = new BroadcastQueue(64);
    const finished = new Set<string>();
    const live = new Map<string, Uint8Array>();
    let stale = 0;
    for (let i = 0; i < 5000; i++) {
      const key = `k${i % 200}`;
      const msg = new Uint8Array(20 + (i % 7));
      msg[0] = i & 0xff;
      const tag = `${key}@${i}`;
      q.queue(key, msg, () => finished.add(tag));
      live.set(key, msg);
      if (i % 3 === 0) {
        const current = new Set(live.values());
        stale += q.take(2, 300, 3).filter((m) => !current.has(m)).length;
      }
      expect(q.length).toBeLessThanOrEqual(64);
    }
    expect(stale).toBe(0);
    // drain: everything left is sent at most 3 times and then finishes
    for (let i = 0; i < 1000 && q.length > 0; i++) q.take(2, 1400, 3);
    expect(q.length).toBe(0);
    expect(finished.size).toBe(5000);
  });
});
