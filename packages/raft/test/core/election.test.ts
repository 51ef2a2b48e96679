// Spec tests for terms (5.1), leader election (5.2), the election restriction (5.4.1), pre-vote
// (thesis 9.6), the vote lease (thesis 4.2.3) and check quorum.
import { describe, expect, it } from "vitest";
import { Network } from "./helpers/network.js";
import { appendMsg, drain, logWithTerms, makeCore, ofType, outbox, ticksUntil } from "./helpers/single.js";

const abc = ["a", "b", "c"];

describe("terms (5.1)", () => {
  it("a follower that receives a higher term adopts it and forgets its vote (5.1)", () => {
    const core = makeCore("a", { hardState: { term: 2, vote: "b" }, entries: logWithTerms(abc, [1]) });
    core.step(appendMsg("c", "a", { term: 5 }));
    const st = core.status();
    expect(st.term).toBe(5);
    expect(st.vote).toBe("");
    expect(st.leader).toBe("c");
  });

  it("a candidate that receives a higher term steps down (5.1)", () => {
    const core = makeCore("a", { entries: logWithTerms(abc, [1]), hardState: { term: 1, vote: "" } });
    core.campaign();
    expect(core.status().role).toBe("candidate");
    core.step({ type: "voteResponse", from: "b", to: "a", term: 7, granted: false, preVote: false });
    expect(core.status()).toMatchObject({ role: "follower", term: 7 });
  });

  it("a leader that receives a higher term steps down (5.1)", () => {
    const net = Network.bootstrapped(abc);
    const leader = net.elect();
    const term = leader.core.status().term;
    const other = abc.find((x) => x !== leader.id)!;
    leader.core.step(appendMsg(other, leader.id, { term: term + 3 }));
    expect(leader.core.status()).toMatchObject({ role: "follower", term: term + 3, leader: other });
  });

  it("a stale request is rejected and the reply tells the stale leader the current term, which makes it step down (5.1)", () => {
    const net = Network.bootstrapped(abc);
    const old = net.elect();
    net.isolate(old.id);
    net.tick(
      40,
      abc.filter((x) => x !== old.id),
    );
    const fresh = net.leader()!;
    expect(fresh.id).not.toBe(old.id);
    expect(old.core.status().role).toBe("leader"); // no check quorum: it does not know yet
    net.heal();
    old.core.propose(new TextEncoder().encode("stale"));
    net.settle();
    expect(old.core.status()).toMatchObject({ role: "follower", term: fresh.core.status().term });
    for (const n of net.nodes.values()) expect(n.applied).not.toContain("stale");
  });

  it("a follower answers an append from an older term with its own term and does not accept it (5.1)", () => {
    const core = makeCore("a", { hardState: { term: 4, vote: "" }, entries: logWithTerms(abc, [1]) });
    core.step(appendMsg("b", "a", { term: 3, prevLogIndex: 1, prevLogTerm: 1, entries: [] }));
    const [resp] = ofType(outbox(core), "appendResponse");
    expect(resp).toMatchObject({ to: "b", term: 4, success: false });
    expect(core.status().leader).toBeUndefined();
  });
});

describe("leader election (5.2)", () => {
  it("a follower campaigns after a randomized timeout in [electionTicks, electionTicks + jitter) (5.2)", () => {
    const seen = new Set<number>();
    for (let seed = 1; seed <= 60; seed++) {
      const core = makeCore("a", { seed, entries: logWithTerms(abc, [1]), hardState: { term: 1, vote: "" } });
      const ticks = ticksUntil(core, "vote");
      expect(ticks).toBeGreaterThanOrEqual(10);
      expect(ticks).toBeLessThan(20);
      seen.add(ticks);
    }
    expect(seen.size).toBeGreaterThan(3); // randomized, not a constant
  });

  it("a candidate increments its term, votes for itself and requests votes from every other voter (5.2)", () => {
    const core = makeCore("a", { entries: logWithTerms(abc, [1, 1]), hardState: { term: 1, vote: "" } });
    core.campaign();
    const rd = drain(core);
    expect(rd.hardState).toEqual({ term: 2, vote: "a" });
    const votes = ofType([...rd.messages], "vote");
    expect(votes.map((m) => m.to).sort()).toEqual(["b", "c"]);
    expect(votes[0]).toMatchObject({ term: 2, lastLogIndex: 2, lastLogTerm: 1, preVote: false });
  });

  it("a candidate that wins a majority becomes leader and appends a noop of its term (5.2, 5.4.2)", () => {
    const core = makeCore("a", { entries: logWithTerms(abc, [1]), hardState: { term: 1, vote: "" } });
    core.campaign();
    outbox(core);
    core.step({ type: "voteResponse", from: "b", to: "a", term: 2, granted: true, preVote: false });
    const rd = drain(core);
    expect(core.status().role).toBe("leader");
    expect(rd.entries).toEqual([expect.objectContaining({ index: 2, term: 2, type: "noop" })]);
    expect(rd.events).toContainEqual({ type: "leaderChange", leader: "a", term: 2 });
    expect(ofType([...rd.messages], "append").length).toBe(2);
  });

  it("a voter grants at most one vote per term, and the vote is persisted before the reply (5.2)", () => {
    // transfer: these nodes restarted with state, so their restart lease would ignore plain votes.
    const core = makeCore("a", { entries: logWithTerms(abc, [1]), hardState: { term: 1, vote: "" } });
    core.step({
      type: "vote",
      from: "b",
      to: "a",
      term: 2,
      lastLogIndex: 1,
      lastLogTerm: 1,
      preVote: false,
      transfer: true,
    });
    const rd = drain(core);
    expect(rd.hardState).toEqual({ term: 2, vote: "b" });
    expect(ofType([...rd.messages], "voteResponse")[0]).toMatchObject({ to: "b", granted: true, term: 2 });
    core.step({
      type: "vote",
      from: "c",
      to: "a",
      term: 2,
      lastLogIndex: 1,
      lastLogTerm: 1,
      preVote: false,
      transfer: true,
    });
    expect(ofType(outbox(core), "voteResponse")[0]).toMatchObject({ to: "c", granted: false });
    // The same candidate asking again (a lost reply) gets the vote again.
    core.step({
      type: "vote",
      from: "b",
      to: "a",
      term: 2,
      lastLogIndex: 1,
      lastLogTerm: 1,
      preVote: false,
      transfer: true,
    });
    expect(ofType(outbox(core), "voteResponse")[0]).toMatchObject({ to: "b", granted: true });
  });

  it("a voter rejects a candidate whose log is less up-to-date (5.4.1)", () => {
    const core = makeCore("a", { entries: logWithTerms(abc, [1, 2, 2]), hardState: { term: 2, vote: "" } });
    // Older last term, longer log: rejected.
    core.step({
      type: "vote",
      from: "b",
      to: "a",
      term: 3,
      lastLogIndex: 9,
      lastLogTerm: 1,
      preVote: false,
      transfer: true,
    });
    expect(ofType(outbox(core), "voteResponse")[0]!.granted).toBe(false);
    // Same last term, shorter log: rejected.
    core.step({
      type: "vote",
      from: "c",
      to: "a",
      term: 4,
      lastLogIndex: 2,
      lastLogTerm: 2,
      preVote: false,
      transfer: true,
    });
    expect(ofType(outbox(core), "voteResponse")[0]!.granted).toBe(false);
    // Same last term, as long: granted.
    core.step({
      type: "vote",
      from: "c",
      to: "a",
      term: 5,
      lastLogIndex: 3,
      lastLogTerm: 2,
      preVote: false,
      transfer: true,
    });
    expect(ofType(outbox(core), "voteResponse")[0]!.granted).toBe(true);
  });

  it("a candidate that hears from a leader of its own term becomes its follower (5.2)", () => {
    const core = makeCore("a", { entries: logWithTerms(abc, [1]), hardState: { term: 1, vote: "" } });
    core.campaign();
    outbox(core);
    core.step(appendMsg("b", "a", { term: 2, prevLogIndex: 1, prevLogTerm: 1 }));
    expect(core.status()).toMatchObject({ role: "follower", term: 2, leader: "b" });
  });

  it("a candidate rejected by a majority returns to follower and retries after a new timeout (5.2)", () => {
    const core = makeCore("a", { entries: logWithTerms(abc, [1]), hardState: { term: 1, vote: "" } });
    core.campaign();
    outbox(core);
    core.step({ type: "voteResponse", from: "b", to: "a", term: 2, granted: false, preVote: false });
    core.step({ type: "voteResponse", from: "c", to: "a", term: 2, granted: false, preVote: false });
    expect(core.status().role).toBe("follower");
    expect(ticksUntil(core, "vote")).toBeGreaterThanOrEqual(10);
    expect(core.status()).toMatchObject({ role: "candidate", term: 3 });
  });

  it("a bootstrapped cluster elects exactly one leader without any other call, and a single voter elects itself", () => {
    const net = Network.bootstrapped(abc);
    net.tick(30);
    const leaders = [...net.nodes.values()].filter((n) => n.core.status().role === "leader");
    expect(leaders).toHaveLength(1);
    const solo = Network.bootstrapped(["s"]);
    solo.tick(20);
    expect(solo.node("s").core.status().role).toBe("leader");
    solo.propose("x");
    expect(solo.node("s").applied).toEqual(["x"]);
  });

  it("every node that bootstraps with the same configuration writes the identical entry 1 at term 1", () => {
    const net = Network.bootstrapped(abc);
    const bytes = [...net.nodes.values()].map((n) => Buffer.from(n.log[0]!.data).toString("hex"));
    expect(new Set(bytes).size).toBe(1);
    for (const n of net.nodes.values())
      expect(n.log[0]).toMatchObject({ index: 1, term: 1, type: "configuration" });
    expect(() => net.node("a").core.bootstrap({ servers: [] })).toThrow();
  });

  it("a fresh node that was never bootstrapped never campaigns", () => {
    const core = makeCore("z");
    for (let i = 0; i < 100; i++) core.tick();
    expect(outbox(core)).toEqual([]);
    expect(core.status().role).toBe("follower");
  });

  it("emits roleChange and leaderChange events as roles change", () => {
    const net = Network.bootstrapped(abc);
    const leader = net.elect();
    expect(leader.events).toContainEqual({ type: "roleChange", role: "candidate", term: 2 });
    expect(leader.events).toContainEqual({ type: "roleChange", role: "leader", term: 2 });
    for (const n of net.nodes.values()) {
      expect(n.events).toContainEqual({ type: "leaderChange", leader: leader.id, term: 2 });
    }
  });
});

describe("pre-vote (thesis 9.6)", () => {
  it("a pre-candidate asks for votes in the next term without incrementing its own term (9.6)", () => {
    const core = makeCore("a", {
      overrides: { preVote: true },
      entries: logWithTerms(abc, [1]),
      hardState: { term: 1, vote: "" },
    });
    ticksUntil(core, "vote");
    expect(core.status()).toMatchObject({ role: "precandidate", term: 1, vote: "" });
    core.step({ type: "voteResponse", from: "b", to: "a", term: 2, granted: true, preVote: true });
    expect(core.status()).toMatchObject({ role: "candidate", term: 2, vote: "a" });
  });

  it("a partitioned node with pre-vote rejoins without raising the cluster's term (9.6)", () => {
    const net = Network.bootstrapped(abc, { preVote: true });
    const leader = net.elect();
    const term = leader.core.status().term;
    const loner = abc.find((x) => x !== leader.id)!;
    net.isolate(loner);
    net.tick(100);
    expect(net.node(loner).core.status().term).toBe(term);
    net.heal();
    net.tick(5);
    expect(net.leader()!.id).toBe(leader.id);
    expect(leader.core.status().term).toBe(term);
  });

  it("without pre-vote, the same partitioned node raises its term and disrupts the leader when it rejoins", () => {
    const net = Network.bootstrapped(abc, { preVote: false });
    const leader = net.elect();
    const term = leader.core.status().term;
    const loner = abc.find((x) => x !== leader.id)!;
    net.isolate(loner);
    net.tick(100);
    expect(net.node(loner).core.status().term).toBeGreaterThan(term + 2);
    net.heal();
    net.tick(40);
    expect(net.leader()!.core.status().term).toBeGreaterThan(term);
  });
});

describe("vote lease (thesis 4.2.3)", () => {
  it("a follower that heard from its leader less than electionTicks ago ignores (pre-)votes", () => {
    const core = makeCore("a", { entries: logWithTerms(abc, [1]), hardState: { term: 1, vote: "" } });
    core.step(appendMsg("b", "a", { term: 2, prevLogIndex: 1, prevLogTerm: 1 }));
    outbox(core);
    core.step({
      type: "vote",
      from: "c",
      to: "a",
      term: 3,
      lastLogIndex: 5,
      lastLogTerm: 2,
      preVote: false,
      transfer: false,
    });
    expect(outbox(core)).toEqual([]);
    expect(core.status().term).toBe(2);
    for (let i = 0; i < 10; i++) core.tick();
    outbox(core); // it may have started its own campaign by now (term 3)
    core.step({
      type: "vote",
      from: "c",
      to: "a",
      term: 5,
      lastLogIndex: 5,
      lastLogTerm: 2,
      preVote: false,
      transfer: false,
    });
    expect(ofType(outbox(core), "voteResponse")[0]).toMatchObject({ granted: true, term: 5 });
  });

  it("a vote marked as a leadership transfer is considered even inside the lease", () => {
    const core = makeCore("a", { entries: logWithTerms(abc, [1]), hardState: { term: 1, vote: "" } });
    core.step(appendMsg("b", "a", { term: 2, prevLogIndex: 1, prevLogTerm: 1 }));
    outbox(core);
    core.step({
      type: "vote",
      from: "c",
      to: "a",
      term: 3,
      lastLogIndex: 5,
      lastLogTerm: 2,
      preVote: false,
      transfer: true,
    });
    expect(ofType(outbox(core), "voteResponse")[0]).toMatchObject({ granted: true, term: 3 });
  });
});

describe("restart lease", () => {
  it("a node restarted with state ignores votes for electionTicks, as if it had just heard from a leader", () => {
    const core = makeCore("a", { entries: logWithTerms(abc, [1]), hardState: { term: 1, vote: "" } });
    const vote = {
      type: "vote",
      from: "b",
      to: "a",
      term: 2,
      lastLogIndex: 1,
      lastLogTerm: 1,
      preVote: false,
      transfer: false,
    } as const;
    core.step(vote);
    expect(outbox(core)).toEqual([]);
    const fresh = makeCore("a", { entries: [] });
    fresh.step({ ...vote, lastLogIndex: 0, lastLogTerm: 0 });
    expect(ofType(outbox(fresh), "voteResponse")).toHaveLength(1);
  });
});

describe("check quorum", () => {
  it("a leader that has not heard from a quorum within leaderLeaseTicks steps down", () => {
    const net = Network.bootstrapped(abc, { checkQuorum: true, preVote: true });
    const leader = net.elect();
    net.isolate(leader.id);
    net.tick(7, [leader.id]);
    expect(leader.core.status().role).toBe("leader");
    net.tick(2, [leader.id]);
    expect(leader.core.status().role).toBe("follower");
    expect(leader.events).toContainEqual({
      type: "leaderChange",
      leader: undefined,
      term: leader.core.status().term,
    });
  });

  it("a leader that hears from a quorum keeps leading indefinitely", () => {
    const net = Network.bootstrapped(["a", "b", "c", "d", "e"], { checkQuorum: true, preVote: true });
    const leader = net.elect();
    const others = ["a", "b", "c", "d", "e"].filter((x) => x !== leader.id);
    net.partition([leader.id], others.slice(0, 2));
    net.tick(100);
    expect(leader.core.status().role).toBe("leader");
    expect(
      leader.events
        .filter((e) => e.type === "peerUnreachable")
        .map((e) => (e as { peer: string }).peer)
        .sort(),
    ).toEqual(others.slice(0, 2).sort());
  });
});
