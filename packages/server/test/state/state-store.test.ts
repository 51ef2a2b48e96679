import { computeNodeUsage } from "@nomad/scheduler";
import { describe, expect, it } from "vitest";
import {
  gcView,
  JOB_TRACKED_VERSIONS,
  StateStore,
  upsertAllocs,
  upsertEvals,
  upsertJob,
  upsertNode,
  updateAllocsFromClient,
} from "../../src/state/index.js";
import { alloc, evaluation, job, node } from "./fixtures.js";

function seeded(): StateStore {
  const s = new StateStore();
  const j = job("web");
  s.write(1, (t) => upsertNode(t, node("n1")));
  s.write(2, (t) => upsertNode(t, node("n2")));
  s.write(3, (t) => upsertJob(t, j));
  s.write(4, (t) => upsertEvals(t, [evaluation(j, "e1")]));
  s.write(5, (t) =>
    upsertAllocs(t, [
      alloc({ id: "a1", job: j, nodeID: "n1", evalID: "e1", ports: [8080] }),
      alloc({ id: "a2", job: j, nodeID: "n2", evalID: "e1" }),
    ]),
  );
  return s;
}

describe("StateStore tables and indexes", () => {
  it("stamps each written table with the write's index and leaves the others alone", () => {
    const s = seeded();
    const snap = s.snapshot();
    expect(snap.index("nodes")).toBe(2);
    expect(snap.index("jobs")).toBe(5); // the allocs made the job running at 5
    expect(snap.index("job_versions")).toBe(3);
    expect(snap.index("evals")).toBe(4);
    expect(snap.index("allocs")).toBe(5);
    expect(snap.index("index")).toBe(5);
    expect(s.latestIndex()).toBe(5);
    expect(snap.latestIndex()).toBe(5);
  });

  it("serves secondary indexes: allocs by node, job and eval; evals by job", () => {
    const snap = seeded().snapshot();
    expect(snap.allocsByNode("n1").map((a) => a.ID)).toEqual(["a1"]);
    expect(snap.allocsByJob("default", "web").map((a) => a.ID)).toEqual(["a1", "a2"]);
    expect(snap.allocsByEval("e1").map((a) => a.ID)).toEqual(["a1", "a2"]);
    expect(snap.evalsByJob("default", "web").map((e) => e.ID)).toEqual(["e1"]);
    expect(snap.allocsByNode("nope")).toEqual([]);
  });

  it("moves an alloc between secondary index entries when its keys change", () => {
    const s = seeded();
    const moved = { ...s.snapshot().allocByID("a1")!, NodeID: "n2", EvalID: "e9" };
    s.write(6, (t) => t.putAlloc(moved));
    const snap = s.snapshot();
    expect(snap.allocsByNode("n1")).toEqual([]);
    expect(snap.allocsByNode("n2").map((a) => a.ID)).toEqual(["a1", "a2"]);
    expect(snap.allocsByEval("e1").map((a) => a.ID)).toEqual(["a2"]);
    expect(snap.allocsByEval("e9").map((a) => a.ID)).toEqual(["a1"]);
  });

  it("lists by ID order and by ID prefix", () => {
    const s = seeded();
    s.write(6, (t) => upsertNode(t, node("m0")));
    const snap = s.snapshot();
    expect(snap.nodes().map((n) => n.ID)).toEqual(["m0", "n1", "n2"]);
    expect(snap.nodesByIDPrefix("n").map((n) => n.ID)).toEqual(["n1", "n2"]);
    expect(snap.allocsByIDPrefix("a2").map((a) => a.ID)).toEqual(["a2"]);
    expect(snap.evalsByIDPrefix("e").map((e) => e.ID)).toEqual(["e1"]);
    expect(snap.jobsByIDPrefix("default", "w").map((j) => j.ID)).toEqual(["web"]);
    expect(snap.jobsByIDPrefix("*", "w").map((j) => j.ID)).toEqual(["web"]);
  });

  it("keeps jobs per namespace and lists all of them with *", () => {
    const s = new StateStore();
    s.write(1, (t) => upsertJob(t, { ...job("a"), Namespace: "prod" }));
    s.write(2, (t) => upsertJob(t, job("b")));
    const snap = s.snapshot();
    expect(snap.jobs("prod").map((j) => j.ID)).toEqual(["a"]);
    expect(snap.jobs("default").map((j) => j.ID)).toEqual(["b"]);
    expect(snap.jobs("*").map((j) => `${j.Namespace}/${j.ID}`)).toEqual(["default/b", "prod/a"]);
    expect(snap.jobs().length).toBe(2);
    expect(snap.jobByID("prod", "b")).toBeUndefined();
  });

  it(`keeps the newest ${JOB_TRACKED_VERSIONS} versions of a job, newest first`, () => {
    const s = new StateStore();
    for (let i = 0; i < 9; i++)
      s.write(i + 1, (t) => upsertJob(t, { ...job("web"), Meta: { v: String(i) } }));
    const versions = s.snapshot().jobVersions("default", "web");
    expect(versions.map((v) => v.Version)).toEqual([8, 7, 6, 5, 4, 3]);
    expect(s.snapshot().jobByID("default", "web")?.Version).toBe(8);
    expect(s.snapshot().jobVersion("default", "web", 2)).toBeUndefined();
    expect(s.snapshot().jobVersion("default", "web", 5)?.Meta).toEqual({ v: "5" });
  });

  it("a transaction that throws changes nothing", () => {
    const s = seeded();
    const before = s.snapshot();
    expect(() =>
      s.write(6, (t) => {
        upsertNode(t, node("n9"));
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(s.snapshot()).toBe(before);
    expect(s.snapshot().nodeByID("n9")).toBeUndefined();
    expect(s.latestIndex()).toBe(5);
  });

  it("refuses a non-positive write index", () => {
    expect(() => new StateStore().write(0, () => undefined)).toThrow(/positive integer/);
  });

  it("refuses a write index below the latest one (Raft applies in order)", () => {
    const s = seeded();
    expect(() => s.write(4, (t) => upsertNode(t, node("n9")))).toThrow(/below the latest index 5/);
    expect(s.snapshot().nodeByID("n9")).toBeUndefined();
  });
});

describe("StateStore snapshots", () => {
  it("a snapshot taken before a write never sees it", () => {
    const s = seeded();
    const before = s.snapshot();
    const nodesBefore = before.nodes();
    s.write(6, (t) => upsertNode(t, node("n3")));
    s.write(7, (t) =>
      updateAllocsFromClient(t, [
        { ID: "a1", ClientStatus: "running", ClientDescription: "", TaskStates: {}, ModifyTime: 1 },
      ]),
    );
    expect(before.nodes()).toBe(nodesBefore);
    expect(before.nodes().map((n) => n.ID)).toEqual(["n1", "n2"]);
    expect(before.allocByID("a1")?.ClientStatus).toBe("pending");
    expect(before.latestIndex()).toBe(5);
    const after = s.snapshot();
    expect(after.nodes().map((n) => n.ID)).toEqual(["n1", "n2", "n3"]);
    expect(after.allocByID("a1")?.ClientStatus).toBe("running");
  });

  it("repeated snapshots without a write are the same object (shared memoised lists)", () => {
    const s = seeded();
    expect(s.snapshot()).toBe(s.snapshot());
    const a = s.snapshot().allocs();
    expect(s.snapshot().allocs()).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
  });

  it("speculate applies writes to a copy, leaving the store unchanged", () => {
    const s = seeded();
    const base = s.snapshot();
    const spec = StateStore.speculate(base, 99, (t) => upsertNode(t, node("n7")));
    expect(spec.nodeByID("n7")?.CreateIndex).toBe(99);
    expect(s.snapshot().nodeByID("n7")).toBeUndefined();
    expect(base.nodeByID("n7")).toBeUndefined();
  });
});

describe("StateStore node usage", () => {
  it("is maintained per write and equals computeNodeUsage of the node's allocs", () => {
    const s = seeded();
    const j = s.snapshot().jobByID("default", "web")!;
    s.write(6, (t) =>
      upsertAllocs(t, [
        alloc({ id: "a3", job: j, nodeID: "n1", cpuMHz: 100, memoryMB: 64, ports: [9090], cores: [2] }),
      ]),
    );
    let snap = s.snapshot();
    expect(snap.nodeUsage("n1")).toMatchObject({ cpuMHz: 600, memoryMB: 320, diskMB: 600 });
    expect([...snap.nodeUsage("n1").ports].sort()).toEqual([8080, 9090]);
    expect([...snap.nodeUsage("n1").cores]).toEqual([2]);
    const reference = computeNodeUsage(snap.allocsByNode("n1"));
    expect(snap.nodeUsage("n1").cpuMHz).toBe(reference.cpuMHz);
    // A terminal alloc frees its resources.
    s.write(7, (t) =>
      updateAllocsFromClient(t, [
        { ID: "a3", ClientStatus: "complete", ClientDescription: "", TaskStates: {}, ModifyTime: 2 },
      ]),
    );
    snap = s.snapshot();
    expect(snap.nodeUsage("n1")).toMatchObject({ cpuMHz: 500, memoryMB: 256, diskMB: 300 });
    expect([...snap.nodeUsage("n1").ports]).toEqual([8080]);
    expect(snap.nodeUsage("n1").cores.size).toBe(0);
    expect(snap.nodeUsage("unknown")).toMatchObject({ cpuMHz: 0, memoryMB: 0, diskMB: 0 });
  });

  it("keeps a port held while another alloc on the node still holds it", () => {
    const s = seeded();
    const j = s.snapshot().jobByID("default", "web")!;
    s.write(6, (t) => upsertAllocs(t, [alloc({ id: "a4", job: j, nodeID: "n1", ports: [8080] })]));
    s.write(7, (t) => t.deleteAlloc("a4"));
    expect([...s.snapshot().nodeUsage("n1").ports]).toEqual([8080]);
    s.write(8, (t) => t.deleteAlloc("a1"));
    expect(s.snapshot().nodeUsage("n1").ports.size).toBe(0);
  });
});

describe("gcView", () => {
  it("answers @nomad/gc's GcSnapshot reads from a state snapshot", () => {
    const s = seeded();
    const gc = gcView(s.snapshot());
    expect([...gc.nodes()].map((n) => n.ID)).toEqual(["n1", "n2"]);
    expect([...gc.jobs()].map((j) => j.ID)).toEqual(["web"]);
    expect(gc.jobByID("default", "nope")).toBeNull();
    expect(gc.jobByID("default", "web")?.ID).toBe("web");
    expect(gc.evalsByJob("default", "web").map((e) => e.ID)).toEqual(["e1"]);
    expect(gc.allocsByNode("n2").map((a) => a.ID)).toEqual(["a2"]);
    expect(gc.allocsByEval("e1").length).toBe(2);
    expect(gc.jobHasTaggedVersion("default", "web")).toBe(false);
    expect([...gc.deployments()]).toEqual([]);
    expect(gc.childJobs("default", "web")).toEqual([]);
  });
});
