import fc from "fast-check";
import type { GcAlloc, GcDeployment, GcEval, GcJob, GcNode } from "../src/index.js";
import { DEPLOYMENT_STATUSES } from "../src/index.js";
import { MemoryGcState } from "../src/testing.js";
import { HOUR, NOW, NS_PER_S } from "./fixtures.js";

/** A consistent random state: allocs belong to their eval's job, as Nomad writes them. */
export interface StateSpec {
  readonly nodes: GcNode[];
  readonly jobs: GcJob[];
  readonly evals: GcEval[];
  readonly allocs: GcAlloc[];
  readonly deployments: GcDeployment[];
  readonly tagged: string[];
}

const age = fc.integer({ min: 0, max: 50 }).map((h) => NOW - h * HOUR);
const jobType = fc.constantFrom("service", "batch", "system", "sysbatch" as const);
const NAMESPACES = ["default", "prod"];

export const stateSpec: fc.Arbitrary<StateSpec> = fc
  .record({
    nodeCount: fc.integer({ min: 0, max: 4 }),
    jobCount: fc.integer({ min: 0, max: 6 }),
    evalCount: fc.integer({ min: 0, max: 14 }),
    allocCount: fc.integer({ min: 0, max: 20 }),
    deploymentCount: fc.integer({ min: 0, max: 4 }),
  })
  .chain(({ nodeCount, jobCount, evalCount, allocCount, deploymentCount }) => {
    const nodeIDs = Array.from({ length: nodeCount }, (_, i) => `n${i}`);
    const nodes = fc.tuple(
      ...nodeIDs.map((ID) =>
        fc.record({
          ID: fc.constant(ID),
          Status: fc.constantFrom("initializing", "ready", "down", "disconnected" as const),
          StatusUpdatedAt: age.map((t) => t / NS_PER_S),
        }),
      ),
    );
    const jobs = fc.tuple(
      ...Array.from({ length: jobCount }, (_, i) =>
        fc.record({
          ID: fc.constant(`j${i}`),
          Namespace: fc.constantFrom(...NAMESPACES),
          Type: jobType,
          Status: fc.constantFrom("pending", "running", "dead"),
          Stop: fc.boolean(),
          SubmitTime: age,
          // Parents are earlier jobs, so the graph is acyclic.
          ParentID:
            i === 0
              ? fc.constant("")
              : fc.oneof(fc.constant(""), fc.constantFrom(...Array.from({ length: i }, (_, k) => `j${k}`))),
          JobModifyIndex: fc.integer({ min: 0, max: 20 }),
          TaskGroups: fc.constant([
            { Name: "g", ReschedulePolicy: { Attempts: 1, Interval: 10 * HOUR, Unlimited: false } },
          ]),
          Periodic: fc.oneof(fc.constant(null), fc.record({ Enabled: fc.boolean() })),
          ParameterizedJob: fc.oneof(fc.constant(null), fc.constant({})),
        }),
      ),
    );
    const jobRef = fc.record({
      JobID: fc.constantFrom(
        ...Array.from({ length: jobCount + 1 }, (_, i) => (i === jobCount ? "gone" : `j${i}`)),
      ),
      Namespace: fc.constantFrom(...NAMESPACES),
    });
    const evals = fc.tuple(
      ...Array.from({ length: evalCount }, (_, i) =>
        fc.record({
          ID: fc.constant(`e${i}`),
          ref: jobRef,
          Type: jobType,
          Status: fc.constantFrom("blocked", "pending", "complete", "failed", "canceled" as const),
          ModifyTime: age,
        }),
      ),
    );
    return fc.record({
      nodes,
      jobs,
      evals,
      allocs: fc.array(
        fc.record({
          evalIndex: fc.nat(),
          NodeID: nodeIDs.length > 0 ? fc.constantFrom(...nodeIDs) : fc.constant("none"),
          DesiredStatus: fc.constantFrom("run", "stop", "evict" as const),
          ClientStatus: fc.constantFrom(
            "pending",
            "running",
            "complete",
            "failed",
            "lost",
            "unknown" as const,
          ),
          CreateIndex: fc.integer({ min: 0, max: 20 }),
          ModifyTime: age,
          NextAllocation: fc.constantFrom("", "next"),
          deploymentIndex: fc.integer({ min: -1, max: deploymentCount - 1 }),
          rescheduledAt: fc.oneof(fc.constant(null), age),
        }),
        { maxLength: evalCount > 0 ? allocCount : 0 },
      ),
      deployments: fc.tuple(
        ...Array.from({ length: deploymentCount }, (_, i) =>
          fc.record({
            ID: fc.constant(`d${i}`),
            ref: jobRef,
            Status: fc.constantFrom(...DEPLOYMENT_STATUSES),
            ModifyTime: age,
          }),
        ),
      ),
      tagged: fc.subarray(
        Array.from({ length: jobCount }, (_, i) => `j${i}`),
        { maxLength: Math.min(1, jobCount) },
      ),
    });
  })
  .map((r) => {
    const evals: GcEval[] = r.evals.map((e) => ({
      ID: e.ID,
      Namespace: e.ref.Namespace,
      JobID: e.ref.JobID,
      Type: e.Type,
      Status: e.Status,
      ModifyTime: e.ModifyTime,
    }));
    const deployments: GcDeployment[] = r.deployments.map((d) => ({
      ID: d.ID,
      Namespace: d.ref.Namespace,
      JobID: d.ref.JobID,
      Status: d.Status,
      ModifyTime: d.ModifyTime,
    }));
    const allocs: GcAlloc[] = r.allocs.map((a, i) => {
      const ev = evals[a.evalIndex % evals.length] as GcEval;
      return {
        ID: `a${i}`,
        Namespace: ev.Namespace,
        EvalID: ev.ID,
        JobID: ev.JobID,
        NodeID: a.NodeID,
        TaskGroup: "g",
        DesiredStatus: a.DesiredStatus,
        ClientStatus: a.ClientStatus,
        CreateIndex: a.CreateIndex,
        ModifyTime: a.ModifyTime,
        NextAllocation: a.NextAllocation,
        DeploymentID: a.deploymentIndex >= 0 ? `d${a.deploymentIndex}` : "",
        RescheduleTracker:
          a.rescheduledAt === null ? null : { Events: [{ RescheduleTime: a.rescheduledAt }] },
      };
    });
    return { nodes: r.nodes, jobs: r.jobs as GcJob[], evals, allocs, deployments, tagged: r.tagged };
  });

export function buildState(spec: StateSpec): MemoryGcState {
  const s = new MemoryGcState();
  for (const n of spec.nodes) s.upsertNode(n);
  for (const j of spec.jobs) s.upsertJob(j);
  for (const e of spec.evals) s.upsertEval(e);
  for (const a of spec.allocs) s.upsertAlloc(a);
  for (const d of spec.deployments) s.upsertDeployment(d);
  for (const id of spec.tagged) {
    const j = spec.jobs.find((x) => x.ID === id);
    if (j !== undefined) s.tagJobVersion(j.Namespace, j.ID);
  }
  return s;
}
