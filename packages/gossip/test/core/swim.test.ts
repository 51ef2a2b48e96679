// SWIM + Lifeguard behaviour on the seeded simulator (virtual time, real cores, real wire).
import { describe, expect, it } from "vitest";
import { SimCluster } from "../../src/testing/sim.js";
import { suspicionTimeoutMs } from "../../src/core/suspicion.js";
import { Memberlist } from "../../src/core/memberlist.js";
import { SeededRandom } from "../../src/core/prng.js";
import { coreConfig, resolveConfig } from "../../src/config.js";

function cluster(
  n: number,
  seed: number,
  extra: Partial<ConstructorParameters<typeof SimCluster>[0]> = {},
): SimCluster {
  const sim = new SimCluster({ seed, ...extra });
  for (let i = 0; i < n; i++) sim.add(`n${i}`);
  for (let i = 1; i < n; i++) sim.join(`n${i}`, ["n0"]);
  return sim;
}

describe("SWIM membership (lan profile, simulated)", () => {
  it("join by push/pull: 5 members converge to all-alive within seconds", () => {
    const sim = cluster(5, 1);
    const t = sim.runUntil(() => sim.converged(), 10_000);
    expect(t).toBeGreaterThanOrEqual(0);
    expect(t).toBeLessThan(2_000);
  });

  it("50 members joining one seed converge, and stay converged without faults (no false suspicion)", () => {
    const sim = cluster(50, 2);
    expect(sim.runUntil(() => sim.converged(), 30_000)).toBeGreaterThanOrEqual(0);
    sim.run(30_000);
    expect(sim.events.filter((e) => e.kind === "leave")).toEqual([]);
    expect(sim.converged()).toBe(true);
  });

  it("a killed member is declared dead by every survivor within the suspicion bound", () => {
    const n = 20;
    const sim = cluster(n, 3);
    expect(sim.runUntil(() => sim.converged(), 20_000)).toBeGreaterThanOrEqual(0);
    sim.kill("n7");
    const others = [...sim.members.keys()].filter((x) => x !== "n7");
    const t = sim.runUntil(() => others.every((o) => sim.view(o, "n7") === "dead"), 60_000, 50);
    // bound: time to be probed (<= N probe intervals worst case, ~1-2 typically) + probe interval
    // + the Lifeguard maximum suspicion timeout (6 × min) + gossip
    const maxSuspicion = 6 * suspicionTimeoutMs(4, n, 1000);
    expect(t).toBeGreaterThan(0);
    expect(t).toBeLessThan(maxSuspicion + 3_000);
    // every survivor learned of it as "dead", not "left"
    expect(others.every((o) => sim.view(o, "n7") === "dead")).toBe(true);
  });

  it("a gracefully leaving member is reported left, never dead", () => {
    const sim = cluster(10, 4);
    expect(sim.runUntil(() => sim.converged(), 20_000)).toBeGreaterThanOrEqual(0);
    sim.leave("n3");
    sim.run(500);
    sim.kill("n3");
    const others = [...sim.members.keys()].filter((x) => x !== "n3");
    expect(
      sim.runUntil(() => others.every((o) => sim.view(o, "n3") === "left"), 10_000),
    ).toBeGreaterThanOrEqual(0);
    sim.run(20_000);
    expect(sim.events.filter((e) => e.node === "n3" && e.state === "dead")).toEqual([]);
  });

  it("Lifeguard: no member is falsely declared dead at 10% packet loss", () => {
    const sim = cluster(20, 5, { lossRate: 0.1 });
    expect(sim.runUntil(() => sim.converged(), 30_000)).toBeGreaterThanOrEqual(0);
    sim.run(120_000);
    expect(sim.events.filter((e) => e.kind === "leave")).toEqual([]);
  });

  it("a suspected member that is alive refutes with a higher incarnation", () => {
    const sim = cluster(5, 6);
    expect(sim.runUntil(() => sim.converged(), 10_000)).toBeGreaterThanOrEqual(0);
    const before = sim.members.get("n2")!.core.localIncarnation;
    // cut n2 off long enough to be suspected, but not declared dead
    sim.partition([["n2"], ["n0", "n1", "n3", "n4"]]);
    sim.runUntil(() => ["n0", "n1", "n3", "n4"].some((o) => sim.view(o, "n2") === "suspect"), 20_000, 20);
    sim.heal();
    // n2 may itself hold someone suspect whose only news of it went out during the cut; that
    // lasts up to Lifeguard's unconfirmed suspicion timeout (6 x 4 s) or n2's next probe of it
    expect(sim.runUntil(() => sim.converged(), 60_000)).toBeGreaterThanOrEqual(0);
    expect(sim.members.get("n2")!.core.localIncarnation).toBeGreaterThan(before);
    expect(sim.members.get("n2")!.core.stats.refutes).toBeGreaterThan(0);
  });

  it("a partition heals: both sides declare each other dead, then converge once joins cross it again (Serf's reconnect)", () => {
    const sim = cluster(8, 7);
    expect(sim.runUntil(() => sim.converged(), 10_000)).toBeGreaterThanOrEqual(0);
    const a = ["n0", "n1", "n2", "n3"];
    const b = ["n4", "n5", "n6", "n7"];
    sim.partition([a, b]);
    expect(
      sim.runUntil(() => a.every((x) => b.every((y) => sim.view(x, y) === "dead")), 60_000),
    ).toBeGreaterThanOrEqual(0);
    sim.heal();
    // memberlist alone does not probe the dead; Serf's reconnect loop joins failed members again.
    const t = sim.runUntil(
      () => {
        sim.join("n0", b);
        sim.join("n4", a);
        return sim.converged();
      },
      30_000,
      2_000,
    );
    expect(t).toBeGreaterThanOrEqual(0);
  });

  it("the same seed replays the same run (determinism)", () => {
    const run = () => {
      const sim = cluster(10, 42, { lossRate: 0.05 });
      sim.run(5_000);
      sim.kill("n4");
      sim.run(20_000);
      return JSON.stringify(sim.events) + sim.packetsSent;
    };
    expect(run()).toBe(run());
  });
});

describe("dead node reclaim", () => {
  it("after a graceful leave, the same name may come back at a new address (others accept it)", () => {
    const sim = cluster(5, 8);
    expect(sim.runUntil(() => sim.converged(), 10_000)).toBeGreaterThanOrEqual(0);
    const oldAddr = sim.address("n3");
    sim.leave("n3");
    sim.run(1_000);
    sim.kill("n3");
    expect(sim.runUntil(() => sim.view("n0", "n3") === "left", 10_000)).toBeGreaterThanOrEqual(0);
    sim.add("n3"); // a new process, new port, same name
    sim.join("n3", ["n0"]);
    const newAddr = sim.address("n3");
    expect(newAddr.port).not.toBe(oldAddr.port);
    expect(
      sim.runUntil(() => ["n0", "n1", "n2", "n4"].every((o) => sim.view(o, "n3") === "alive"), 20_000),
    ).toBeGreaterThanOrEqual(0);
    expect(sim.members.get("n1")!.core.member("n3")?.addr.port).toBe(newAddr.port);
  });

  it("while the old owner is alive, a second node claiming its name is refused (conflict)", () => {
    const sim = cluster(4, 9);
    expect(sim.runUntil(() => sim.converged(), 10_000)).toBeGreaterThanOrEqual(0);
    const port = sim.address("n2").port;
    // another node announces itself under n2's name from a different address
    sim.members.get("n0")!.core.receive(
      { host: "10.0.0.1", port: 1 },
      [
        {
          type: "alive",
          incarnation: 99,
          node: "n2",
          addr: Uint8Array.of(10, 0, 0, 9),
          port: 4242,
          meta: null,
          vsn: Uint8Array.of(1, 5, 2, 2, 5, 5),
        },
      ],
      sim.now,
    );
    expect(sim.members.get("n0")!.core.member("n2")?.addr.port).toBe(port);
    expect(sim.members.get("n0")!.core.stats.droppedMessages).toBeGreaterThan(0);
  });
});

describe("direct user messages", () => {
  it("go alone, as memberlist's SendToAddress: no queued broadcast rides on them", () => {
    const cfg = coreConfig(resolveConfig({ name: "a" }, "lan"));
    const m = new Memberlist(cfg, { host: "127.0.0.1", port: 7946 }, new SeededRandom(1), 0);
    m.drain();
    expect(m.pendingBroadcasts).toBe(1); // our own alive, queued at start
    m.sendUser({ host: "127.0.0.1", port: 7947 }, Uint8Array.of(1, 2, 3));
    const effects = m.drain();
    expect(effects).toHaveLength(1);
    const e = effects[0];
    expect(e?.kind).toBe("packet");
    if (e?.kind !== "packet") return;
    expect(e.parts).toEqual([Uint8Array.of(8, 1, 2, 3)]);
    expect(m.pendingBroadcasts).toBe(1);
  });
});

/** The virtual times at which `name` sends gossip packets (from now on). */
function recordGossip(sim: SimCluster, name: string): number[] {
  const core = sim.members.get(name)!.core;
  const at: number[] = [];
  const drain = core.drain.bind(core);
  core.drain = () => {
    const effects = drain();
    // a gossip packet starts with a broadcast (suspect 3, alive 4, dead 5, user 8), not a probe
    for (const e of effects)
      if (e.kind === "packet" && [3, 4, 5, 8].includes(e.parts[0]?.[0] ?? -1)) at.push(sim.now);
    return effects;
  };
  return at;
}

describe("idle gossip rounds", () => {
  it("a member alone does not wake for gossip rounds (its own alive waits for a peer)", () => {
    const cfg = coreConfig(resolveConfig({ name: "a" }, "lan"));
    const m = new Memberlist(cfg, { host: "127.0.0.1", port: 7946 }, new SeededRandom(1), 0);
    expect(m.pendingBroadcasts).toBe(1);
    // over 10 s: the probe rounds (1 s) and at most one push/pull, not 50 gossip rounds
    let wakes = 0;
    for (let t = m.nextWakeMs(); t < 10_000; t = m.nextWakeMs()) {
      m.tick(t);
      m.drain();
      wakes++;
    }
    expect(wakes).toBeLessThanOrEqual(12);
    expect(m.pendingBroadcasts).toBe(1);
  });

  it("an idle member sleeps through empty rounds; what it queues later goes out on the same cadence", () => {
    const sim = new SimCluster({ seed: 5 });
    for (let i = 0; i < 3; i++) sim.add(`n${i}`);
    const core = sim.members.get("n0")!.core;
    let ticks = 0;
    const gossipAt = recordGossip(sim, "n0");
    const tick = core.tick.bind(core);
    core.tick = (now: number) => {
      ticks++;
      tick(now);
    };
    for (let i = 1; i < 3; i++) sim.join(`n${i}`, ["n0"]);
    sim.run(30_000); // converged, every queue drained
    const busyRounds = gossipAt.length;
    expect(busyRounds).toBeGreaterThan(0);
    expect(core.pendingBroadcasts).toBe(0);
    ticks = 0;
    sim.run(10_000);
    // probe rounds (1/s) and their deadlines wake it, not five gossip rounds a second
    expect(ticks).toBeLessThan(30);
    expect(gossipAt.length).toBe(busyRounds);
    // a newcomer: n0 hears of it and gossips it on rounds of its original phase
    sim.add("n3");
    sim.join("n3", ["n1"]);
    sim.run(5_000);
    expect(gossipAt.length).toBeGreaterThan(busyRounds);
    const first = gossipAt[0]!;
    for (const t of gossipAt) expect((t - first) % 200).toBe(0);
  });

  it("a user event queued after an idle spell waits for the next round of the cadence, not a past one", () => {
    const sim = new SimCluster({ seed: 8 });
    for (let i = 0; i < 3; i++) sim.addSerf(`s${i}`);
    const gossipAt = recordGossip(sim, "s0");
    for (let i = 1; i < 3; i++) {
      sim.join(`s${i}`, ["s0"]);
      sim.serfJoined(`s${i}`);
    }
    sim.run(30_000);
    const busy = gossipAt.length;
    sim.run(1_037); // an instant between two rounds
    sim.members.get("s0")!.serf!.userEvent("deploy", new Uint8Array(0), false);
    sim.run(2_000);
    expect(gossipAt.length).toBeGreaterThan(busy);
    const first = gossipAt[0]!;
    for (const t of gossipAt) expect((t - first) % 200).toBe(0);
    expect(sim.serfEvents.filter((e) => e.event.type === "user")).toHaveLength(3);
  });
});
