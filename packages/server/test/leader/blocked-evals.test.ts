import { parseEvaluation, type Evaluation } from "@nomad/structs";
import { describe, expect, it } from "vitest";
import { BlockedEvals } from "../../src/leader/index.js";

let n = 0;
function blockedEval(f: Partial<Evaluation> = {}): Evaluation {
  n++;
  return parseEvaluation({
    ID: `b-${n}`,
    Type: "service",
    TriggeredBy: "job-register",
    JobID: `job-${n}`,
    Status: "blocked",
    CreateIndex: n,
    SnapshotIndex: n,
    ...f,
  });
}

function tracker() {
  const unblocked: Evaluation[] = [];
  const b = new BlockedEvals({ onUnblock: (evals) => unblocked.push(...evals) });
  b.setEnabled(true);
  return { b, unblocked };
}

describe("BlockedEvals", () => {
  it("unblocks evals eligible for the class or that never saw it, not the ineligible ones", () => {
    const { b, unblocked } = tracker();
    const eligible = blockedEval({ ClassEligibility: { "v1:a": true } });
    const unseen = blockedEval({ ClassEligibility: { "v1:b": true } });
    const ineligible = blockedEval({ ClassEligibility: { "v1:a": false } });
    for (const e of [eligible, unseen, ineligible]) b.block(e);
    b.unblock("v1:a", 100);
    expect(unblocked.map((e) => e.ID).sort()).toEqual([eligible.ID, unseen.ID].sort());
    expect(b.stats().TotalBlocked).toBe(1);
  });

  it("escaped evals unblock on any capacity change", () => {
    const { b, unblocked } = tracker();
    const e = blockedEval({ EscapedComputedClass: true, ClassEligibility: { "v1:a": false } });
    b.block(e);
    expect(b.stats().TotalEscaped).toBe(1);
    b.unblock("v1:a", 100);
    expect(unblocked.map((x) => x.ID)).toEqual([e.ID]);
  });

  it("keeps one blocked eval per job: a newer one supersedes the older, which becomes a duplicate", () => {
    const { b } = tracker();
    const older = blockedEval({ JobID: "web", CreateIndex: 5, SnapshotIndex: 5 });
    const newer = blockedEval({ JobID: "web", CreateIndex: 9, SnapshotIndex: 9 });
    b.block(newer);
    b.block(older);
    expect(b.blockedFor("default", "web")?.ID).toBe(newer.ID);
    expect(b.takeDuplicates(10).map((e) => e.ID)).toEqual([older.ID]);
    const newest = blockedEval({ JobID: "web", CreateIndex: 12, SnapshotIndex: 12 });
    b.block(newest);
    expect(b.blockedFor("default", "web")?.ID).toBe(newest.ID);
    expect(b.takeDuplicates(10).map((e) => e.ID)).toEqual([newer.ID]);
  });

  it("an eval scheduled before an unblock it could use is released at once (missed unblock)", () => {
    const { b, unblocked } = tracker();
    b.unblock("v1:a", 50);
    const stale = blockedEval({ SnapshotIndex: 40, ClassEligibility: { "v1:a": true } });
    const fresh = blockedEval({ SnapshotIndex: 60, ClassEligibility: { "v1:a": true } });
    b.block(stale);
    b.block(fresh);
    expect(unblocked.map((e) => e.ID)).toEqual([stale.ID]);
    expect(b.has(fresh.ID)).toBe(true);
  });

  it("system evals are tracked by node and released by that node's change", () => {
    const { b, unblocked } = tracker();
    const sys = blockedEval({ Type: "system", NodeID: "node-1", ClassEligibility: { "v1:x": false } });
    b.block(sys);
    b.unblockNode("node-2");
    expect(unblocked).toEqual([]);
    b.unblockNode("node-1");
    expect(unblocked.map((e) => e.ID)).toEqual([sys.ID]);
  });

  it("untrack drops the job's blocked eval and returns it", () => {
    const { b } = tracker();
    const e = blockedEval({ JobID: "api" });
    b.block(e);
    expect(b.untrack("default", "api")?.ID).toBe(e.ID);
    expect(b.stats().TotalBlocked).toBe(0);
  });

  it("unblockFailed releases only max-plan-attempts evals", () => {
    const { b, unblocked } = tracker();
    const maxPlans = blockedEval({ TriggeredBy: "max-plan-attempts" });
    b.block(maxPlans);
    b.block(blockedEval());
    b.unblockFailed();
    expect(unblocked.map((e) => e.ID)).toEqual([maxPlans.ID]);
  });

  it("does nothing while disabled, and disabling forgets everything", () => {
    const { b, unblocked } = tracker();
    b.block(blockedEval());
    b.setEnabled(false);
    b.block(blockedEval());
    b.unblock("v1:a", 10);
    expect(unblocked).toEqual([]);
    b.setEnabled(true);
    expect(b.stats().TotalBlocked).toBe(0);
  });
});
