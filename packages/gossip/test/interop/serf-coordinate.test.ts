// Vivaldi coordinates against a real `serf agent`: our acks carry a coordinate the agent
// accepts (its `serf rtt` estimates the RTT to our node), and we learn the agent's from its
// acks to our probes.
import { afterEach, describe, expect, it } from "vitest";
import { SerfNode } from "../../src/runtime/serf-node.js";
import { SerfAgent, waitFor } from "./serf-agent.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("coordinates with real serf", () => {
  it("the agent estimates its RTT to us from our coordinate, and we estimate ours to it", async () => {
    const agent = await SerfAgent.start("goc");
    cleanups.push(() => agent.kill());
    const node = await SerfNode.start({ name: "tsc", bindPort: 0 }, () => undefined);
    cleanups.push(() => node.shutdown());
    expect(await node.join([agent.addr])).toBe(1);
    // each side probes the other once a second; an ack carries the responder's coordinate
    await waitFor(() => node.serf.memberCoordinate("goc") !== undefined, 20_000, "tsc has goc's coordinate");
    let line = "";
    await waitFor(
      async () => {
        line = await agent.rpcAsync("rtt", "tsc").catch((e: unknown) => String(e));
        return /Estimated .* rtt: [0-9.]+ ms/.test(line);
      },
      20_000,
      "`serf rtt tsc` has an estimate",
    );
    const ms = Number(/rtt: ([0-9.]+) ms/.exec(line)?.[1]);
    expect(ms).toBeGreaterThanOrEqual(0);
    expect(ms).toBeLessThan(50); // loopback
    expect(node.serf.coordinate().vec).toHaveLength(8);
    const ours = node.serf.estimatedRttMs("goc") as number;
    expect(ours).toBeGreaterThanOrEqual(0);
    expect(ours).toBeLessThan(50);
    expect(node.serf.stats.coordinatesRejected).toBe(0);
  });
});
