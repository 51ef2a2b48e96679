// Determinism of the FSM: the same log gives the same state on every server, and a snapshot
// taken at any point, restored elsewhere and followed by the rest of the log, gives it too.
import { computeNodeUsage } from "@nomad/scheduler";
import type { SnapshotSink } from "@nomad/raft";
import { allocIsTerminal, evalIsTerminal, type Allocation, type Evaluation, type Job } from "@nomad/structs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeCommand, NomadFsm, type FsmCommand, type FsmResult } from "../../src/fsm/index.js";
import type { StateSnapshot } from "../../src/state/index.js";
import { alloc, emptyPlan, evaluation, job, node } from "../state/fixtures.js";

const NODES = ["n0", "n1", "n2"];
const JOBS: Job[][] = ["j0", "j1", "j2"].map((id) => [
  job(id, {}, 2),
  job(id, { Meta: { v: "2" } }, 3),
  { ...job(id, {}, 1), Type: "batch" },
]);
// IDs are UUIDs in a real server, so an eval or alloc never moves between jobs: the generated
// IDs are per job (`j1-e0`), picked by slot here and prefixed with the job's ID below.
const EVALS = ["e0", "e1", "e2"];
const ALLOCS = ["a0", "a1", "a2", "a3"];
const CLIENT = ["pending", "running", "complete", "failed", "lost", "unknown"] as const;
const EVAL_STATUS = ["pending", "blocked", "complete", "failed", "canceled"] as const;

const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);
const jobOf = (j: number, v: number): Job => JOBS[j]![v]!;
const evalFor = (jobIdx: number, slot: string, extra: Partial<Evaluation> = {}): Evaluation =>
  evaluation(jobOf(jobIdx, 0), `j${jobIdx}-${slot}`, extra);
const allocID = (jobIdx: number, slot: string): string => `j${jobIdx}-${slot}`;
const allocFor = (slot: string, jobIdx: number, nodeID: string, port: number): Allocation =>
  alloc({
    id: allocID(jobIdx, slot),
    job: jobOf(jobIdx, 0),
    nodeID,
    ports: port > 0 ? [port] : [],
    evalID: `j${jobIdx}-e0`,
  });

const cmdArb: fc.Arbitrary<FsmCommand> = fc.oneof(
  fc
    .record({ n: pick(NODES), s: pick(["ready", "initializing"] as const), t: fc.nat(1000) })
    .map(({ n, s, t }): FsmCommand => ({
      type: "NodeRegister",
      Node: node(n, { Status: s, StatusUpdatedAt: t }),
    })),
  fc
    .record({
      n: pick(NODES),
      s: pick(["ready", "down", "disconnected"] as const),
      ev: fc.boolean(),
      t: fc.nat(1000),
    })
    .map(({ n, s, ev, t }): FsmCommand => ({
      type: "NodeUpdateStatus",
      NodeID: n,
      Status: s,
      UpdatedAt: t,
      Evals: [],
      ...(ev
        ? {
            NodeEvent: {
              Message: `to ${s}`,
              Subsystem: "Cluster",
              Details: null,
              Timestamp: "2026-01-01T00:00:00Z",
              CreateIndex: 0,
            },
          }
        : {}),
    })),
  fc.record({ n: pick(NODES), on: fc.boolean(), mark: fc.boolean() }).map(({ n, on, mark }): FsmCommand => ({
    type: "NodeUpdateDrain",
    NodeID: n,
    DrainStrategy: on
      ? { DrainSpec: { Deadline: 1, IgnoreSystemJobs: false }, ForceDeadline: "", StartedAt: "" }
      : null,
    MarkEligible: mark,
    Evals: [],
    UpdatedAt: 3,
  })),
  fc.record({ n: pick(NODES), e: pick(["eligible", "ineligible"] as const) }).map(({ n, e }): FsmCommand => ({
    type: "NodeUpdateEligibility",
    NodeID: n,
    Eligibility: e,
    Evals: [],
    UpdatedAt: 4,
  })),
  fc
    .subarray(NODES, { maxLength: 1 })
    .map((ids): FsmCommand => ({ type: "NodeBatchDeregister", NodeIDs: ids })),
  fc.record({ j: fc.nat(2), v: fc.nat(2), e: fc.option(pick(EVALS)) }).map(({ j, v, e }): FsmCommand => ({
    type: "JobRegister",
    Job: jobOf(j, v),
    ...(e === null ? {} : { Eval: evalFor(j, e) }),
  })),
  fc.record({ j: fc.nat(2), purge: fc.boolean(), e: pick(EVALS) }).map(({ j, purge, e }): FsmCommand => ({
    type: "JobDeregister",
    Namespace: "default",
    JobID: jobOf(j, 0).ID,
    Purge: purge,
    Eval: evalFor(j, e, { TriggeredBy: "job-deregister" }),
  })),
  fc.record({ j: fc.nat(2) }).map(({ j }): FsmCommand => ({
    type: "JobBatchDeregister",
    Jobs: [{ Namespace: "default", ID: jobOf(j, 0).ID }],
    Evals: [],
  })),
  fc
    .record({ j: fc.nat(2), e: pick(EVALS), s: pick(EVAL_STATUS), q: fc.nat(3) })
    .map(({ j, e, s, q }): FsmCommand => ({
      type: "EvalUpdate",
      Evals: [evalFor(j, e, { Status: s, QueuedAllocations: { web: q } })],
    })),
  fc
    .record({
      j: fc.nat(2),
      e: fc.subarray(EVALS, { maxLength: 2 }),
      a: fc.subarray(ALLOCS, { maxLength: 2 }),
    })
    .map(({ j, e, a }): FsmCommand => ({
      type: "EvalDelete",
      Evals: e.map((x) => `j${j}-${x}`),
      Allocs: a.map((x) => allocID(j, x)),
    })),
  fc
    .record({
      j: fc.nat(2),
      e: pick(EVALS),
      place: fc.array(fc.record({ a: pick(ALLOCS), n: pick(NODES), p: fc.constantFrom(0, 8080, 9090) }), {
        maxLength: 3,
      }),
      stop: fc.subarray(ALLOCS, { maxLength: 2 }),
      lost: fc.boolean(),
      followup: fc.option(pick(EVALS)),
    })
    .map(({ j, e, place, stop, lost, followup }): FsmCommand => ({
      ...emptyPlan(jobOf(j, 0), `j${j}-${e}`),
      AllocsPlaced: place.map(({ a, n, p }) => ({
        ...allocFor(a, j, n, p),
        EvalID: `j${j}-${e}`,
        Job: null,
      })),
      AllocsStopped: stop.map((a) => ({
        ...allocFor(a, j, "n0", 0),
        ClientStatus: lost ? ("lost" as const) : ("pending" as const),
        DesiredDescription: "stop",
      })),
      ...(followup === null
        ? {}
        : { EvalsToUpsert: [evalFor(j, followup, { TriggeredBy: "alloc-failure" })] }),
    })),
  fc
    .array(fc.record({ j: fc.nat(2), a: pick(ALLOCS), s: pick(CLIENT), t: fc.nat(100) }), {
      minLength: 1,
      maxLength: 3,
    })
    .map((us): FsmCommand => ({
      type: "AllocClientUpdate",
      Allocs: us.map(({ j, a, s, t }) => ({
        ID: allocID(j, a),
        ClientStatus: s,
        ClientDescription: s,
        TaskStates: {},
        ModifyTime: t,
      })),
      Evals: [],
    })),
  fc
    .record({ j: fc.nat(2), a: pick(ALLOCS), m: fc.boolean(), e: pick(EVALS) })
    .map(({ j, a, m, e }): FsmCommand => ({
      type: "AllocUpdateDesiredTransition",
      Allocs: {
        [allocID(j, a)]: { Migrate: m, Reschedule: null, ForceReschedule: null, NoShutdownDelay: null },
      },
      Evals: [evalFor(j, e, { TriggeredBy: "alloc-stop" })],
    })),
);

function run(fsm: NomadFsm, log: readonly Uint8Array[], from: number, to: number): FsmResult[] {
  const out: FsmResult[] = [];
  for (let i = from; i < to; i++)
    out.push(fsm.apply({ index: i + 1, term: 1, type: "command", data: log[i]! }));
  return out;
}

async function persisted(fsm: NomadFsm): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const sink: SnapshotSink = {
    write: (c) => void chunks.push(c),
    close: async () => undefined,
    cancel: async () => undefined,
  };
  await fsm.snapshot().persist(sink);
  return Buffer.concat(chunks);
}

/** Derived data must always agree with the rows it is derived from. */
function checkInvariants(s: StateSnapshot): void {
  const allocs = s.allocs();
  const byNode = new Map<string, Allocation[]>();
  for (const a of allocs) byNode.set(a.NodeID, [...(byNode.get(a.NodeID) ?? []), a]);
  for (const [nodeID, list] of byNode) {
    expect(s.allocsByNode(nodeID).map((a) => a.ID)).toEqual(list.map((a) => a.ID));
    const ref = computeNodeUsage(list);
    const got = s.nodeUsage(nodeID);
    expect({ cpu: got.cpuMHz, mem: got.memoryMB, disk: got.diskMB, ports: [...got.ports].sort() }).toEqual({
      cpu: ref.cpuMHz,
      mem: ref.memoryMB,
      disk: ref.diskMB,
      ports: [...ref.ports].sort(),
    });
  }
  for (const e of s.evals()) expect(s.evalsByJob(e.Namespace, e.JobID)).toContain(e);
  for (const a of allocs) expect(s.allocsByEval(a.EvalID)).toContain(a);
  for (const j of s.jobs()) {
    // Job status follows its allocs and evals (Nomad's rules; system jobs run until stopped).
    const liveAlloc = s.allocsByJob(j.Namespace, j.ID).some((a) => !allocIsTerminal(a));
    const liveEval = s.evalsByJob(j.Namespace, j.ID).some((e) => !evalIsTerminal(e));
    if (j.Type !== "system" && liveAlloc) expect(j.Status, `${j.ID} has a live alloc`).toBe("running");
    else if (j.Type !== "system" && liveEval) expect(j.Status, `${j.ID} has a live eval`).toBe("pending");
    expect(s.jobVersions(j.Namespace, j.ID).length).toBeLessThanOrEqual(6);
    const summary = s.jobSummary(j.Namespace, j.ID);
    expect(summary).toBeDefined();
    for (const g of Object.values(summary!.Summary))
      for (const v of Object.values(g)) expect(v).toBeGreaterThanOrEqual(0);
  }
}

describe("NomadFsm determinism (property)", () => {
  it("the same command log gives byte-identical states and identical results on two fresh FSMs", () => {
    // Coverage of the generated logs, so the property is not vacuously true of refused commands.
    const seen = { applied: 0, rejected: 0, allocs: 0, runningJobs: 0, deadJobs: 0, lostOrFailed: 0 };
    fc.assert(
      fc.property(fc.array(cmdArb, { minLength: 10, maxLength: 80 }), (cmds) => {
        const log = cmds.map(encodeCommand);
        const a = new NomadFsm();
        const b = new NomadFsm();
        const ra = run(a, log, 0, log.length);
        const rb = run(b, log, 0, log.length);
        expect(rb).toEqual(ra);
        expect(Buffer.from(b.state.serialize()).equals(Buffer.from(a.state.serialize()))).toBe(true);
        const snap = a.state.snapshot();
        checkInvariants(snap);
        seen.applied += a.stats().applied;
        seen.rejected += a.stats().rejected;
        seen.allocs += snap.allocs().length;
        seen.runningJobs += snap.jobs().filter((j) => j.Status === "running").length;
        seen.deadJobs += snap.jobs().filter((j) => j.Status === "dead").length;
        seen.lostOrFailed += snap
          .allocs()
          .filter((x) => x.ClientStatus === "lost" || x.ClientStatus === "failed").length;
      }),
      { numRuns: 150 },
    );
    expect(seen.applied).toBeGreaterThan(seen.rejected);
    for (const [k, v] of Object.entries(seen)) expect(v, k).toBeGreaterThan(0);
  });

  it("snapshot at any point + restore + the rest of the log gives the same state", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(cmdArb, { minLength: 10, maxLength: 80 }),
        fc.nat(),
        async (cmds, cutSeed) => {
          const log = cmds.map(encodeCommand);
          const cut = cutSeed % (log.length + 1);
          const full = new NomadFsm();
          const fullResults = run(full, log, 0, log.length);
          const head = new NomadFsm();
          const headResults = run(head, log, 0, cut);
          const bytes = await persisted(head);
          const restored = new NomadFsm();
          restored.restore(bytes);
          // Restoring yields an identical state...
          expect(Buffer.from(restored.state.serialize()).equals(Buffer.from(head.state.serialize()))).toBe(
            true,
          );
          // ...which then evolves exactly like the original.
          const tailResults = run(restored, log, cut, log.length);
          expect([...headResults, ...tailResults]).toEqual(fullResults);
          expect(Buffer.from(restored.state.serialize()).equals(Buffer.from(full.state.serialize()))).toBe(
            true,
          );
          checkInvariants(restored.state.snapshot());
        },
      ),
      { numRuns: 100 },
    );
  });
});
