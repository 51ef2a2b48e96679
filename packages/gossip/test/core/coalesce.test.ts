// Event coalescing (Serf's coalesceLoop with its member and user-event coalescers) on an
// injected clock: unit cases for the windows and merge rules, then a simulated cluster.
import { describe, expect, it } from "vitest";
import { EventCoalescing } from "../../src/core/coalesce.js";
import type { Member, MemberEventType, SerfEvent } from "../../src/core/serf-types.js";
import { SimCluster } from "../../src/testing/sim.js";

const member = (name: string, tags: Record<string, string> = {}): Member => ({
  name,
  addr: { host: "127.0.0.1", port: 7946 },
  tags,
  status: "alive",
  vsn: [1, 5, 2, 2, 5, 5],
});
const mev = (type: MemberEventType, ...ms: Member[]): SerfEvent => ({ type, members: ms });
const user = (name: string, ltime: bigint, coalesce = true): SerfEvent => ({
  type: "user",
  name,
  payload: new Uint8Array(0),
  ltime,
  coalesce,
});
const AGENT = {
  coalescePeriodMs: 3000,
  quiescentPeriodMs: 1000,
  userCoalescePeriodMs: 3000,
  userQuiescentPeriodMs: 1000,
};

function harness(opts: ConstructorParameters<typeof EventCoalescing>[0]) {
  const out: SerfEvent[] = [];
  const c = new EventCoalescing(opts, (e) => out.push(e));
  /** Ticks at every wake-up up to `t` (as a driver would). */
  const runTo = (t: number) => {
    for (let w = c.nextWakeMs(); w <= t; w = c.nextWakeMs()) c.tick(w);
  };
  const summary = () =>
    out.map((e) =>
      e.type === "user"
        ? `user:${e.name}@${e.ltime}`
        : e.type === "query"
          ? `query:${e.name}`
          : `${e.type}:${e.members.map((m) => m.name).join(",")}`,
    );
  return { c, out, runTo, summary };
}

describe("event coalescing (injected clock)", () => {
  it("is off by default (Serf's library default): events pass straight through, no wake-up", () => {
    const h = harness({});
    h.c.push(mev("member-join", member("a")), 0);
    h.c.push(user("deploy", 1n), 0);
    expect(h.summary()).toEqual(["member-join:a", "user:deploy@1"]);
    expect(h.c.nextWakeMs()).toBe(Infinity);
  });

  it("member events flush after the quiescent period, merged into one event per type", () => {
    const h = harness(AGENT);
    h.c.push(mev("member-join", member("a")), 0);
    h.c.push(mev("member-join", member("b")), 500);
    h.c.push(mev("member-failed", member("c")), 900);
    h.runTo(1899);
    expect(h.out).toEqual([]);
    expect(h.c.nextWakeMs()).toBe(1900); // 1 s after the last event
    h.runTo(1900);
    expect(h.summary()).toEqual(["member-join:a,b", "member-failed:c"]);
  });

  it("a steady stream is flushed at the end of the 3 s window even though it never goes quiet", () => {
    const h = harness(AGENT);
    for (let t = 0; t <= 5000; t += 700) {
      h.runTo(t - 1);
      h.c.push(mev("member-join", member(`n${t}`)), t);
    }
    h.runTo(5000);
    // first window: opened at 0, flushed at 3000 by the quantum (gaps of 0.7 s never reach
    // the 1 s quiescent period); the second window (from 3500) is still open at 5000
    expect(h.summary()[0]).toBe("member-join:n0,n700,n1400,n2100,n2800");
    expect(h.out).toHaveLength(1);
  });

  it("only a member's newest event in a window counts; a repeat of the last delivered one is dropped", () => {
    const h = harness(AGENT);
    h.c.push(mev("member-join", member("a")), 0);
    h.c.push(mev("member-failed", member("a")), 100);
    h.runTo(5000);
    expect(h.summary()).toEqual(["member-failed:a"]);
    h.c.push(mev("member-failed", member("a")), 6000); // same as last delivered: dropped
    h.runTo(9000);
    expect(h.summary()).toEqual(["member-failed:a"]);
    h.c.push(mev("member-join", member("a")), 10_000); // rejoin: delivered
    h.runTo(12_000);
    expect(h.summary()).toEqual(["member-failed:a", "member-join:a"]);
  });

  it("member-update is dropped only when the member data did not change", () => {
    const h = harness(AGENT);
    h.c.push(mev("member-update", member("a", { v: "1" })), 0);
    h.runTo(2000);
    h.c.push(mev("member-update", member("a", { v: "1" })), 3000);
    h.runTo(5000);
    h.c.push(mev("member-update", member("a", { v: "2" })), 6000);
    h.runTo(8000);
    const tags = h.out.map((e) => (e.type === "member-update" ? e.members[0]?.tags["v"] : null));
    expect(tags).toEqual(["1", "2"]);
  });

  it("user events with coalesce=true keep only the highest Lamport time per name (all at that time)", () => {
    const h = harness(AGENT);
    h.c.push(user("deploy", 5n), 0);
    h.c.push(user("deploy", 7n), 100);
    h.c.push(user("deploy", 6n), 200);
    h.c.push(user("deploy", 7n), 300);
    h.c.push(user("other", 2n), 300);
    h.c.push(user("now", 9n, false), 400); // not coalescable: delivered at once
    expect(h.summary()).toEqual(["user:now@9"]);
    h.runTo(1299);
    expect(h.out).toHaveLength(1);
    h.runTo(1300);
    expect(h.summary()).toEqual(["user:now@9", "user:deploy@7", "user:deploy@7", "user:other@2"]);
  });

  it("queries are never held", () => {
    const h = harness(AGENT);
    const q: SerfEvent = {
      type: "query",
      name: "q",
      payload: new Uint8Array(0),
      ltime: 1n,
      id: 1,
      sourceNode: "x",
      respond: () => undefined,
    };
    h.c.push(q, 0);
    expect(h.out).toEqual([q]);
  });
});

describe("event coalescing in a simulated Serf cluster", () => {
  it("an observer gets the joins of 8 members in a few merged events, each member exactly once", () => {
    const sim = new SimCluster({ seed: 21, config: AGENT });
    for (let i = 0; i < 8; i++) sim.addSerf(`s${i}`);
    for (let i = 1; i < 8; i++) {
      sim.join(`s${i}`, ["s0"]);
      sim.serfJoined(`s${i}`);
    }
    sim.run(20_000);
    const joins = sim.serfEvents.filter((e) => e.observer === "s0" && e.event.type === "member-join");
    const names = joins.flatMap((e) =>
      e.event.type === "member-join" ? e.event.members.map((m) => m.name) : [],
    );
    expect(names.sort()).toEqual(["s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7"]);
    expect(joins.length).toBeLessThan(8);
  });
});
