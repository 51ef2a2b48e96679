// Spec tests for log replication (5.3), safety (5.4), and the leader's flow control.
import { describe, expect, it } from "vitest";
import type { AppendRequest } from "../../src/core/messages.js";
import { Network } from "./helpers/network.js";
import { appendMsg, cmd, drain, logWithTerms, makeCore, ofType, outbox } from "./helpers/single.js";

const abc = ["a", "b", "c"];
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A leader "a" of term 2 over a, b, c with log [conf@1, noop@2], all peers caught up. */
function leaderCore(overrides = {}) {
  const core = makeCore("a", {
    overrides,
    entries: logWithTerms(abc, [1]),
    hardState: { term: 1, vote: "" },
  });
  core.campaign();
  outbox(core);
  core.step({ type: "voteResponse", from: "b", to: "a", term: 2, granted: true, preVote: false });
  const msgs = outbox(core);
  for (const m of ofType(msgs, "append")) {
    core.step({
      type: "appendResponse",
      from: m.to,
      to: "a",
      term: 2,
      success: true,
      matchIndex: 2,
      rejectHintIndex: 0,
      rejectHintTerm: 0,
      readRound: 0,
    });
  }
  outbox(core);
  return core;
}

function ack(from: string, matchIndex: number, term = 2) {
  return {
    type: "appendResponse" as const,
    from,
    to: "a",
    term,
    success: true,
    matchIndex,
    rejectHintIndex: 0,
    rejectHintTerm: 0,
    readRound: 0,
  };
}

describe("log replication (5.3)", () => {
  it("a leader replicates an entry and commits it once a majority stores it (5.3)", () => {
    const core = leaderCore();
    expect(core.status().commitIndex).toBe(2);
    const r = core.propose(enc("x"));
    expect(r).toEqual({ ok: true, index: 3, term: 2 });
    const rd = drain(core);
    expect(ofType([...rd.messages], "append").map((m) => m.entries.map((e) => e.index))).toEqual([[3], [3]]);
    expect(core.status().commitIndex).toBe(2);
    core.step(ack("b", 3));
    expect(core.status().commitIndex).toBe(3);
    expect(drain(core).committed.map((e) => e.index)).toEqual([3]);
  });

  it("a follower rejects an append whose previous entry does not match, with a backtracking hint (5.3)", () => {
    const core = makeCore("b", { entries: logWithTerms(abc, [1, 1, 1]), hardState: { term: 2, vote: "" } });
    core.step(appendMsg("a", "b", { term: 3, prevLogIndex: 3, prevLogTerm: 2, entries: [cmd(4, 3)] }));
    const [resp] = ofType(outbox(core), "appendResponse");
    expect(resp).toMatchObject({ success: false, matchIndex: 3, rejectHintIndex: 3, rejectHintTerm: 1 });
    expect(core.status().lastLogIndex).toBe(3);
    core.step(appendMsg("a", "b", { term: 3, prevLogIndex: 9, prevLogTerm: 3, entries: [] }));
    expect(ofType(outbox(core), "appendResponse")[0]).toMatchObject({ success: false, rejectHintIndex: 3 });
  });

  it("a follower deletes a conflicting suffix and appends the leader's entries (5.3)", () => {
    const core = makeCore("b", {
      entries: logWithTerms(abc, [1, 1, 2, 2]),
      hardState: { term: 2, vote: "" },
    });
    core.step(
      appendMsg("a", "b", { term: 3, prevLogIndex: 2, prevLogTerm: 1, entries: [cmd(3, 3, "new3")] }),
    );
    const rd = drain(core);
    expect(rd.entries.map((e) => [e.index, e.term])).toEqual([[3, 3]]);
    expect(core.status()).toMatchObject({ lastLogIndex: 3, lastLogTerm: 3 });
    expect(ofType([...rd.messages], "appendResponse")[0]).toMatchObject({ success: true, matchIndex: 3 });
  });

  it("a follower ignores entries it already has instead of truncating (duplicated appends are harmless) (5.3)", () => {
    const core = makeCore("b", {
      entries: logWithTerms(abc, [1, 2, 2, 2]),
      hardState: { term: 2, vote: "" },
    });
    core.step(appendMsg("a", "b", { term: 2, prevLogIndex: 1, prevLogTerm: 1, entries: [cmd(2, 2)] }));
    expect(core.status().lastLogIndex).toBe(4);
    expect(ofType(outbox(core), "appendResponse")[0]).toMatchObject({ success: true, matchIndex: 2 });
  });

  it("a follower sets its commit index to min(leaderCommit, index of last new entry) (5.3)", () => {
    const core = makeCore("b", { entries: logWithTerms(abc, [1]), hardState: { term: 2, vote: "" } });
    core.step(
      appendMsg("a", "b", {
        term: 2,
        prevLogIndex: 1,
        prevLogTerm: 1,
        entries: [cmd(2, 2)],
        leaderCommit: 5,
      }),
    );
    expect(core.status().commitIndex).toBe(2);
    const rd = drain(core);
    expect(rd.committed.map((e) => e.index)).toEqual([1, 2]);
  });

  it("heartbeats go out every heartbeatTicks and carry the commit index up to the peer's match", () => {
    const core = leaderCore({ heartbeatTicks: 3, commitTicks: 100 });
    for (let i = 0; i < 2; i++) {
      core.tick();
      expect(outbox(core)).toEqual([]);
    }
    core.tick();
    const hb = ofType(outbox(core), "append");
    expect(hb.map((m) => m.to).sort()).toEqual(["b", "c"]);
    expect(hb[0]).toMatchObject({ entries: [], prevLogIndex: 2, leaderCommit: 2 });
  });

  it("an idle follower learns a new commit index within commitTicks", () => {
    const core = leaderCore({ heartbeatTicks: 50, electionTicks: 100, leaderLeaseTicks: 90, commitTicks: 2 });
    core.propose(enc("x"));
    outbox(core);
    core.step(ack("b", 3));
    core.step(ack("c", 3));
    const immediate = ofType(outbox(core), "append");
    expect(immediate).toEqual([]); // nothing new to send, the notice waits for commitTicks
    core.tick();
    core.tick();
    const notices = ofType(outbox(core), "append");
    expect(notices.map((m) => [m.to, m.leaderCommit])).toEqual([
      ["b", 3],
      ["c", 3],
    ]);
  });

  it("a leader pipelines several appends to a follower without waiting for answers, bounded by maxInflightAppends", () => {
    const core = leaderCore({ maxAppendEntries: 2, maxInflightAppends: 3 });
    for (let i = 0; i < 20; i++) core.propose(enc(`p${i}`));
    const toB = ofType(outbox(core), "append").filter((m) => m.to === "b");
    expect(toB.map((m) => m.entries.map((e) => e.index))).toEqual([
      [3, 4],
      [5, 6],
      [7, 8],
    ]);
    core.step(ack("b", 4));
    const next = ofType(outbox(core), "append").filter((m) => m.to === "b");
    expect(next.map((m) => m.entries.map((e) => e.index))).toEqual([[9, 10]]);
    expect(core.status().progress!.get("b")).toMatchObject({ matchIndex: 4, nextIndex: 11, inflight: 3 });
  });

  it("the in-flight window is also bounded by bytes", () => {
    const core = leaderCore({ maxAppendEntries: 100, maxInflightAppends: 100, maxInflightBytes: 250 });
    for (let i = 0; i < 10; i++) core.propose(new Uint8Array(100));
    const toB = ofType(outbox(core), "append").filter((m) => m.to === "b");
    const sent = toB.flatMap((m) => m.entries).length;
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(10);
  });

  it("batches carry at most maxAppendEntries entries and proposals between Readies share messages", () => {
    const core = leaderCore({ maxAppendEntries: 4, maxInflightAppends: 64 });
    for (let i = 0; i < 10; i++) core.propose(enc(`p${i}`));
    const toB = ofType(outbox(core), "append").filter((m) => m.to === "b");
    expect(toB.map((m) => m.entries.length)).toEqual([4, 4, 2]);
  });

  it("after a rejection the leader probes one append at a time until the follower answers", () => {
    const core = leaderCore();
    for (let i = 0; i < 5; i++) core.propose(enc(`p${i}`));
    outbox(core);
    core.step({ ...ack("b", 2), success: false, matchIndex: 7, rejectHintIndex: 4, rejectHintTerm: 2 });
    const probe = ofType(outbox(core), "append").filter((m) => m.to === "b");
    expect(probe).toHaveLength(1);
    expect(probe[0]!.prevLogIndex).toBe(4);
    core.propose(enc("more"));
    expect(ofType(outbox(core), "append").filter((m) => m.to === "b")).toEqual([]); // paused
    core.step(ack("b", 7));
    expect(ofType(outbox(core), "append").filter((m) => m.to === "b").length).toBeGreaterThan(0);
  });

  it("rejections at or below the known match are stale: duplicates draw no resend (no message storm)", () => {
    const core = leaderCore({ heartbeatTicks: 5, electionTicks: 50, leaderLeaseTicks: 40, commitTicks: 100 });
    for (let i = 0; i < 6; i++) core.propose(enc(`p${i}`));
    outbox(core);
    core.step(ack("b", 5));
    // A pipelined append at 8 is rejected: b drops to probe and is probed at 5, its known match.
    core.step({ ...ack("b", 2), success: false, matchIndex: 8, rejectHintIndex: 5, rejectHintTerm: 2 });
    expect(ofType(outbox(core), "append").filter((m) => m.to === "b")).toHaveLength(1);
    // Rejections of positions below the known match, and duplicated copies of the one above, are
    // answers overtaken by later ones: none of them may cause a send.
    for (let i = 0; i < 5; i++) {
      core.step({ ...ack("b", 2), success: false, matchIndex: 3, rejectHintIndex: 2, rejectHintTerm: 2 });
      core.step({ ...ack("b", 2), success: false, matchIndex: 8, rejectHintIndex: 5, rejectHintTerm: 2 });
    }
    expect(ofType(outbox(core), "append").filter((m) => m.to === "b")).toEqual([]);
    expect(core.status().progress!.get("b")).toMatchObject({ matchIndex: 5 });
    // The probe at 5 itself rejected, duplicated five times: one answer (a repair probe from the
    // hint), not one resend per copy, which is how duplication grew into a storm.
    for (let i = 0; i < 5; i++) {
      core.step({ ...ack("b", 2), success: false, matchIndex: 5, rejectHintIndex: 2, rejectHintTerm: 2 });
    }
    expect(ofType(outbox(core), "append").filter((m) => m.to === "b")).toMatchObject([{ prevLogIndex: 2 }]);
  });

  it("a follower that lost acknowledged entries is repaired, probed at most once per heartbeat", () => {
    const core = leaderCore({ heartbeatTicks: 5, electionTicks: 50, leaderLeaseTicks: 40, commitTicks: 100 });
    for (let i = 0; i < 6; i++) core.propose(enc(`p${i}`));
    outbox(core);
    core.step(ack("b", 8));
    core.step(ack("c", 8));
    outbox(core);
    // b's disk lost everything after 2: it rejects its own acknowledged match, many times over
    // (duplicates, and every heartbeat names that match).
    const lost = { ...ack("b", 2), success: false, matchIndex: 8, rejectHintIndex: 2, rejectHintTerm: 2 };
    for (let i = 0; i < 5; i++) core.step(lost);
    const repair = ofType(outbox(core), "append").filter((m) => m.to === "b");
    expect(repair.map((m) => [m.prevLogIndex, m.entries.map((e) => e.index)])).toEqual([
      [2, [3, 4, 5, 6, 7, 8]],
    ]);
    expect(core.status().progress!.get("b")).toMatchObject({ matchIndex: 0 });
    // Later copies name a position no longer thought to match: dropped.
    core.step(lost);
    expect(ofType(outbox(core), "append").filter((m) => m.to === "b")).toEqual([]);
    // The repair was lost: the next heartbeat (at match 0) draws b's commit, and the probe resumes.
    for (let i = 0; i < 5; i++) core.tick();
    expect(ofType(outbox(core), "append").filter((m) => m.to === "b")).toMatchObject([{ prevLogIndex: 0 }]);
    core.step(ack("b", 2));
    expect(ofType(outbox(core), "append").filter((m) => m.to === "b")).toMatchObject([{ prevLogIndex: 2 }]);
    // b stores the entries again and acknowledges: it is back to replicating from 9.
    core.step(ack("b", 8));
    expect(core.status().progress!.get("b")).toMatchObject({ matchIndex: 8, nextIndex: 9 });
    core.propose(enc("after"));
    expect(
      ofType(outbox(core), "append")
        .filter((m) => m.to === "b")
        .map((m) => m.entries.map((e) => e.index)),
    ).toEqual([[9]]);
    // Losing them again: repaired at once, but a loss reported again within the same heartbeat
    // interval waits for that interval to pass: at most one repair probe per heartbeat.
    core.step(lost);
    expect(ofType(outbox(core), "append").filter((m) => m.to === "b")).toMatchObject([{ prevLogIndex: 2 }]);
    core.step(ack("b", 9));
    outbox(core);
    core.step({ ...lost, matchIndex: 9 });
    expect(ofType(outbox(core), "append").filter((m) => m.to === "b")).toEqual([]);
    for (let i = 0; i < 5; i++) core.tick();
    outbox(core);
    core.step({ ...lost, matchIndex: 9 });
    expect(ofType(outbox(core), "append").filter((m) => m.to === "b")).toMatchObject([{ prevLogIndex: 2 }]);
  });

  it("a follower whose disk lost acknowledged entries catches up again in a running cluster", () => {
    const net = Network.bootstrapped(abc);
    net.elect();
    const leader = net.leader()!.id;
    const follower = abc.find((id) => id !== leader)!;
    for (let i = 0; i < 10; i++) net.propose(`x${i}`);
    net.settle();
    net.tick(3);
    const full = net.node(leader).log.length;
    expect(net.node(follower).log).toHaveLength(full);
    // Disk loss: the follower restarts with its log cut back to the first two entries.
    net.crash(follower);
    net.node(follower).log = net.node(follower).log.slice(0, 2);
    net.restart(follower);
    net.tick(10);
    expect(net.node(follower).log.map((e) => [e.index, e.term])).toEqual(
      net.node(leader).log.map((e) => [e.index, e.term]),
    );
  });

  it("fast backtracking: a follower with a long divergent suffix is repaired in a few round trips (5.3)", () => {
    // Leader log: terms 1, then 40 entries of term 3. Follower: terms 1, then 40 entries of term 2.
    const leaderLog = logWithTerms(abc, [1, ...Array<number>(40).fill(3)]);
    const followerLog = logWithTerms(abc, [1, ...Array<number>(40).fill(2)]);
    const net = new Network(abc);
    net.node("a").log = leaderLog;
    net.node("a").hardState = { term: 3, vote: "a" };
    net.node("b").log = followerLog;
    net.node("b").hardState = { term: 2, vote: "" };
    net.node("c").log = leaderLog.slice();
    net.node("c").hardState = { term: 3, vote: "a" };
    for (const id of abc) net.restart(id);
    net.node("a").core.campaign();
    net.settle();
    expect(net.node("a").core.status().role).toBe("leader");
    const rejections = net.delivered.filter(
      (m) => m.type === "appendResponse" && m.from === "b" && !m.success,
    );
    expect(rejections.length).toBeLessThanOrEqual(2);
    expect(net.node("b").log.map((e) => e.term)).toEqual(net.node("a").log.map((e) => e.term));
  });

  it("the leader counts its own entries toward commit only once advance() reports them durable", () => {
    const core = leaderCore();
    core.propose(enc("x"));
    const rd = core.ready(); // entries handed out, not yet persisted
    expect(rd.entries.map((e) => e.index)).toEqual([3]);
    core.step(ack("b", 3)); // a follower's ack alone is 1 of 3
    expect(core.status().commitIndex).toBe(2);
    core.advance(rd); // now durable on the leader too: 2 of 3
    expect(core.status().commitIndex).toBe(3);
  });

  it("appends to followers leave in the same Ready as the leader's own entries (parallel fsync)", () => {
    const core = leaderCore();
    core.propose(enc("x"));
    const rd = core.ready();
    expect(rd.entries).toHaveLength(1);
    expect(ofType([...rd.messages], "append").every((m: AppendRequest) => m.entries.length === 1)).toBe(true);
  });

  it("ready() is empty and cheap when nothing is pending", () => {
    const core = leaderCore();
    expect(core.hasReady()).toBe(false);
    const a = core.ready();
    const b = core.ready();
    expect(a).toBe(b);
    expect(a.messages).toHaveLength(0);
  });

  it("proposals on a follower are refused with NOT_LEADER naming the leader, or NO_LEADER", () => {
    const net = Network.bootstrapped(abc);
    expect(net.node("a").core.propose(enc("x"))).toEqual({ ok: false, code: "NO_LEADER" });
    const leader = net.elect();
    const follower = abc.find((x) => x !== leader.id)!;
    expect(net.node(follower).core.propose(enc("x"))).toEqual({
      ok: false,
      code: "NOT_LEADER",
      leader: leader.id,
    });
  });
});

describe("safety (5.4)", () => {
  it("a leader commits an entry of an earlier term only by committing one of its own term (5.4.2)", () => {
    // a leads term 3 with an entry of term 2 at index 2 that only it holds.
    const core = makeCore("a", { entries: logWithTerms(abc, [1, 2]), hardState: { term: 2, vote: "" } });
    core.campaign();
    outbox(core);
    core.step({ type: "voteResponse", from: "b", to: "a", term: 3, granted: true, preVote: false });
    outbox(core); // noop at 3 is now durable on a
    // b acknowledges index 2 only: a majority holds the term-2 entry, yet it must not commit.
    core.step({ ...ack("b", 2, 3) });
    expect(core.status().commitIndex).toBeLessThan(2);
    core.step({ ...ack("b", 3, 3) });
    expect(core.status().commitIndex).toBe(3);
  });

  it("leader completeness: after the leader crashes, the new leader holds every committed entry (5.4)", () => {
    const net = Network.bootstrapped(["a", "b", "c", "d", "e"]);
    const first = net.elect();
    for (let i = 0; i < 10; i++) net.propose(`v${i}`);
    net.tick(2);
    net.crash(first.id);
    const second = net.elect();
    expect(second.id).not.toBe(first.id);
    expect(second.applied.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, i) => `v${i}`));
    net.propose("after");
    net.tick(2);
    for (const n of net.nodes.values()) if (n.id !== first.id) expect(n.applied).toContain("after");
  });

  it("state machine safety: entries a deposed leader could not commit are overwritten, never applied (5.4.3)", () => {
    const net = Network.bootstrapped(["a", "b", "c", "d", "e"]);
    const old = net.elect();
    net.propose("committed");
    net.isolate(old.id);
    for (let i = 0; i < 3; i++) old.core.propose(enc(`lost${i}`));
    net.settle();
    net.tick(
      40,
      ["a", "b", "c", "d", "e"].filter((x) => x !== old.id),
    );
    const fresh = net.leader()!;
    net.propose("winner");
    net.heal();
    net.tick(5);
    for (const n of net.nodes.values()) {
      expect(n.applied).toEqual(["committed", "winner"]);
    }
    expect(old.core.status().term).toBe(fresh.core.status().term);
  });

  it("committed entries survive a full-cluster crash and restart from durable state", () => {
    const net = Network.bootstrapped(abc);
    net.elect();
    for (let i = 0; i < 5; i++) net.propose(`d${i}`);
    for (const id of abc) net.crash(id);
    for (const id of abc) {
      net.restart(id);
      net.node(id).applied = [];
      net.node(id).appliedIndex = 0;
    }
    net.elect();
    net.propose("post");
    net.tick(2);
    for (const n of net.nodes.values()) expect(n.applied).toEqual(["d0", "d1", "d2", "d3", "d4", "post"]);
  });
});
