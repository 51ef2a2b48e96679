// A small randomized check of the core's safety under message loss, reordering, duplication,
// partitions and crash-restarts (the full simulator lives in src/testing; this one keeps the
// core honest on its own). Invariants: one leader per term, applied sequences are prefixes of
// each other, commit never decreases; and progress resumes once faults heal.
import { describe, expect, it } from "vitest";
import type { Message } from "../../src/core/messages.js";
import { Network } from "./helpers/network.js";
import { seededRandom } from "./helpers/prng.js";
import type { ConfigOverrides } from "./helpers/test-node.js";

/** CHAOS_SCALE=N runs N times more seeds (locally, when hunting bugs). */
const SCALE = Number(process.env.CHAOS_SCALE ?? 1);

function runSeed(seed: number, overrides: ConfigOverrides, drift = false): void {
  try {
    runSeedUnchecked(seed, overrides, drift);
  } catch (e) {
    throw new Error(`seed ${seed}: ${(e as Error).message}`, { cause: e });
  }
}

function runSeedUnchecked(seed: number, overrides: ConfigOverrides, drift: boolean): void {
  const rnd = seededRandom(seed);
  // With drift, each node's clock runs up to 10% slow (it skips ticks): lease reads must stay safe
  // as long as leaderLeaseTicks leaves that margin below electionTicks.
  const skip = new Map<string, number>();
  const ids = ["a", "b", "c", "d", "e"].slice(0, 3 + Math.floor(rnd() * 3));
  const net = Network.bootstrapped(ids, overrides, seed);
  net.record = false;
  const leaders = new Map<number, string>();
  const commits = new Map<string, number>();
  let proposed = 0;
  const canonical: string[] = [];
  const appliedChecked = new Map<string, number>();
  let now = 0;
  const check = (): void => {
    for (const n of net.nodes.values()) {
      const st = n.core.status();
      if (st.role === "leader") {
        const prev = leaders.get(st.term);
        if (prev !== undefined && prev !== n.id)
          throw new Error(`seed ${seed}: two leaders in term ${st.term}`);
        leaders.set(st.term, n.id);
      }
      const c = commits.get(n.id) ?? 0;
      // A restarted node forgets its commit index (it is not persisted), so compare to applied.
      if (st.commitIndex < c && st.commitIndex < n.appliedIndex)
        throw new Error(`seed ${seed}: commit went back`);
      commits.set(n.id, Math.max(c, st.commitIndex));
    }
    // Every applied sequence must be a prefix of one canonical sequence (checked incrementally).
    for (const n of net.nodes.values()) {
      let from = appliedChecked.get(n.id) ?? 0;
      if (n.applied.length < from) from = 0; // restarted from a snapshot: check again
      for (let i = from; i < n.applied.length; i++) {
        if (i >= canonical.length) canonical.push(n.applied[i]!);
        else if (canonical[i] !== n.applied[i]) {
          throw new Error(
            `seed ${seed} t=${now}: ${n.id} applied ${n.applied[i]} at ${i}, others ${canonical[i]}`,
          );
        }
      }
      appliedChecked.set(n.id, n.applied.length);
    }
  };
  let reads = 0;
  const readFloor = new Map<number, number>();
  const readSeen = new Map<string, number>();
  const checkReads = (): void => {
    for (const n of net.nodes.values()) {
      const from = readSeen.get(n.id) ?? 0;
      for (const rs of n.readStates.slice(from)) {
        const floor = readFloor.get(rs.requestId) ?? 0;
        if (rs.index < floor) throw new Error(`seed ${seed}: read ${rs.requestId} at ${rs.index} < ${floor}`);
      }
      readSeen.set(n.id, n.readStates.length);
    }
  };
  const delayed: { due: number; m: Message }[] = [];
  // Replace FIFO settle by random delivery with faults.
  const step = (faults: boolean): void => {
    net.flush();
    const q = net.queue;
    net.queue = [];
    const kept: Message[] = [];
    for (const m of q) {
      if (faults && rnd() < 0.1) continue; // loss
      if (faults && rnd() < 0.05) {
        delayed.push({ due: now + 1 + Math.floor(rnd() * 6), m }); // delay by up to 6 ticks
        continue;
      }
      kept.push(m);
      if (faults && rnd() < 0.05) kept.push(m); // duplication
    }
    for (let i = delayed.length - 1; i >= 0; i--) {
      if (delayed[i]!.due <= now) kept.push(delayed.splice(i, 1)[0]!.m);
    }
    if (faults) kept.sort(() => rnd() - 0.5); // reordering
    for (const m of kept) net.deliver(m);
    net.flush();
  };
  for (let t = 0; t < 600; t++) {
    now = t;
    const faults = t < 400;
    for (const n of net.nodes.values()) {
      if (!skip.has(n.id)) skip.set(n.id, drift ? rnd() * 0.1 : 0);
      if (rnd() >= skip.get(n.id)!) n.core.tick();
    }
    for (let i = 0; i < 3; i++) step(faults);
    if (faults && rnd() < 0.02) {
      net.heal();
      const a = ids[Math.floor(rnd() * ids.length)]!;
      net.isolate(a);
    }
    if (faults && rnd() < 0.01) {
      const victim = ids[Math.floor(rnd() * ids.length)]!;
      net.crash(victim);
      net.restart(victim);
    }
    if (!faults && t === 400) net.heal();
    checkReads();
    const leader = net.leader();
    if (rnd() < 0.2) {
      // A read must see every write committed anywhere before it was issued, whichever node
      // believes it leads (a deposed leader in a minority included).
      const leaders = [...net.nodes.values()].filter((n) => n.core.status().role === "leader");
      const reader = leaders[Math.floor(rnd() * leaders.length)];
      if (reader) {
        const requestId = ++reads;
        readFloor.set(
          requestId,
          Math.max(...[...net.nodes.values()].map((n) => n.core.status().commitIndex)),
        );
        reader.core.readIndex(requestId);
      }
    }
    if (leader && rnd() < 0.02) {
      const config = leader.core.status().configuration.servers.map((x) => x.id);
      const missing = ids.find((id) => !config.includes(id));
      if (missing !== undefined)
        leader.core.proposeMembership({ type: "addVoter", id: missing, address: missing });
      else if (faults && config.length > 3) {
        const victim = config[Math.floor(rnd() * config.length)]!;
        leader.core.proposeMembership({ type: "removeServer", id: victim });
      }
    }
    if (leader && faults && rnd() < 0.01)
      leader.core.transferLeadership(ids[Math.floor(rnd() * ids.length)]!);
    if (leader && rnd() < 0.5) {
      const r = leader.core.propose(new TextEncoder().encode(`c${proposed}`));
      if (r.ok) proposed++;
    }
    if (leader && rnd() < 0.05) leader.takeSnapshot(2);
    check();
  }
  // Liveness: with faults healed, a leader restores the full membership and commits a fresh
  // entry on every node.
  for (let i = 0; i < 200; i++) {
    const l = net.elect();
    const config = l.core.status().configuration.servers.map((x) => x.id);
    const missing = ids.find((id) => !config.includes(id));
    if (missing === undefined && l.core.status().commitIndex >= l.core.status().lastLogIndex) break;
    if (missing !== undefined) l.core.proposeMembership({ type: "addVoter", id: missing, address: missing });
    net.tick();
  }
  const leader = net.elect();
  const r = leader.core.propose(new TextEncoder().encode("final"));
  expect(r.ok).toBe(true);
  for (let i = 0; i < 50; i++) {
    for (const n of net.nodes.values()) n.core.tick();
    net.settle();
  }
  check();
  if (process.env.CHAOS_DEBUG)
    for (const n of net.nodes.values())
      console.log(
        n.id,
        JSON.stringify({
          ...n.core.status(),
          progress: [...(n.core.status().progress ?? new Map()).entries()],
        }),
        n.appliedIndex,
        n.log.length,
        n.snapshot?.meta.index,
      );
  for (const n of net.nodes.values())
    expect(n.applied[n.applied.length - 1], `seed ${seed} node ${n.id}`).toBe("final");
}

describe("randomized safety (in-core mini simulation)", () => {
  it("keeps lease reads linearizable when clocks run at different rates (within the lease margin)", () => {
    for (let seed = Number(process.env.CHAOS_SEED ?? 200); seed <= 200 + 20 * SCALE; seed++) {
      runSeed(
        seed,
        { preVote: true, checkQuorum: true, leaseReads: true, electionTicks: 10, leaderLeaseTicks: 8 },
        true,
      );
    }
  });
  it("keeps election safety and state machine safety under faults, then makes progress (plain)", () => {
    for (let seed = 1; seed <= 30 * SCALE; seed++) runSeed(seed, {});
  });
  it("keeps election safety, state machine safety and read linearity under faults, then makes progress (pre-vote + check-quorum + lease reads)", () => {
    for (let seed = Number(process.env.CHAOS_SEED ?? 100); seed <= 100 + 30 * SCALE; seed++)
      runSeed(seed, { preVote: true, checkQuorum: true, leaseReads: true, electionTicks: 10 });
  });
});
