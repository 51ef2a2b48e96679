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

function runSeed(seed: number, overrides: ConfigOverrides): void {
  const rnd = seededRandom(seed);
  const ids = ["a", "b", "c", "d", "e"].slice(0, 3 + Math.floor(rnd() * 3));
  const net = Network.bootstrapped(ids, overrides, seed);
  const leaders = new Map<number, string>();
  const commits = new Map<string, number>();
  let proposed = 0;
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
    const nodes = [...net.nodes.values()];
    for (const x of nodes)
      for (const y of nodes) {
        const k = Math.min(x.applied.length, y.applied.length);
        for (let i = 0; i < k; i++)
          if (x.applied[i] !== y.applied[i]) {
            if (process.env.CHAOS_DEBUG)
              for (const n of nodes)
                console.log(
                  n.id,
                  n.core.status().role,
                  n.core.status().term,
                  n.appliedIndex,
                  n.applied.length,
                  n.snapshot?.meta.index,
                  n.log
                    .filter((e) => new TextDecoder().decode(e.data) === x.applied[i])
                    .map((e) => `${e.index}@${e.term}`),
                  n.log
                    .filter((e) => e.type !== "command" && e.index > 150)
                    .map((e) => `${e.type}:${e.index}@${e.term}`),
                );
            throw new Error(
              `seed ${seed} t=${now}: applied logs diverge at ${i}: ${x.id}=${x.applied.slice(i - 2, i + 3).join()} ` +
                `${y.id}=${y.applied.slice(i - 2, i + 3).join()}`,
            );
          }
      }
  };
  // Replace FIFO settle by random delivery with faults.
  const step = (faults: boolean): void => {
    net.flush();
    const q = net.queue;
    net.queue = [];
    const kept: Message[] = [];
    for (const m of q) {
      if (faults && rnd() < 0.1) continue; // loss
      kept.push(m);
      if (faults && rnd() < 0.05) kept.push(m); // duplication
    }
    if (faults) kept.sort(() => rnd() - 0.5); // reordering
    for (const m of kept) net.deliver(m);
    net.flush();
  };
  for (let t = 0; t < 600; t++) {
    now = t;
    const faults = t < 400;
    for (const n of net.nodes.values()) n.core.tick();
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
    const leader = net.leader();
    if (leader && rnd() < 0.5) {
      const r = leader.core.propose(new TextEncoder().encode(`c${proposed}`));
      if (r.ok) proposed++;
    }
    if (leader && rnd() < 0.05) leader.takeSnapshot(2);
    check();
  }
  // Liveness: with faults healed, a leader commits a fresh entry on every node.
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
  it("keeps election safety and state machine safety under faults, then makes progress (plain)", () => {
    for (let seed = 1; seed <= 30 * SCALE; seed++) runSeed(seed, {});
  });
  it("keeps election safety and state machine safety under faults, then makes progress (pre-vote + check-quorum)", () => {
    for (let seed = Number(process.env.CHAOS_SEED ?? 100); seed <= 100 + 30 * SCALE; seed++)
      runSeed(seed, { preVote: true, checkQuorum: true, electionTicks: 10 });
  });
});
