// Spec tests for leadership transfer (thesis 3.10).
import { describe, expect, it } from "vitest";
import { Network } from "./helpers/network.js";

const abc = ["a", "b", "c"];
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("leadership transfer (thesis 3.10)", () => {
  it("a caught-up target gets timeoutNow, campaigns at once and becomes leader", () => {
    const net = Network.bootstrapped(abc, { preVote: true, checkQuorum: true });
    const leader = net.elect();
    const target = abc.find((x) => x !== leader.id)!;
    expect(leader.core.transferLeadership(target).ok).toBe(true);
    net.settle();
    expect(net.delivered.some((m) => m.type === "timeoutNow" && m.to === target)).toBe(true);
    expect(net.leader()!.id).toBe(target);
    expect(leader.core.status().role).toBe("follower");
  });

  it("the leader first brings a lagging target up to date, then hands over", () => {
    const net = Network.bootstrapped(abc);
    const leader = net.elect();
    const target = abc.find((x) => x !== leader.id)!;
    net.crash(target);
    for (let i = 0; i < 5; i++) net.propose(`p${i}`);
    net.restart(target);
    expect(leader.core.transferLeadership(target).ok).toBe(true);
    net.tick(3);
    expect(net.leader()!.id).toBe(target);
    expect(net.node(target).applied.slice(0, 5)).toEqual(["p0", "p1", "p2", "p3", "p4"]);
  });

  it("proposals are refused with BUSY while a transfer is under way", () => {
    const net = Network.bootstrapped(abc);
    const leader = net.elect();
    const target = abc.find((x) => x !== leader.id)!;
    net.crash(target);
    leader.core.transferLeadership(target);
    expect(leader.core.propose(enc("x"))).toEqual({ ok: false, code: "BUSY" });
    expect(leader.core.proposeBarrier()).toEqual({ ok: false, code: "BUSY" });
    expect(leader.core.proposeMembership({ type: "removeServer", id: target })).toEqual({
      ok: false,
      code: "BUSY",
    });
  });

  it("a transfer that does not finish within an election timeout aborts with transferFailed", () => {
    const net = Network.bootstrapped(abc);
    const leader = net.elect();
    const target = abc.find((x) => x !== leader.id)!;
    net.crash(target);
    leader.core.transferLeadership(target);
    net.tick(9);
    expect(leader.events.some((e) => e.type === "transferFailed")).toBe(false);
    net.tick(1);
    expect(leader.events).toContainEqual({ type: "transferFailed", target });
    expect(leader.core.status().role).toBe("leader");
    expect(leader.core.propose(enc("x")).ok).toBe(true);
  });

  it("a transfer to a server that is not a voter fails at once", () => {
    const net = Network.bootstrapped(abc);
    const leader = net.elect();
    leader.core.transferLeadership("nobody");
    net.settle();
    expect(leader.events).toContainEqual({ type: "transferFailed", target: "nobody" });
    expect(leader.core.status().role).toBe("leader");
  });

  it("a transfer off the leader is refused with NOT_LEADER", () => {
    const net = Network.bootstrapped(abc);
    const leader = net.elect();
    const f = abc.find((x) => x !== leader.id)!;
    expect(net.node(f).core.transferLeadership(leader.id)).toEqual({
      ok: false,
      code: "NOT_LEADER",
      leader: leader.id,
    });
  });
});
