// CI's share of the simulation: 1,000 consecutive seeds of the standard run (a third of them with
// 5 nodes), exactly what `pnpm --filter @nomad/raft sim --seed S` replays. More seeds: run the
// command with --seeds N.
import { describe, expect, it } from "vitest";
import { runSimulation, standardRun } from "@nomad/raft/testing";

const FIRST_SEED = 1;
const SEEDS = 1_000;
const BATCH = 100;

function runBatch(from: number, count: number): string[] {
  const failures: string[] = [];
  for (let seed = from; seed < from + count; seed++) {
    const result = runSimulation(standardRun(seed));
    if (!result.ok) failures.push(`${result.violation?.message}\n  replay: ${result.replay}`);
  }
  return failures;
}

describe("simulation: safety under faults, then liveness once healed", () => {
  for (let from = FIRST_SEED; from < FIRST_SEED + SEEDS; from += BATCH) {
    it(`seeds ${from}..${from + BATCH - 1} keep every invariant`, { timeout: 120_000 }, () => {
      const failures = runBatch(from, BATCH);
      expect(failures, failures.join("\n")).toEqual([]);
    });
  }

  it("mixes 3- and 5-node clusters", () => {
    const sizes = new Set<number>();
    for (let seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed++) sizes.add(standardRun(seed).nodes);
    expect([...sizes].sort()).toEqual([3, 5]);
  });

  it("a seed replays exactly (same seed, same run)", () => {
    const a = runSimulation(standardRun(42));
    const b = runSimulation(standardRun(42));
    expect(b.stats).toEqual(a.stats);
    expect(a.stats.events).toBeGreaterThan(1_000);
  });

  it("runs do happen under faults: elections, crashes, client operations", () => {
    let elections = 0;
    let crashes = 0;
    let ops = 0;
    for (let seed = 900; seed < 920; seed++) {
      const s = runSimulation(standardRun(seed)).stats;
      elections += s.leaderElections;
      crashes += s.crashes;
      ops += s.opsCompleted;
    }
    expect(elections).toBeGreaterThan(40);
    expect(crashes).toBeGreaterThan(20);
    expect(ops).toBeGreaterThan(2_000);
  });
});
