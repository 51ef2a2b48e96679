// Serf's force-leave (Nomad's `server force-leave`): a failed member becomes left on every node;
// with prune it is forgotten at once.
import { describe, expect, it } from "vitest";
import type { SerfNode } from "../../src/runtime/serf-node.js";
import { loopbackNodes, until } from "./nodes.js";

const start = loopbackNodes("local");

const statusOf = (n: SerfNode, name: string) => n.members().find((m) => m.name === name)?.status;

async function clusterWithFailedC(): Promise<[SerfNode, SerfNode]> {
  const a = await start("fl-a");
  const b = await start("fl-b");
  const c = await start("fl-c");
  const addr = `127.0.0.1:${a.address.port}`;
  await b.join([addr]);
  await c.join([addr]);
  await until("three alive members", () => a.members().length === 3 && b.members().length === 3);
  await c.shutdown(); // a crash: no leave
  // ~4 s on a quiet box (probe, Lifeguard suspicion); far more when the suite shares two cores
  await until(
    "c failed on a and b",
    () => statusOf(a, "fl-c") === "failed" && statusOf(b, "fl-c") === "failed",
    45_000,
  );
  return [a, b];
}

describe("force-leave", { timeout: 120_000 }, () => {
  it("moves a failed member to left on every node", async () => {
    const [a, b] = await clusterWithFailedC();
    expect(a.forceLeave("fl-c")).toBe(true);
    await until("c left on a and b", () => statusOf(a, "fl-c") === "left" && statusOf(b, "fl-c") === "left");
  });

  it("with prune, every node forgets the member at once", async () => {
    const [a, b] = await clusterWithFailedC();
    expect(a.forceLeave("fl-c", true)).toBe(true);
    await until(
      "c gone from a and b",
      () => statusOf(a, "fl-c") === undefined && statusOf(b, "fl-c") === undefined,
    );
  });

  it("an unknown name is refused", async () => {
    const a = await start("fl-solo");
    expect(a.forceLeave("nobody")).toBe(false);
  });
});
