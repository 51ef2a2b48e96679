import { describe, expect, it } from "vitest";
import type { FsmEvent } from "../../src/fsm/index.js";
import { MAX_RETAINED_NODE_EVENTS, nodeEvents } from "../../src/state/index.js";
import { alloc, emptyPlan, evaluation, FsmDriver, job, node } from "../state/fixtures.js";

const event = (m: string) => ({
  Message: m,
  Subsystem: "Heartbeat",
  Details: null,
  Timestamp: "2026-11-25T00:00:00Z",
  CreateIndex: 0,
});

describe("NodeRegister", () => {
  it("creates the node at the index with a 'Node registered' event stamped from StatusUpdatedAt", () => {
    const d = new FsmDriver();
    const idx = d.ok({ type: "NodeRegister", Node: node("n1", { StatusUpdatedAt: 1_764_000_000 }) });
    const n = d.state.nodeByID("n1")!;
    expect(n).toMatchObject({ CreateIndex: idx, ModifyIndex: idx });
    expect(nodeEvents(n)).toEqual([
      {
        Message: "Node registered",
        Subsystem: "Cluster",
        Details: null,
        Timestamp: "2025-11-24T16:00:00Z",
        CreateIndex: idx,
      },
    ]);
  });

  it("a re-registration keeps the server-owned fields (eligibility, drain, events, CreateIndex)", () => {
    const d = new FsmDriver();
    const first = d.ok({ type: "NodeRegister", Node: node("n1") });
    d.ok({ type: "NodeUpdateEligibility", NodeID: "n1", Eligibility: "ineligible", Evals: [], UpdatedAt: 5 });
    const again = d.ok({ type: "NodeRegister", Node: node("n1", { Name: "renamed" }) });
    const n = d.state.nodeByID("n1")!;
    expect(n).toMatchObject({
      Name: "renamed",
      SchedulingEligibility: "ineligible",
      CreateIndex: first,
      ModifyIndex: again,
    });
    expect(nodeEvents(n).length).toBe(1);
  });

  it("coming back from down records 'Node re-registered'", () => {
    const d = new FsmDriver();
    d.ok({ type: "NodeRegister", Node: node("n1") });
    d.ok({ type: "NodeUpdateStatus", NodeID: "n1", Status: "down", UpdatedAt: 10, Evals: [] });
    d.ok({ type: "NodeRegister", Node: node("n1", { Status: "ready" }) });
    expect(nodeEvents(d.state.nodeByID("n1")!).map((e) => e.Message)).toEqual([
      "Node registered",
      "Node re-registered",
    ]);
  });

  it("emits a node event with the previous node", () => {
    const d = new FsmDriver();
    const seen: FsmEvent[] = [];
    d.ok({ type: "NodeRegister", Node: node("n1") });
    d.fsm.events.subscribe((e) => seen.push(e));
    d.ok({ type: "NodeUpdateStatus", NodeID: "n1", Status: "down", UpdatedAt: 10, Evals: [] });
    expect(seen).toHaveLength(1);
    const e = seen[0] as Extract<FsmEvent, { type: "node" }>;
    expect(e.node.Status).toBe("down");
    expect(e.previous?.Status).toBe("ready");
  });
});

describe("NodeUpdateStatus", () => {
  it("sets Status and StatusUpdatedAt, appends the event, and upserts the evals", () => {
    const d = new FsmDriver();
    d.ok({ type: "NodeRegister", Node: node("n1") });
    const j = job("web");
    const idx = d.ok({
      type: "NodeUpdateStatus",
      NodeID: "n1",
      Status: "down",
      NodeEvent: event("Node heartbeat missed"),
      UpdatedAt: 1_800_000_000,
      Evals: [{ ...evaluation(j, "e1"), TriggeredBy: "node-update", NodeID: "n1" }],
    });
    const n = d.state.nodeByID("n1")!;
    expect(n).toMatchObject({ Status: "down", StatusUpdatedAt: 1_800_000_000, ModifyIndex: idx });
    expect(nodeEvents(n).at(-1)).toMatchObject({ Message: "Node heartbeat missed", CreateIndex: idx });
    expect(d.state.evalByID("e1")?.CreateIndex).toBe(idx);
  });

  it(`keeps only the last ${MAX_RETAINED_NODE_EVENTS} node events`, () => {
    const d = new FsmDriver();
    d.ok({ type: "NodeRegister", Node: node("n1") });
    for (let i = 0; i < 15; i++)
      d.ok({
        type: "NodeUpdateStatus",
        NodeID: "n1",
        Status: "ready",
        NodeEvent: event(`e${i}`),
        UpdatedAt: i,
        Evals: [],
      });
    const msgs = nodeEvents(d.state.nodeByID("n1")!).map((e) => e.Message);
    expect(msgs).toEqual([...Array(10).keys()].map((i) => `e${i + 5}`));
  });

  it("an unknown node is refused with an error result", () => {
    const d = new FsmDriver();
    expect(
      d.apply({ type: "NodeUpdateStatus", NodeID: "zz", Status: "down", UpdatedAt: 1, Evals: [] }).error,
    ).toBe("node not found: zz");
  });
});

describe("NodeUpdateDrain / NodeUpdateEligibility / NodeBatchDeregister", () => {
  const drain = {
    DrainSpec: { Deadline: 3_600_000_000_000, IgnoreSystemJobs: false },
    ForceDeadline: "",
    StartedAt: "",
  };

  it("a drain makes the node ineligible; ending it with MarkEligible makes it eligible", () => {
    const d = new FsmDriver();
    d.ok({ type: "NodeRegister", Node: node("n1") });
    const idx = d.ok({
      type: "NodeUpdateDrain",
      NodeID: "n1",
      DrainStrategy: drain,
      MarkEligible: false,
      Evals: [],
      UpdatedAt: 7,
      NodeEvent: event("Node drain strategy set"),
    });
    expect(d.state.nodeByID("n1")).toMatchObject({
      DrainStrategy: drain,
      SchedulingEligibility: "ineligible",
      StatusUpdatedAt: 7,
      ModifyIndex: idx,
    });
    d.ok({
      type: "NodeUpdateDrain",
      NodeID: "n1",
      DrainStrategy: null,
      MarkEligible: true,
      Evals: [],
      UpdatedAt: 8,
    });
    expect(d.state.nodeByID("n1")).toMatchObject({ DrainStrategy: null, SchedulingEligibility: "eligible" });
  });

  it("ending a drain without MarkEligible leaves the node ineligible", () => {
    const d = new FsmDriver();
    d.ok({ type: "NodeRegister", Node: node("n1") });
    d.ok({
      type: "NodeUpdateDrain",
      NodeID: "n1",
      DrainStrategy: drain,
      MarkEligible: false,
      Evals: [],
      UpdatedAt: 7,
    });
    d.ok({
      type: "NodeUpdateDrain",
      NodeID: "n1",
      DrainStrategy: null,
      MarkEligible: false,
      Evals: [],
      UpdatedAt: 8,
    });
    expect(d.state.nodeByID("n1")?.SchedulingEligibility).toBe("ineligible");
  });

  it("a draining node cannot be made eligible; otherwise eligibility is set", () => {
    const d = new FsmDriver();
    d.ok({ type: "NodeRegister", Node: node("n1") });
    d.ok({ type: "NodeUpdateEligibility", NodeID: "n1", Eligibility: "ineligible", Evals: [], UpdatedAt: 2 });
    expect(d.state.nodeByID("n1")?.SchedulingEligibility).toBe("ineligible");
    d.ok({
      type: "NodeUpdateDrain",
      NodeID: "n1",
      DrainStrategy: drain,
      MarkEligible: false,
      Evals: [],
      UpdatedAt: 3,
    });
    const r = d.apply({
      type: "NodeUpdateEligibility",
      NodeID: "n1",
      Eligibility: "eligible",
      Evals: [],
      UpdatedAt: 4,
    });
    expect(r.error).toMatch(/while it is draining/);
    expect(d.state.nodeByID("n1")?.SchedulingEligibility).toBe("ineligible");
  });

  it("batch deregister removes nodes and skips unknown IDs", () => {
    const d = new FsmDriver();
    d.ok({ type: "NodeRegister", Node: node("n1") });
    d.ok({ type: "NodeRegister", Node: node("n2") });
    d.ok({ type: "NodeBatchDeregister", NodeIDs: ["n1", "n9"] });
    expect(d.state.nodes().map((n) => n.ID)).toEqual(["n2"]);
  });
});

function placed(): FsmDriver {
  const d = new FsmDriver();
  d.ok({ type: "NodeRegister", Node: node("n1") });
  const j = job("web", {}, 2);
  d.ok({ type: "JobRegister", Job: j, Eval: evaluation(j, "e1") });
  const stored = d.state.jobByID("default", "web")!;
  d.ok({
    ...emptyPlan(stored, "e1"),
    AllocsPlaced: [
      { ...alloc({ id: "a1", job: stored, nodeID: "n1", evalID: "e1", ports: [8080] }), Job: null },
      { ...alloc({ id: "a2", job: stored, nodeID: "n1", evalID: "e1", index: 1 }), Job: null },
    ],
  });
  return d;
}

describe("ApplyPlanResults", () => {
  it("places allocs at the index with the plan's job attached and bumps the eval's ModifyIndex silently", () => {
    const d = new FsmDriver();
    d.ok({ type: "NodeRegister", Node: node("n1") });
    const j = job("web");
    d.ok({ type: "JobRegister", Job: j, Eval: evaluation(j, "e1") });
    const stored = d.state.jobByID("default", "web")!;
    const seen: FsmEvent[] = [];
    d.fsm.events.subscribe((e) => seen.push(e));
    const idx = d.ok({
      ...emptyPlan(stored, "e1"),
      AllocsPlaced: [{ ...alloc({ id: "a1", job: stored, nodeID: "n1" }), Job: null }],
    });
    const a = d.state.allocByID("a1")!;
    expect(a).toMatchObject({ CreateIndex: idx, ModifyIndex: idx, AllocModifyIndex: idx });
    expect(a.Job?.ID).toBe("web");
    expect(d.state.evalByID("e1")?.ModifyIndex).toBe(idx);
    expect(seen.map((e) => e.type)).toEqual(["job", "allocs"]);
  });

  it("a stop keeps the stored alloc's resources, task states and client status", () => {
    const d = placed();
    d.ok({
      type: "AllocClientUpdate",
      Allocs: [
        {
          ID: "a1",
          ClientStatus: "running",
          ClientDescription: "ok",
          TaskStates: { app: { State: "running" } as never },
          ModifyTime: 3,
        },
      ],
      Evals: [],
    });
    const before = d.state.allocByID("a1")!;
    const idx = d.ok({
      ...emptyPlan(null, "e2"),
      AllocsStopped: [
        {
          ...before,
          AllocatedResources: null,
          TaskStates: {},
          DesiredDescription: "alloc not needed",
          FollowupEvalID: "f1",
          ModifyTime: 9,
        },
      ],
    });
    const a = d.state.allocByID("a1")!;
    expect(a).toMatchObject({
      DesiredStatus: "stop",
      DesiredDescription: "alloc not needed",
      ClientStatus: "running",
      FollowupEvalID: "f1",
      ModifyTime: 9,
      ModifyIndex: idx,
      AllocModifyIndex: idx,
    });
    expect(a.AllocatedResources).toEqual(before.AllocatedResources);
    expect(a.TaskStates).toEqual(before.TaskStates);
    // Desired stop frees the node's resources.
    expect([...d.state.nodeUsage("n1").ports]).toEqual([]);
  });

  it("an in-place update keeps the client's status and task states", () => {
    const d = placed();
    d.ok({
      type: "AllocClientUpdate",
      Allocs: [{ ID: "a2", ClientStatus: "running", ClientDescription: "", TaskStates: {}, ModifyTime: 3 }],
      Evals: [],
    });
    const stored = d.state.jobByID("default", "web")!;
    d.ok({
      ...emptyPlan(stored, "e3"),
      AllocsUpdated: [
        {
          ...d.state.allocByID("a2")!,
          ClientStatus: "pending",
          EvalID: "e3",
          Job: null,
          AllocatedResources: null,
        },
      ],
    });
    const a = d.state.allocByID("a2")!;
    expect(a).toMatchObject({ ClientStatus: "running", EvalID: "e3" });
    expect(a.Job).not.toBeNull();
    expect(a.AllocatedResources).not.toBeNull();
    expect(d.state.allocsByEval("e3").map((x) => x.ID)).toEqual(["a2"]);
  });

  it("a preemption evicts the alloc and says by whom", () => {
    const d = placed();
    d.ok({
      ...emptyPlan(null, "e4"),
      AllocsPreempted: [{ ...d.state.allocByID("a1")!, PreemptedByAllocation: "big" }],
    });
    expect(d.state.allocByID("a1")).toMatchObject({
      DesiredStatus: "evict",
      PreemptedByAllocation: "big",
      DesiredDescription: "Preempted by alloc ID big",
    });
  });

  it("a replacement links the previous alloc's NextAllocation and follow-up evals are upserted", () => {
    const d = placed();
    const stored = d.state.jobByID("default", "web")!;
    const j = job("web");
    d.ok({
      ...emptyPlan(stored, "e5"),
      AllocsPlaced: [alloc({ id: "a3", job: stored, nodeID: "n1", evalID: "e5", previous: "a1" })],
      EvalsToUpsert: [{ ...evaluation(j, "f1"), TriggeredBy: "alloc-reschedule", WaitUntil: 5 }],
    });
    expect(d.state.allocByID("a1")?.NextAllocation).toBe("a3");
    expect(d.state.evalByID("f1")?.WaitUntil).toBe(5);
  });

  it("stopping an alloc that does not exist refuses the whole plan", () => {
    const d = placed();
    const before = d.state;
    const ghost = { ...d.state.allocByID("a1")!, ID: "ghost" };
    const r = d.apply({
      ...emptyPlan(null, "e6"),
      AllocsStopped: [ghost],
      AllocsPlaced: [{ ...ghost, ID: "new" }],
    });
    expect(r.error).toBe("alloc ghost doesn't exist");
    expect(d.state).toBe(before);
  });

  it("placing an alloc without any job is refused", () => {
    const d = placed();
    const r = d.apply({
      ...emptyPlan(null, "e7"),
      AllocsPlaced: [{ ...d.state.allocByID("a1")!, ID: "nojob", Job: null }],
    });
    expect(r.error).toMatch(/without a job/);
  });
});

describe("AllocClientUpdate", () => {
  it("changes only client fields and ModifyIndex (AllocModifyIndex stays, as in Nomad)", () => {
    const d = placed();
    const before = d.state.allocByID("a1")!;
    const j = job("web");
    const idx = d.ok({
      type: "AllocClientUpdate",
      Allocs: [
        {
          ID: "a1",
          ClientStatus: "failed",
          ClientDescription: "boom",
          TaskStates: { app: { State: "dead", Failed: true } as never },
          ModifyTime: 42,
        },
        { ID: "unknown", ClientStatus: "running", ClientDescription: "", TaskStates: {}, ModifyTime: 1 },
      ],
      Evals: [{ ...evaluation(j, "retry"), TriggeredBy: "alloc-failure" }],
    });
    const a = d.state.allocByID("a1")!;
    expect(a).toEqual({
      ...before,
      ClientStatus: "failed",
      ClientDescription: "boom",
      TaskStates: { app: { State: "dead", Failed: true } },
      ModifyTime: 42,
      ModifyIndex: idx,
    });
    expect(a.AllocModifyIndex).toBe(before.AllocModifyIndex);
    expect(d.state.allocByID("unknown")).toBeUndefined();
    expect(d.state.evalByID("retry")?.CreateIndex).toBe(idx);
  });

  it("an unknown client status refuses the command", () => {
    const d = placed();
    const r = d.apply({
      type: "AllocClientUpdate",
      Allocs: [{ ID: "a1", ClientStatus: "exploded", ClientDescription: "", TaskStates: {}, ModifyTime: 1 }],
      Evals: [],
    });
    expect(r.error).toMatch(/unknown client status "exploded"/);
  });
});

describe("AllocUpdateDesiredTransition", () => {
  it("merges the set fields, bumps AllocModifyIndex and upserts the eval (Alloc.Stop)", () => {
    const d = placed();
    const j = job("web");
    const idx = d.ok({
      type: "AllocUpdateDesiredTransition",
      Allocs: {
        a1: { Migrate: true, Reschedule: null, ForceReschedule: null, NoShutdownDelay: null },
        nope: { Migrate: true, Reschedule: null, ForceReschedule: null, NoShutdownDelay: null },
      },
      Evals: [{ ...evaluation(j, "stop1"), TriggeredBy: "alloc-stop" }],
    });
    d.ok({
      type: "AllocUpdateDesiredTransition",
      Allocs: { a1: { Migrate: null, Reschedule: null, ForceReschedule: null, NoShutdownDelay: true } },
      Evals: [],
    });
    const a = d.state.allocByID("a1")!;
    expect(a.DesiredTransition).toEqual({
      Migrate: true,
      Reschedule: null,
      ForceReschedule: null,
      NoShutdownDelay: true,
    });
    expect(a.AllocModifyIndex).toBe(idx + 1);
    expect(d.state.evalByID("stop1")?.TriggeredBy).toBe("alloc-stop");
  });
});

describe("NomadFsm robustness", () => {
  it("garbage and unknown commands yield an error result, never a throw, and change nothing", () => {
    const d = placed();
    const before = d.state;
    const r1 = d.fsm.apply({ index: 100, term: 1, type: "command", data: new Uint8Array([1, 0xc1]) });
    const r2 = d.fsm.apply({ index: 101, term: 1, type: "command", data: new Uint8Array([7, 1, 2]) });
    expect(r1.index).toBe(100);
    expect(r1.error).toBeTypeOf("string");
    expect(r2.error).toBe("unsupported command version 7");
    expect(d.state).toBe(before);
    expect(d.fsm.stats().rejected).toBe(2);
  });

  it("noop and configuration entries only return their index", () => {
    const d = new FsmDriver();
    expect(d.fsm.apply({ index: 1, term: 1, type: "noop", data: new Uint8Array() })).toEqual({ index: 1 });
    expect(d.fsm.stats().lastAppliedIndex).toBe(1);
  });

  it("a listener that throws does not break apply or the other listeners", () => {
    const d = new FsmDriver();
    const seen: string[] = [];
    d.fsm.events.subscribe(() => {
      throw new Error("bad listener");
    });
    const unsubscribe = d.fsm.events.subscribe((e) => seen.push(e.type));
    d.ok({ type: "NodeRegister", Node: node("n1") });
    expect(seen).toEqual(["node"]);
    expect(d.fsm.events.errors()).toBe(1);
    unsubscribe();
    d.ok({ type: "NodeRegister", Node: node("n2") });
    expect(seen).toEqual(["node"]);
  });
});
