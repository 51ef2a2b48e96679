// Serf's name-conflict vote (`_serf_conflict` queries) against a real `serf agent`: we answer
// as Serf does (the member we know under the name, never about ourselves), our answer is
// byte-identical to the real agent's about the same member, and a real agent whose name is
// claimed by an impostor counts our answers in its vote and keeps its name.
import { afterEach, describe, expect, it } from "vitest";
import { decodeConflictResponse } from "../../src/core/serf-conflict.js";
import { SerfNode } from "../../src/runtime/serf-node.js";
import { SerfAgent, waitFor } from "./serf-agent.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function ours(name: string): Promise<SerfNode> {
  const n = await SerfNode.start({ name, bindPort: 0, tags: { lang: "ts" } });
  cleanups.push(() => n.shutdown());
  return n;
}

const alive = (n: SerfNode, name: string) => n.members().find((m) => m.name === name)?.status === "alive";

describe("_serf_conflict with real serf", () => {
  it("we answer with the member we know (not about ourselves), byte-identical to real serf's answer", async () => {
    const agent = await SerfAgent.start("go1", { tags: { role: "db" } });
    cleanups.push(() => agent.kill());
    const ts1 = await ours("ts1");
    const ts2 = await ours("ts2");
    expect(await ts1.join([agent.addr])).toBe(1);
    expect(await ts2.join([agent.addr])).toBe(1);
    await waitFor(
      () => ["go1", "ts1"].every((x) => alive(ts2, x)) && agent.status("ts2") === "alive",
      15_000,
      "cluster of three formed",
    );
    await waitFor(() => agent.status("ts1") === "alive", 10_000, "go1 sees ts1 alive");

    const { responses } = await ts2.query("_serf_conflict", "ts1");
    // ts1 is the name asked about: it does not vote; go1 (real) and ts2 (us, locally) answer
    expect([...responses.keys()].sort()).toEqual(["go1", "ts2"]);
    const fromGo = responses.get("go1") as Uint8Array;
    const fromUs = responses.get("ts2") as Uint8Array;
    const m = decodeConflictResponse(fromGo);
    expect(m).toMatchObject({ name: "ts1", addr: ts1.address, tags: { lang: "ts" }, status: "alive" });
    expect(m?.vsn).toEqual([1, 5, 2, 2, 5, 5]);
    expect(Buffer.from(fromUs).toString("hex")).toBe(Buffer.from(fromGo).toString("hex"));

    // an unknown name: everyone answers nil ([6][0xc0]), which Serf counts as a non-matching vote
    const unknown = await ts2.query("_serf_conflict", "nobody");
    expect(unknown.responses.size).toBe(3);
    for (const r of unknown.responses.values()) expect(decodeConflictResponse(r)).toBeNull();
  });

  it("a real agent whose name an impostor claims counts our two answers and keeps its name", async () => {
    const agent = await SerfAgent.start("go1");
    cleanups.push(() => agent.kill());
    const ts1 = await ours("ts1");
    const ts2 = await ours("ts2");
    expect(await ts1.join([agent.addr])).toBe(1);
    expect(await ts2.join([agent.addr])).toBe(1);
    await waitFor(
      () => agent.status("ts1") === "alive" && agent.status("ts2") === "alive" && alive(ts1, "ts2"),
      15_000,
      "cluster of three formed",
    );
    // an impostor named go1 on another port pushes its claim to the real go1
    const impostor = await ours("go1");
    await impostor.join([agent.addr]);
    await waitFor(
      () => agent.log.join("").includes("name conflict resolution"),
      20_000,
      "go1 runs the conflict vote",
    );
    // both our nodes answered with go1's real address: 2 matching of 2 responses
    expect(agent.log.join("")).toContain("majority in name conflict resolution [2 / 2]");
    expect(agent.members()?.some((m) => m.name === "ts1")).toBe(true);
  });
});
