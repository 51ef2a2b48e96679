// Observability: status() and the events a driver relies on.
import { describe, expect, it } from "vitest";
import { Network } from "./helpers/network.js";

const abc = ["a", "b", "c"];

describe("status and events", () => {
  it("a leader reports per-peer progress; followers report none", () => {
    const net = Network.bootstrapped(abc);
    const leader = net.elect();
    net.propose("x");
    const st = leader.core.status();
    expect(st).toMatchObject({
      id: leader.id,
      role: "leader",
      leader: leader.id,
      commitIndex: 3,
      lastLogIndex: 3,
    });
    expect(st.appliedIndex).toBe(3);
    for (const id of abc.filter((x) => x !== leader.id)) {
      expect(st.progress!.get(id)).toEqual({ matchIndex: 3, nextIndex: 4, inflight: 0, recentActive: true });
    }
    const follower = net.node(abc.find((x) => x !== leader.id)!).core.status();
    expect(follower.progress).toBeUndefined();
    expect(follower.configuration.servers.map((s) => s.id)).toEqual(abc);
  });

  it("a peer that does not answer for an election timeout is reported unreachable once, and active again when it answers", () => {
    const net = Network.bootstrapped(abc);
    const leader = net.elect();
    const peer = abc.find((x) => x !== leader.id)!;
    net.crash(peer);
    net.tick(9);
    expect(leader.events.some((e) => e.type === "peerUnreachable")).toBe(false);
    net.tick(20);
    expect(leader.events.filter((e) => e.type === "peerUnreachable")).toEqual([
      { type: "peerUnreachable", peer },
    ]);
    expect(leader.core.status().progress!.get(peer)!.recentActive).toBe(false);
    net.restart(peer);
    net.tick(2);
    expect(leader.core.status().progress!.get(peer)!.recentActive).toBe(true);
  });

  it("the core validates its configuration and names the field", () => {
    expect(() => new Network(["a"], { heartbeatTicks: 0 })).toThrow(/heartbeatTicks/);
    expect(() => new Network(["a"], { heartbeatTicks: 10, electionTicks: 10 })).toThrow(/heartbeatTicks/);
  });
});
