// Spec tests for membership changes one server at a time (section 6; thesis 4.1-4.2).
import { describe, expect, it } from "vitest";
import { decodeConfiguration } from "../../src/core/configuration.js";
import { Network } from "./helpers/network.js";
import { appendMsg, confEntry, logWithTerms, makeCore, voters } from "./helpers/single.js";

const abc = ["a", "b", "c"];

function suffrages(net: Network, id: string): string[] {
  return net
    .node(id)
    .core.status()
    .configuration.servers.map((s) => `${s.id}:${s.suffrage}`)
    .sort();
}

describe("membership changes (6)", () => {
  it("a nonvoter receives the log but does not count toward commit, and promoting it makes it a voter (6)", () => {
    const net = Network.bootstrapped(abc);
    const leader = net.elect();
    net.propose("before");
    const d = net.add("d");
    const r = leader.core.proposeMembership({ type: "addNonvoter", id: "d", address: "d:7000" });
    expect(r.ok).toBe(true);
    net.settle();
    net.tick(3);
    expect(d.applied).toEqual(["before"]);
    expect(suffrages(net, leader.id)).toContain("d:nonvoter");
    // With two voters down, the nonvoter cannot help a quorum form.
    const followers = abc.filter((x) => x !== leader.id);
    net.crash(followers[0]!);
    net.crash(followers[1]!);
    leader.core.propose(new TextEncoder().encode("stuck"));
    net.tick(3, [leader.id, "d"]);
    expect(d.applied).toEqual(["before"]);
    expect(d.core.status().role).toBe("follower");
    net.restart(followers[0]!);
    net.restart(followers[1]!);
    net.tick(30);
    const now = net.elect();
    expect(now.core.proposeMembership({ type: "addVoter", id: "d", address: "d:7000" }).ok).toBe(true);
    net.tick(3);
    expect(suffrages(net, "d")).toEqual(["a:voter", "b:voter", "c:voter", "d:voter"]);
    expect(d.events.some((e) => e.type === "configurationChange")).toBe(true);
  });

  it("a nonvoter never campaigns, however long it hears nothing (6)", () => {
    const config = {
      servers: [...voters("a", "b").servers, { id: "n", address: "n:7000", suffrage: "nonvoter" as const }],
    };
    const core = makeCore("n", { entries: [confEntry(1, 1, config)], hardState: { term: 1, vote: "" } });
    for (let i = 0; i < 200; i++) core.tick();
    expect(core.hasReady()).toBe(false);
    expect(core.status()).toMatchObject({ role: "follower", term: 1 });
  });

  it("a candidate does not count a nonvoter's vote toward its quorum (6)", () => {
    const config = {
      servers: [
        ...voters("a", "b", "c").servers,
        { id: "n", address: "n:7000", suffrage: "nonvoter" as const },
      ],
    };
    const core = makeCore("a", { entries: [confEntry(1, 1, config)], hardState: { term: 1, vote: "" } });
    core.campaign();
    const requests = core.ready().messages;
    expect(requests.map((m) => m.to).sort()).toEqual(["b", "c"]); // nonvoters are not asked
    core.step({ type: "voteResponse", from: "n", to: "a", term: 2, granted: true, preVote: false });
    expect(core.status().role).toBe("candidate");
    core.step({ type: "voteResponse", from: "b", to: "a", term: 2, granted: true, preVote: false });
    expect(core.status().role).toBe("leader");
  });

  it("a server that believes it was removed still votes: the cluster may need it (6)", () => {
    // n's newest (uncommitted) entry removed it; the others never got that entry and count n.
    const core = makeCore("n", {
      entries: [confEntry(1, 1, voters("a", "b", "n")), confEntry(2, 1, voters("a", "b"))],
      hardState: { term: 1, vote: "" },
    });
    for (let i = 0; i < 30; i++) core.tick();
    core.step({
      type: "vote",
      from: "a",
      to: "n",
      term: 2,
      lastLogIndex: 2,
      lastLogTerm: 1,
      preVote: false,
      transfer: false,
    });
    const rd = core.ready();
    expect(rd.messages[0]).toMatchObject({ type: "voteResponse", granted: true });
  });

  it("a configuration takes effect as soon as it is appended, before it commits (6)", () => {
    const core = makeCore("b", { entries: logWithTerms(abc, [1]), hardState: { term: 1, vote: "" } });
    const next = voters("a", "b", "c", "d");
    core.step(
      appendMsg("a", "b", {
        term: 2,
        prevLogIndex: 1,
        prevLogTerm: 1,
        entries: [confEntry(2, 2, next)],
        leaderCommit: 1,
      }),
    );
    expect(core.status().commitIndex).toBe(1);
    expect(core.status().configuration).toEqual(next);
    const rd = core.ready();
    expect(rd.events).toContainEqual({ type: "configurationChange", configuration: next, index: 2 });
  });

  it("a follower that loses an uncommitted configuration entry falls back to the previous one (6)", () => {
    const core = makeCore("b", { entries: logWithTerms(abc, [1]), hardState: { term: 1, vote: "" } });
    core.step(
      appendMsg("a", "b", {
        term: 2,
        prevLogIndex: 1,
        prevLogTerm: 1,
        entries: [confEntry(2, 2, voters("a", "b"))],
      }),
    );
    expect(core.status().configuration).toEqual(voters("a", "b"));
    // A new leader of term 3 never had that entry: it overwrites index 2.
    core.step(
      appendMsg("c", "b", {
        term: 3,
        prevLogIndex: 1,
        prevLogTerm: 1,
        entries: [{ index: 2, term: 3, type: "noop", data: new Uint8Array(0) }],
      }),
    );
    expect(core.status().configuration).toEqual(voters(...abc));
  });

  it("a second change is refused with BUSY while the first is uncommitted (6)", () => {
    const net = Network.bootstrapped(abc);
    const leader = net.elect();
    const followers = abc.filter((x) => x !== leader.id);
    for (const f of followers) net.cutLink(leader.id, f);
    expect(leader.core.proposeMembership({ type: "addNonvoter", id: "d", address: "d:7000" }).ok).toBe(true);
    expect(leader.core.proposeMembership({ type: "addNonvoter", id: "e", address: "e:7000" })).toEqual({
      ok: false,
      code: "BUSY",
    });
    net.heal();
    net.tick(2);
    expect(leader.core.proposeMembership({ type: "addNonvoter", id: "e", address: "e:7000" }).ok).toBe(true);
  });

  it("removing a server shrinks the quorum: two remaining voters commit without it (6)", () => {
    const net = Network.bootstrapped(abc);
    const leader = net.elect();
    const [gone, kept] = abc.filter((x) => x !== leader.id) as [string, string];
    expect(leader.core.proposeMembership({ type: "removeServer", id: gone }).ok).toBe(true);
    net.tick(2);
    net.crash(gone);
    net.crash(kept);
    leader.core.propose(new TextEncoder().encode("needs-kept"));
    net.tick(2);
    expect(leader.applied).not.toContain("needs-kept"); // 2 voters: quorum is 2
    net.restart(kept);
    net.tick(30);
    expect(net.leader()!.applied).toContain("needs-kept");
    expect(suffrages(net, kept)).toEqual([`${leader.id}:voter`, `${kept}:voter`].sort());
  });

  it("a leader that removes itself keeps leading until the entry commits, then steps down (6)", () => {
    const net = Network.bootstrapped(abc);
    const leader = net.elect();
    const followers = abc.filter((x) => x !== leader.id);
    for (const f of followers) net.cutLink(f, leader.id); // acks do not come back yet
    expect(leader.core.proposeMembership({ type: "removeServer", id: leader.id }).ok).toBe(true);
    net.settle();
    expect(leader.core.status().role).toBe("leader");
    net.heal();
    // The lost acks are recovered by the leader's tail probe after two silent heartbeats.
    net.tick(3, [leader.id]);
    expect(leader.core.status().role).toBe("follower");
    net.tick(40);
    const next = net.leader()!;
    expect(followers).toContain(next.id);
    // The removed server never campaigns again.
    net.tick(100);
    expect(leader.core.status().role).toBe("follower");
    expect(suffrages(net, next.id)).toEqual(followers.map((f) => `${f}:voter`).sort());
  });

  it("changes are refused off the leader, and a change that leaves no voter is refused", () => {
    const net = Network.bootstrapped(["solo"]);
    const leader = net.elect();
    expect(leader.core.proposeMembership({ type: "removeServer", id: "solo" })).toEqual({
      ok: false,
      code: "BUSY",
    });
    const net3 = Network.bootstrapped(abc);
    const l3 = net3.elect();
    const f = abc.find((x) => x !== l3.id)!;
    expect(net3.node(f).core.proposeMembership({ type: "addVoter", id: "d", address: "d" })).toEqual({
      ok: false,
      code: "NOT_LEADER",
      leader: l3.id,
    });
  });

  it("configuration entries are replicated as canonical msgpack that decodes to the configuration", () => {
    const net = Network.bootstrapped(abc);
    const leader = net.elect();
    leader.core.proposeMembership({ type: "addNonvoter", id: "d", address: "d:7000" });
    net.tick(2);
    const entry = leader.log.filter((e) => e.type === "configuration").pop()!;
    expect(decodeConfiguration(entry.data).servers.map((s) => s.id)).toEqual(["a", "b", "c", "d"]);
  });
});
