import { isRpcError, type RpcError } from "@nomad/rpc";
import type {
  AllocListResponse,
  AllocStopResponse,
  AllocsGetResponse,
  EvalAllocationsResponse,
  EvalListResponse,
  JobAllocationsResponse,
  SingleAllocResponse,
  SingleEvalResponse,
} from "@nomad/structs";
import { mockEval } from "@nomad/scheduler/testing";
import { describe, expect, it } from "vitest";
import { alloc } from "../state/fixtures.js";
import { harness, job, node, type Harness } from "./harness.js";

async function failure(p: Promise<unknown>): Promise<RpcError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!isRpcError(e)) throw new Error(`expected an RpcError, got ${String(e)}`);
  return e;
}

/** Job "web" (reschedules on failure) with allocs a1, a2 on n1, placed by eval e0. */
function setup(h: Harness): void {
  h.seed({ type: "JobRegister", Job: job("web", {}, 2) });
  // Allocations carry the stored job (with its CreateIndex), as the plan applier writes them.
  const web = h.fsm.state.snapshot().jobByID("default", "web")!;
  h.seed({
    type: "EvalUpdate",
    Evals: [
      {
        ...(h.fsm.state.snapshot().evals()[0] ?? {}),
        ...mockEval(web, "job-register", { ID: "e0", Status: "complete", JobModifyIndex: 1 }),
      },
    ],
  });
  h.seed({ type: "NodeRegister", Node: node("n1") });
  h.seed({
    type: "ApplyPlanResults",
    Job: web,
    EvalID: "e0",
    AllocsStopped: [],
    AllocsPlaced: [
      alloc({ id: "a1", job: web, nodeID: "n1", evalID: "e0", clientStatus: "running", index: 0 }),
      alloc({ id: "a2", job: web, nodeID: "n1", evalID: "e0", clientStatus: "running", index: 1 }),
    ],
    AllocsUpdated: [],
    AllocsPreempted: [],
  });
}

const update = (id: string, status: string) => ({
  ID: id,
  ClientStatus: status,
  ClientDescription: `${status} on the client`,
  TaskStates: {},
  ModifyTime: 123,
});

describe("Node.UpdateAlloc", () => {
  it("concurrent client updates are batched into one Raft entry", async () => {
    const h = harness();
    setup(h);
    const before = h.applied.length;
    const [r1, r2] = await Promise.all([
      h.rpc.call<{ Index: number }>("Node.UpdateAlloc", {
        Alloc: [update("a1", "running")],
        SecretID: "secret-n1",
      }),
      h.rpc.call<{ Index: number }>("Node.UpdateAlloc", {
        Alloc: [update("a2", "complete")],
        SecretID: "secret-n1",
      }),
    ]);
    expect(h.applied.length - before).toBe(1);
    expect(r1.Index).toBe(r2.Index);
    expect(h.fsm.state.snapshot().allocByID("a2")?.ClientStatus).toBe("complete");
    expect(h.fsm.state.snapshot().allocByID("a2")?.ClientDescription).toBe("complete on the client");
  });

  it("a failed alloc whose group may reschedule gets one alloc-failure eval per job", async () => {
    const h = harness();
    setup(h);
    await h.rpc.call("Node.UpdateAlloc", { Alloc: [update("a1", "failed"), update("a2", "failed")] });
    const cmd = h.applied.at(-1);
    expect(cmd?.type).toBe("AllocClientUpdate");
    const evals = cmd?.type === "AllocClientUpdate" ? cmd.Evals : [];
    expect(evals).toHaveLength(1);
    expect(evals[0]).toMatchObject({ TriggeredBy: "alloc-failure", JobID: "web", Status: "pending" });
    expect(h.fsm.state.snapshot().evalByID(evals[0]!.ID)).toBeDefined();
  });

  it("refuses an unknown client status naming the field, and another node's secret", async () => {
    const h = harness();
    setup(h);
    const bad = await failure(h.rpc.call("Node.UpdateAlloc", { Alloc: [update("a1", "exploded")] }));
    expect(bad.code).toBe("INVALID");
    expect(bad.details?.["field"]).toBe("Alloc[0].ClientStatus");
    const wrong = await failure(
      h.rpc.call("Node.UpdateAlloc", { Alloc: [update("a1", "running")], SecretID: "x" }),
    );
    expect(wrong.code).toBe("PERMISSION");
  });
});

describe("Alloc.Stop", () => {
  it("marks the alloc to migrate and creates an alloc-stop eval in one write", async () => {
    const h = harness();
    setup(h);
    const reply = await h.rpc.call<AllocStopResponse>("Alloc.Stop", { AllocID: "a1" });
    const snap = h.fsm.state.snapshot();
    expect(snap.allocByID("a1")?.DesiredTransition.Migrate).toBe(true);
    expect(snap.evalByID(reply.EvalID)).toMatchObject({ TriggeredBy: "alloc-stop", JobID: "web" });
    expect((await failure(h.rpc.call("Alloc.Stop", { AllocID: "nope" }))).code).toBe("NOT_FOUND");
  });
});

describe("alloc and eval reads", () => {
  it("Alloc.List, Alloc.GetAlloc, Alloc.GetAllocs, Job.Allocations, Eval.Allocations", async () => {
    const h = harness();
    setup(h);
    const list = await h.rpc.call<AllocListResponse>("Alloc.List", { Prefix: "a" });
    expect(list.Allocations.map((a) => a.ID)).toEqual(["a1", "a2"]);
    expect(list.Allocations[0]).toMatchObject({
      JobID: "web",
      JobType: "service",
      NodeID: "n1",
      ClientStatus: "running",
    });
    const other = await h.rpc.call<AllocListResponse>("Alloc.List", { Namespace: "prod" });
    expect(other.Allocations).toEqual([]);
    const one = await h.rpc.call<SingleAllocResponse>("Alloc.GetAlloc", { AllocID: "a1" });
    expect(one.Alloc?.ID).toBe("a1");
    expect(one.Index).toBe(one.Alloc?.ModifyIndex);
    const some = await h.rpc.call<AllocsGetResponse>("Alloc.GetAllocs", { AllocIDs: ["a2", "gone"] });
    expect(some.Allocs.map((a) => a.ID)).toEqual(["a2"]);
    const byJob = await h.rpc.call<JobAllocationsResponse>("Job.Allocations", { JobID: "web" });
    expect(byJob.Allocations).toHaveLength(2);
    // After a purge and a new registration, only All shows the old incarnation's allocations.
    h.seed({ type: "JobDeregister", Namespace: "default", JobID: "web", Purge: true });
    h.seed({ type: "JobRegister", Job: job("web", {}, 2) });
    const current = await h.rpc.call<JobAllocationsResponse>("Job.Allocations", { JobID: "web" });
    expect(current.Allocations).toHaveLength(0);
    const all = await h.rpc.call<JobAllocationsResponse>("Job.Allocations", { JobID: "web", All: true });
    expect(all.Allocations).toHaveLength(2);
    const byEval = await h.rpc.call<EvalAllocationsResponse>("Eval.Allocations", { EvalID: "e0" });
    expect(byEval.Allocations.map((a) => a.ID)).toEqual(["a1", "a2"]);
  });

  it("Eval.GetEval and Eval.List with job and status filters", async () => {
    const h = harness();
    setup(h);
    const got = await h.rpc.call<SingleEvalResponse>("Eval.GetEval", { EvalID: "e0" });
    expect(got.Eval?.Status).toBe("complete");
    const pending = await h.rpc.call<EvalListResponse>("Eval.List", { FilterEvalStatus: "pending" });
    expect(pending.Evaluations.every((e) => e.Status === "pending")).toBe(true);
    const complete = await h.rpc.call<EvalListResponse>("Eval.List", {
      FilterJobID: "web",
      FilterEvalStatus: "complete",
    });
    expect(complete.Evaluations.map((e) => e.ID)).toEqual(["e0"]);
    expect((await h.rpc.call<SingleEvalResponse>("Eval.GetEval", { EvalID: "nope" })).Eval).toBeNull();
  });
});
