// Spec tests for linearizable reads: ReadIndex (thesis 6.4) and lease reads (thesis 6.4.1).
import { describe, expect, it } from "vitest";
import { Network } from "./helpers/network.js";
import { logWithTerms, makeCore, outbox } from "./helpers/single.js";

const abc = ["a", "b", "c"];

describe("ReadIndex (thesis 6.4)", () => {
  it("the leader answers a read with its commit index after a quorum confirms its leadership", () => {
    const net = Network.bootstrapped(abc);
    const leader = net.elect();
    const { index } = net.propose("x");
    const followers = abc.filter((x) => x !== leader.id);
    for (const f of followers) net.cutLink(f, leader.id);
    leader.core.readIndex(7);
    net.settle();
    expect(leader.readStates).toEqual([]); // no acknowledgements: no answer
    net.heal();
    net.cutLink(followers[0]!, leader.id); // one follower is enough with the leader
    net.tick(1, [leader.id]);
    expect(leader.readStates).toEqual([{ requestId: 7, index }]);
  });

  it("a follower answers readFailed NOT_LEADER when it knows the leader, NO_LEADER otherwise", () => {
    const net = Network.bootstrapped(abc);
    net.node("a").core.readIndex(1);
    net.settle();
    expect(net.node("a").events).toContainEqual({ type: "readFailed", requestId: 1, code: "NO_LEADER" });
    const leader = net.elect();
    const f = net.node(abc.find((x) => x !== leader.id)!);
    f.core.readIndex(2);
    net.settle();
    expect(f.events).toContainEqual({ type: "readFailed", requestId: 2, code: "NOT_LEADER" });
  });

  it("a new leader serves no read before the noop of its term commits", () => {
    const net = Network.bootstrapped(abc);
    const first = net.elect();
    net.propose("x");
    net.crash(first.id);
    const others = abc.filter((x) => x !== first.id);
    // Hold back append acknowledgements so the new leader's noop cannot commit yet.
    let hold = true;
    net.filter = (m) => !(hold && m.type === "appendResponse");
    let leader = net.leader();
    for (let i = 0; i < 60 && (!leader || leader.id === first.id); i++) {
      net.tick(1, others);
      leader = net.leader();
    }
    expect(leader && leader.id !== first.id).toBe(true);
    leader!.core.readIndex(9);
    net.tick(3, others);
    expect(leader!.readStates).toEqual([]);
    hold = false;
    net.tick(3, others);
    const st = leader!.core.status();
    expect(leader!.readStates).toEqual([{ requestId: 9, index: st.commitIndex }]);
    expect(leader!.readStates[0]!.index).toBeGreaterThanOrEqual(4);
  });

  it("reads that arrive together share one heartbeat round", () => {
    const net = Network.bootstrapped(abc);
    const leader = net.elect();
    net.delivered = [];
    for (let i = 1; i <= 50; i++) leader.core.readIndex(i);
    net.settle();
    expect(leader.readStates.map((r) => r.requestId)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const appends = net.delivered.filter((m) => m.type === "append");
    expect(appends.length).toBe(2); // one heartbeat per follower
  });

  it("reads pending on a leader that loses leadership fail", () => {
    const net = Network.bootstrapped(abc);
    const leader = net.elect();
    net.isolate(leader.id);
    leader.core.readIndex(5);
    net.settle();
    const term = leader.core.status().term;
    leader.core.step({
      type: "append",
      from: abc.find((x) => x !== leader.id)!,
      to: leader.id,
      term: term + 1,
      prevLogIndex: 0,
      prevLogTerm: 0,
      entries: [],
      leaderCommit: 0,
      readRound: 0,
    });
    net.settle();
    expect(leader.events).toContainEqual({ type: "readFailed", requestId: 5, code: "NOT_LEADER" });
  });

  it("a single-voter cluster answers reads at once", () => {
    const net = Network.bootstrapped(["solo"]);
    const n = net.elect();
    net.propose("x");
    n.core.readIndex(3);
    net.settle();
    expect(n.readStates).toEqual([{ requestId: 3, index: n.core.status().commitIndex }]);
  });

  it("a partitioned stale leader never confirms a read, while the majority elects a new leader", () => {
    const net = Network.bootstrapped(["a", "b", "c", "d", "e"]);
    const old = net.elect();
    net.isolate(old.id);
    old.core.readIndex(11);
    net.tick(50);
    expect(old.readStates).toEqual([]);
    expect(net.leader()!.id).not.toBe(old.id);
  });
});

describe("lease reads (thesis 6.4.1)", () => {
  const lease = { leaseReads: true, checkQuorum: true, preVote: true };

  it("while the lease holds, the leader answers without a heartbeat round", () => {
    const net = Network.bootstrapped(abc, lease);
    const leader = net.elect();
    net.propose("x");
    net.delivered = [];
    leader.core.readIndex(1);
    expect(leader.handleReady()).toEqual([]);
    expect(leader.readStates).toEqual([{ requestId: 1, index: leader.core.status().commitIndex }]);
  });

  it("once the lease lapses, the leader no longer answers from it", () => {
    const net = Network.bootstrapped(abc, { ...lease, leaderLeaseTicks: 8, electionTicks: 10 });
    const leader = net.elect();
    net.propose("x");
    net.isolate(leader.id);
    net.tick(8, [leader.id]);
    // By now the lease lapsed: check quorum made it step down, and reads fail.
    leader.core.readIndex(2);
    net.settle();
    expect(leader.readStates).toEqual([]);
    expect(leader.events.some((e) => e.type === "readFailed" && e.requestId === 2)).toBe(true);
  });

  it("a leader that sent timeoutNow no longer answers from its lease (the transfer election bypasses leases)", () => {
    const net = Network.bootstrapped(abc, lease);
    const leader = net.elect();
    net.propose("x");
    const target = abc.find((x) => x !== leader.id)!;
    net.cutLink(target, leader.id); // the target's election never reaches the old leader
    leader.core.transferLeadership(target);
    net.settle();
    expect(net.node(target).core.status().role).toBe("leader");
    expect(leader.core.status().role).toBe("leader"); // it does not know yet
    leader.core.readIndex(9);
    net.settle();
    expect(leader.readStates).toEqual([]);
  });

  it("without leaseReads, the leader always runs a round", () => {
    const net = Network.bootstrapped(abc, { checkQuorum: true });
    const leader = net.elect();
    net.propose("x");
    leader.core.readIndex(1);
    net.queue.push(...leader.handleReady());
    expect(leader.readStates).toEqual([]);
    net.settle();
    expect(leader.readStates.map((r) => r.requestId)).toEqual([1]);
  });

  it("a late acknowledgement earns the lease only from when its message was sent, not when it arrived", () => {
    const core = makeCore("a", {
      overrides: {
        leaseReads: true,
        checkQuorum: true,
        heartbeatTicks: 1,
        leaderLeaseTicks: 8,
        electionTicks: 10,
      },
      entries: logWithTerms(abc, [1]),
      hardState: { term: 1, vote: "" },
    });
    core.campaign();
    outbox(core);
    core.step({ type: "voteResponse", from: "b", to: "a", term: 2, granted: true, preVote: false });
    const first = outbox(core).find((m) => m.type === "append" && m.to === "b");
    const oldRound = first?.type === "append" ? first.readRound : -1;
    // b's answer to the noop append is delayed by 5 ticks (c never answers).
    for (let i = 0; i < 5; i++) {
      core.tick();
      outbox(core);
    }
    const ack = (readRound: number) =>
      ({
        type: "appendResponse",
        from: "b",
        to: "a",
        term: 2,
        success: true,
        matchIndex: 2,
        rejectHintIndex: 0,
        rejectHintTerm: 0,
        readRound,
      }) as const;
    core.step(ack(oldRound));
    outbox(core);
    for (let i = 0; i < 3; i++) {
      core.tick();
      outbox(core);
    }
    // 8 ticks since that message was sent: the lease is over although the answer is 3 ticks old.
    core.readIndex(1);
    expect(core.ready().readStates).toEqual([]);
  });
});
