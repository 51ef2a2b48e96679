// Scripted fault scenarios: the fault sequence is fixed, the seed still decides message delays,
// client operations and election timing, so each scenario runs over several seeds. Every run
// checks all the invariants after every event, then the clients' history for linearizability.
import { describe, expect, it } from "vitest";
import { runSimulation, standardRun, type ScriptStep } from "@nomad/raft/testing";

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];

function expectAllPass(script: readonly ScriptStep[], nodes?: number): void {
  for (const seed of SEEDS) {
    const result = runSimulation(standardRun(seed, { script, safetyMs: 3_000, ...(nodes ? { nodes } : {}) }));
    expect(result.ok, `seed ${seed}: ${result.violation?.message}`).toBe(true);
    expect(result.stats.opsCompleted).toBeGreaterThan(0);
  }
}

describe("scripted scenarios", () => {
  it("a whole-cluster power loss loses no acknowledged write", () => {
    expectAllPass(
      [
        { atMs: 1_000, action: { type: "crash", node: "n1" } },
        { atMs: 1_000, action: { type: "crash", node: "n2" } },
        { atMs: 1_000, action: { type: "crash", node: "n3" } },
        { atMs: 1_050, action: { type: "restart", node: "all" } },
      ],
      3,
    );
  });

  it("followers crash in the middle of their writes, then the leader crashes: no committed entry is lost", () => {
    // Each round arms every node to crash at its next unsynced write (before the fsync), then
    // takes the leader down, so the next election runs among nodes that just lost unsynced data.
    const steps: ScriptStep[] = [];
    for (let t = 300; t < 2_800; t += 250) {
      for (const node of ["n1", "n2", "n3"])
        steps.push({ atMs: t, action: { type: "crashMidWrite", node, downMs: 2 } });
      steps.push({ atMs: t + 5, action: { type: "crash", node: "leader" } });
      steps.push({ atMs: t + 60, action: { type: "restart", node: "all" } });
    }
    expectAllPass(steps, 3);
  });

  it("repeated leader crashes: every new leader holds every committed entry", () => {
    const steps: ScriptStep[] = [];
    for (let t = 500; t < 2_800; t += 400) {
      steps.push({ atMs: t, action: { type: "crash", node: "leader" } });
      steps.push({ atMs: t + 150, action: { type: "restart", node: "all" } });
    }
    expectAllPass(steps);
  });

  it("an isolated leader serves no stale read while the majority elects and commits", () => {
    expectAllPass([
      { atMs: 800, action: { type: "isolateLeader" } },
      { atMs: 2_000, action: { type: "heal" } },
    ]);
  });

  it("a leader paused past its lease, resumed after a new election, serves no stale read", () => {
    expectAllPass([
      { atMs: 800, action: { type: "pause", node: "leader" } },
      { atMs: 1_800, action: { type: "resume", node: "all" } },
    ]);
  });

  it("a minority partitioned away and healed catches up without breaking log matching", () => {
    expectAllPass(
      [
        {
          atMs: 500,
          action: {
            type: "partition",
            sides: [
              ["n1", "n2"],
              ["n3", "n4", "n5"],
            ],
          },
        },
        { atMs: 2_000, action: { type: "heal" } },
      ],
      5,
    );
  });

  it("one-way cuts around a node (it hears nobody, everybody hears it)", () => {
    expectAllPass([
      { atMs: 600, action: { type: "cutOneWay", from: "n2", to: "n1" } },
      { atMs: 600, action: { type: "cutOneWay", from: "n3", to: "n1" } },
      { atMs: 2_200, action: { type: "heal" } },
    ]);
  });
});
