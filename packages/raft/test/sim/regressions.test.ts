// Seeds that once failed, kept as named scenarios (VOPR style). Each replays with
// `pnpm --filter @nomad/raft sim --seed S`. A seed's trajectory changes whenever the core's
// behaviour does, so these are cheap extra coverage of a once-bad region, not exact replays.
import { describe, expect, it } from "vitest";
import { runSimulation, standardRun } from "@nomad/raft/testing";

function expectSeedPasses(seed: number): void {
  const result = runSimulation(standardRun(seed));
  expect(result.ok, `${result.violation?.message}\n  replay: ${result.replay}`).toBe(true);
}

describe("simulation regressions", () => {
  it.each([
    [
      1154,
      "the leader removed itself (entry 16 uncommitted), crashes left the other two with older configurations",
    ],
    [
      3356,
      "a follower whose stale configuration made it a nonvoter refused to vote for the only electable node",
    ],
    [585, "an uncommitted removal on the most up-to-date node, the other voter believing itself a nonvoter"],
    [635, "a removed-then-re-added server whose own log said it was removed"],
    [538, "many crashes around membership changes, then no leader for the whole liveness bound"],
    [4994, "dueling candidates for 50 terms after membership changes"],
  ])(
    "seed %i: membership changes never deadlock elections: voters answer votes whatever their own configuration says (%s)",
    (seed) => expectSeedPasses(seed),
  );

  it("seed 2051: a late vote may legally elect a lower-term leader after a higher term committed", () => {
    // Found a checker bug, not a core bug: leader completeness was checked against everything
    // committed before the election in real time, instead of against earlier terms only.
    expectSeedPasses(2051);
  });
});
