// Our membership layer against a real `serf agent` on 127.0.0.1 (requires the serf binary;
// the test fails, not skips, when it is missing).
import { afterEach, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config.js";
import { MemberlistNode } from "../../src/runtime/memberlist-node.js";
import { SerfAgent, serfBinary, waitFor } from "./serf-agent.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("memberlist interop with real serf", () => {
  it("the serf binary is installed (CI: apt-get install -y serf)", () => {
    expect(serfBinary()).toMatch(/serf$/);
  });

  it("our node joins a real serf agent: both see each other alive; killed, serf marks us failed", async () => {
    const agent = await SerfAgent.start("real1", { tags: { role: "web" } });
    cleanups.push(() => agent.kill());
    const node = await MemberlistNode.start(resolveConfig({ name: "ts1", bindPort: 0 }, "lan"));
    cleanups.push(() => node.shutdown());
    expect(await node.join([agent.addr])).toBe(1);
    await waitFor(() => node.core.member("real1")?.state === "alive", 10_000, "ts1 sees real1 alive");
    await waitFor(() => agent.status("ts1") === "alive", 10_000, "real1 sees ts1 alive");
    // and the probes keep working both ways for a few protocol periods
    await new Promise((r) => setTimeout(r, 3000));
    expect(agent.status("ts1")).toBe("alive");
    expect(node.core.member("real1")?.state).toBe("alive");
    expect(node.stats.drops).toEqual({});
    await node.shutdown();
    await waitFor(() => agent.status("ts1") === "failed", 30_000, "real1 marks ts1 failed");
  }, 60_000);

  it("a real serf agent joins our node; we detect its crash (kill -9) as dead", async () => {
    const node = await MemberlistNode.start(resolveConfig({ name: "ts2", bindPort: 0 }, "lan"));
    cleanups.push(() => node.shutdown());
    const agent = await SerfAgent.start("real2", { join: `127.0.0.1:${node.address.port}` });
    cleanups.push(() => agent.kill());
    await waitFor(() => node.core.member("real2")?.state === "alive", 10_000, "ts2 sees real2 alive");
    await waitFor(() => agent.status("ts2") === "alive", 10_000, "real2 sees ts2 alive");
    agent.kill("SIGKILL");
    await waitFor(() => node.core.member("real2")?.state === "dead", 30_000, "ts2 declares real2 dead");
  }, 60_000);
});
