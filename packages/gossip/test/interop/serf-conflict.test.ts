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

  it("our node claiming a real agent's name loses the vote and stops; ours whose name a real agent claims keeps it", async () => {
    const go1 = await SerfAgent.start("go1");
    cleanups.push(() => go1.kill());
    const dup = await SerfAgent.start("dup", { join: go1.addr });
    cleanups.push(() => dup.kill());
    const ts1 = await ours("ts1");
    const ts2 = await ours("ts2");
    expect(await ts1.join([go1.addr])).toBe(1);
    expect(await ts2.join([go1.addr])).toBe(1);
    await waitFor(
      () => ["go1", "dup", "ts1"].every((x) => alive(ts2, x)) && alive(ts1, "dup"),
      15_000,
      "cluster of four formed",
    );

    // 1. our impostor "dup": go1 and ts2 both name the real dup's address, so we lose 0 / 2
    const impostor = await ours("dup");
    const lost = new Promise<void>((resolve) => (impostor.onConflictLost = resolve));
    await impostor.join([go1.addr]);
    await lost;
    expect(impostor.serf.stats.conflictVotesLost).toBe(1);
    // the real dup keeps its name and address in everyone's view
    expect(go1.members()?.find((m) => m.name === "dup")?.addr).toBe(dup.addr);
    expect(ts2.members().find((m) => m.name === "dup")?.addr.port).toBe(dup.bindPort);

    // 2. a real impostor "ts1" pushes its claim to our ts1: go1, ts2 and dup name our
    //    address, so ts1 keeps its name
    const fake = await SerfAgent.start("ts1", { join: `127.0.0.1:${ts1.address.port}` }).catch(() => null);
    if (fake !== null) cleanups.push(() => fake.kill());
    await waitFor(() => ts1.serf.stats.conflictVotesWon >= 1, 20_000, "ts1 wins its vote");
    expect(ts1.serf.stats.conflictVotesLost).toBe(0);
  });
});
