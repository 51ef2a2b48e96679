// SerfNode keeps the Serf core's clock in step with real time although the core's own timer
// sleeps until its next deadline (reap every 15 s): a query started after a quiet spell
// must last its whole timeout, not end at once against a stale clock.
import { afterEach, describe, expect, it } from "vitest";
import { SerfNode } from "../../src/runtime/serf-node.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe("SerfNode clock", () => {
  it("a query started 1.5 s after start runs for its full 800 ms timeout", async () => {
    const node = await SerfNode.start({ name: "clock-1", bindHost: "127.0.0.1", bindPort: 0 });
    cleanups.push(() => node.shutdown());
    await new Promise((r) => setTimeout(r, 1500));
    const t0 = performance.now();
    const { acks } = await node.query("q", "", { timeoutMs: 800, requestAck: true });
    const took = performance.now() - t0;
    expect(acks).toEqual(["clock-1"]);
    // generous upper bound for a loaded machine; the lower bound is the point
    expect(took).toBeGreaterThanOrEqual(750);
    expect(took).toBeLessThan(5000);
  });
});
