import type { SnapshotSink } from "@nomad/raft";
import { seededRandom, sequentialIDs } from "@nomad/scheduler/testing";
import { process, type Planner, type SubmitResult } from "@nomad/scheduler";
import type { Evaluation, Plan, PlanResult } from "@nomad/structs";
import { describe, expect, it } from "vitest";
import { NomadFsm, type FsmEvent } from "../../src/fsm/index.js";
import { StateStore, upsertJob, type StateSnapshot } from "../../src/state/index.js";
import { alloc, emptyPlan, evaluation, FsmDriver, job, node } from "../state/fixtures.js";

async function persist(fsm: NomadFsm): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let closed = false;
  const sink: SnapshotSink = {
    write: (c) => void chunks.push(c),
    close: async () => {
      closed = true;
    },
    cancel: async () => undefined,
  };
  await fsm.snapshot().persist(sink);
  expect(closed).toBe(true);
  return Buffer.concat(chunks);
}

/** A planner that commits each plan through the FSM, as the leader's plan applier would. */
class FsmPlanner implements Planner {
  constructor(private readonly d: FsmDriver) {}
  async submitPlan(plan: Plan): Promise<SubmitResult> {
    const flat = (m: Record<string, unknown[]>) => Object.values(m).flat() as Plan["NodeAllocation"][string];
    const placed = flat(plan.NodeAllocation);
    const index = this.d.ok({
      type: "ApplyPlanResults",
      Job: plan.Job,
      EvalID: plan.EvalID,
      AllocsStopped: flat(plan.NodeUpdate),
      AllocsPlaced: placed.filter((a) => this.d.state.allocByID(a.ID) === undefined),
      AllocsUpdated: placed.filter((a) => this.d.state.allocByID(a.ID) !== undefined),
      AllocsPreempted: flat(plan.NodePreemptions),
    });
    const result: PlanResult = {
      NodeUpdate: plan.NodeUpdate,
      NodeAllocation: plan.NodeAllocation,
      NodePreemptions: plan.NodePreemptions,
      Deployment: null,
      DeploymentUpdates: [],
      RejectedNodes: [],
      IneligibleNodes: [],
      RefreshIndex: 0,
      AllocIndex: index,
    };
    return { result, state: null };
  }
  async updateEval(e: Evaluation): Promise<void> {
    this.d.ok({ type: "EvalUpdate", Evals: [e] });
  }
  async createEval(e: Evaluation): Promise<void> {
    this.d.ok({ type: "EvalUpdate", Evals: [e] });
  }
  async reblockEval(e: Evaluation): Promise<void> {
    this.d.ok({ type: "EvalUpdate", Evals: [e] });
  }
}

async function schedule(d: FsmDriver, evalID: string): Promise<void> {
  const snap: StateSnapshot = d.state;
  const ev = snap.evalByID(evalID)!;
  await process(ev, snap, new FsmPlanner(d), {
    random: seededRandom(3),
    nowNs: () => 1_764_000_000_000_000_000,
    newID: sequentialIDs("aaaaaaaa"),
    evalToken: "t",
  });
}

async function cluster(): Promise<FsmDriver> {
  const d = new FsmDriver();
  for (const id of ["n1", "n2", "n3"]) d.ok({ type: "NodeRegister", Node: node(id) });
  const j = job("web", {}, 3);
  d.ok({ type: "JobRegister", Job: j, Eval: evaluation(j, "e1") });
  await schedule(d, "e1");
  return d;
}

describe("the state snapshot serves the real scheduler", () => {
  it("a service job's eval places its allocs through ApplyPlanResults and completes", async () => {
    const d = await cluster();
    const s = d.state;
    expect(s.allocsByJob("default", "web")).toHaveLength(3);
    expect(s.evalByID("e1")?.Status).toBe("complete");
    expect(s.jobByID("default", "web")?.Status).toBe("running");
    expect(s.jobSummary("default", "web")?.Summary["web"]).toMatchObject({ Starting: 3, Queued: 0 });
    const used = ["n1", "n2", "n3"].reduce((sum, n) => sum + s.nodeUsage(n).cpuMHz, 0);
    expect(used).toBe(3 * 500);
  });
});

describe("NomadFsm snapshot / restore", () => {
  it("restoring a persisted snapshot yields an identical state (every read agrees)", async () => {
    const d = await cluster();
    d.ok({ type: "NodeUpdateStatus", NodeID: "n2", Status: "down", UpdatedAt: 9, Evals: [] });
    const bytes = await persist(d.fsm);
    const restored = new NomadFsm();
    const seen: FsmEvent[] = [];
    restored.events.subscribe((e) => seen.push(e));
    restored.restore(bytes);
    const a = d.state;
    const b = restored.state.snapshot();
    expect(seen).toEqual([{ type: "restored", index: a.latestIndex() }]);
    for (const t of ["jobs", "job_versions", "job_summary", "nodes", "evals", "allocs", "index"] as const)
      expect(b.index(t)).toBe(a.index(t));
    expect(b.jobs()).toEqual(a.jobs());
    expect(b.jobVersions("default", "web")).toEqual(a.jobVersions("default", "web"));
    expect(b.jobSummary("default", "web")).toEqual(a.jobSummary("default", "web"));
    expect(b.nodes()).toEqual(a.nodes());
    expect(b.evals()).toEqual(a.evals());
    expect(b.allocs()).toEqual(a.allocs());
    for (const n of ["n1", "n2", "n3"]) {
      expect(b.allocsByNode(n)).toEqual(a.allocsByNode(n));
      expect(b.nodeUsage(n)).toEqual(a.nodeUsage(n));
    }
    expect(Buffer.from(restored.state.serialize()).equals(Buffer.from(d.fsm.state.serialize()))).toBe(true);
  });

  it("a snapshot captures the state when taken, not when persisted", async () => {
    const d = await cluster();
    const snap = d.fsm.snapshot();
    const before = d.fsm.state.serialize();
    d.ok({ type: "NodeRegister", Node: node("late") });
    const chunks: Uint8Array[] = [];
    await snap.persist({
      write: (c) => void chunks.push(c),
      close: async () => undefined,
      cancel: async () => undefined,
    });
    expect(Buffer.concat(chunks).equals(Buffer.from(before))).toBe(true);
  });

  it("equal jobs of many allocs are written once and shared again after restore", async () => {
    const d = new FsmDriver();
    d.ok({ type: "NodeRegister", Node: node("n1") });
    const j = job("web", {}, 200);
    d.ok({ type: "JobRegister", Job: j });
    const stored = d.state.jobByID("default", "web")!;
    for (let p = 0; p < 4; p++) {
      const allocs = [...Array(50).keys()].map((k) => ({
        ...alloc({ id: `a${p * 50 + k}`, job: stored, nodeID: "n1", index: p * 50 + k }),
        Job: null,
      }));
      d.ok({ ...emptyPlan(stored, "e1"), AllocsPlaced: allocs });
    }
    const bytes = await persist(d.fsm);
    const jobBytes = new StateStore();
    jobBytes.write(1, (t) => upsertJob(t, stored));
    // 200 allocs but the job (the bulk of an alloc) is in the snapshot ~3 times (jobs, versions, allocs).
    // (an alloc without its job is ~730 bytes here, the job ~1,400: unshared it would be ~425 kB)
    expect(bytes.length).toBeLessThan(jobBytes.serialize().length * 3 + 200 * 1_000);
    const restored = new NomadFsm();
    restored.restore(bytes);
    const jobs = new Set(
      restored.state
        .snapshot()
        .allocs()
        .map((a) => a.Job),
    );
    expect(jobs.size).toBe(1);
    expect([...jobs][0]).toEqual(stored);
  });

  it("restore refuses bytes that are not a state snapshot and keeps the old state", () => {
    const store = new StateStore();
    expect(() => store.restoreFrom(new Uint8Array([9, 1, 2]))).toThrow(
      /unsupported state snapshot version 9/,
    );
    expect(() => store.restoreFrom(new Uint8Array([1, 0xc1]))).toThrow(/state snapshot/);
    expect(store.latestIndex()).toBe(0);
  });
});
