import { describe, expect, it } from "vitest";
import { LeaderHarness } from "./harness.js";

async function scenario(seed: number): Promise<string> {
  const h = new LeaderHarness({ seed, config: { numSchedulers: 2 } });
  for (const id of ["n1", "n2", "n3"]) h.registerNode({ id, cpuMHz: 2000 });
  await h.leader.start();
  const { eval: a } = h.registerJob({ id: "web", count: 5, cpuMHz: 300 });
  const { eval: b } = h.registerJob({ id: "batch", type: "batch", count: 3, cpuMHz: 200 });
  await h.until(
    () => h.evalByID(a.ID)?.Status === "complete" && h.evalByID(b.ID)?.Status === "complete",
    "placed",
  );
  // n1 stops heartbeating; the others keep going.
  for (let t = 0; t < 31; t++) {
    h.leader.resetHeartbeat("n2");
    h.leader.resetHeartbeat("n3");
    await h.clock.advance(10_000);
  }
  await h.until(() => h.state.snapshot().nodeByID("n1")?.Status === "down", "n1 down");
  await h.until(() => h.leader.brokerStats().TotalReady + h.leader.brokerStats().TotalUnacked === 0, "idle");
  await h.leader.stop();
  return JSON.stringify(h.commands);
}

describe("Leader determinism", () => {
  it("the same seed, clock and IDs give the same Raft commands, byte for byte", async () => {
    const first = await scenario(7);
    const second = await scenario(7);
    expect(second).toBe(first);
    expect(first).toContain('"NodeUpdateStatus"');
  });
});
