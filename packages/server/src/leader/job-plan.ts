import {
  process as schedule,
  reconcile,
  type Planner,
  type SchedulerState,
  type SubmitResult,
} from "@nomad/scheduler";
import {
  parseEvaluation,
  type AllocMetric,
  type DesiredUpdates,
  type Evaluation,
  type Job,
  type Plan,
  type PlanResult,
} from "@nomad/structs";
import type { StateSnapshot } from "../state/types.js";

/** What Job.Plan answers (the endpoint adds JobModifyIndex, Diff, Warnings, index). */
export interface JobPlanResult {
  Annotations: { DesiredTGUpdates: Record<string, DesiredUpdates> } | null;
  FailedTGAllocs: Record<string, AllocMetric> | null;
  CreatedEvals: Evaluation[] | null;
  /** The plan the scheduler would have submitted (null when it changes nothing). */
  Plan: Plan | null;
  /** The job as the scheduler saw it (version and indexes as a register would set them). */
  Job: Job;
  /** State index the dry run read. */
  Index: number;
}

// Fields a register sets itself; a spec differing only there is unchanged (Nomad's SpecChanged).
const NON_SPEC = new Set([
  "Status",
  "StatusDescription",
  "Stable",
  "Version",
  "SubmitTime",
  "CreateIndex",
  "ModifyIndex",
  "JobModifyIndex",
]);

function canonical(v: unknown, top = false): unknown {
  if (Array.isArray(v)) return v.map((x) => canonical(x));
  if (v === null || typeof v !== "object") return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) {
    if (top && NON_SPEC.has(k)) continue;
    out[k] = canonical((v as Record<string, unknown>)[k]);
  }
  return out;
}

/** True when `next` differs from `old` in anything but the fields a register sets. */
export function jobSpecChanged(old: Job, next: Job): boolean {
  return JSON.stringify(canonical(old, true)) !== JSON.stringify(canonical(next, true));
}

export interface PlanJobDeps {
  random(): number;
  nowNs(): number;
  newID(): string;
}

const toDesired = (d: Record<string, number>): DesiredUpdates => ({
  Ignore: 0,
  Place: 0,
  Migrate: 0,
  Stop: 0,
  InPlaceUpdate: 0,
  DestructiveUpdate: 0,
  Canary: 0,
  Preemptions: 0,
  ...d,
});

/**
 * Job.Plan: runs the scheduler against `snap` with `job` registered in it, with a planner that
 * records instead of committing. Nothing is written anywhere.
 */
export async function planJob(snap: StateSnapshot, job: Job, deps: PlanJobDeps): Promise<JobPlanResult> {
  const old = snap.jobByID(job.Namespace, job.ID);
  let planned: Job;
  if (old === undefined) {
    const idx = snap.latestIndex() + 1;
    planned = { ...job, Version: 0, CreateIndex: idx, ModifyIndex: idx, JobModifyIndex: idx };
  } else if (jobSpecChanged(old, job)) {
    const idx = Math.max(old.JobModifyIndex, snap.latestIndex()) + 1;
    planned = {
      ...job,
      Version: old.Version + 1,
      CreateIndex: old.CreateIndex,
      ModifyIndex: idx,
      JobModifyIndex: idx,
    };
  } else {
    planned = old;
  }

  const overlay: SchedulerState = {
    nodes: () => snap.nodes(),
    nodeByID: (id) => snap.nodeByID(id),
    jobByID: (ns, id) => (ns === planned.Namespace && id === planned.ID ? planned : snap.jobByID(ns, id)),
    allocsByJob: (ns, id) => snap.allocsByJob(ns, id),
    allocsByNode: (id) => snap.allocsByNode(id),
    nodeUsage: (id) => snap.nodeUsage(id),
    latestIndex: () => snap.latestIndex(),
  };
  const evaluation = parseEvaluation({
    ID: deps.newID(),
    Namespace: planned.Namespace,
    Priority: planned.Priority,
    Type: planned.Type,
    TriggeredBy: "job-register",
    JobID: planned.ID,
    JobModifyIndex: planned.JobModifyIndex,
    Status: "pending",
    AnnotatePlan: true,
    CreateTime: deps.nowNs(),
    ModifyTime: deps.nowNs(),
  });

  const recorder = new RecordingPlanner(snap.latestIndex());
  await schedule(evaluation, overlay, recorder, {
    random: deps.random,
    nowNs: deps.nowNs,
    newID: deps.newID,
  });

  const first = recorder.plans[0] ?? null;
  let annotations = (first?.Annotations as JobPlanResult["Annotations"] | undefined) ?? null;
  if (annotations === null && (planned.Type === "service" || planned.Type === "batch")) {
    // No plan was needed; the reconciler still says what it would leave alone.
    const r = reconcile({
      job: planned,
      allocs: snap.allocsByJob(planned.Namespace, planned.ID),
      nodeByID: (id) => snap.nodeByID(id),
      nowNs: deps.nowNs(),
      evalID: evaluation.ID,
      batch: planned.Type === "batch",
    });
    annotations = { DesiredTGUpdates: {} };
    for (const [g, d] of Object.entries(r.desired))
      annotations.DesiredTGUpdates[g] = { ...d } as unknown as DesiredUpdates;
  }
  if (annotations !== null) {
    const tg: Record<string, DesiredUpdates> = {};
    for (const [g, d] of Object.entries(annotations.DesiredTGUpdates ?? {}))
      tg[g] = toDesired(d as unknown as Record<string, number>);
    annotations = { DesiredTGUpdates: tg };
  }
  const failed = recorder.updated?.FailedTGAllocs ?? {};
  return {
    Annotations: annotations,
    FailedTGAllocs: Object.keys(failed).length > 0 ? failed : null,
    CreatedEvals: recorder.created.length > 0 ? recorder.created : null,
    Plan: first,
    Job: planned,
    Index: snap.latestIndex(),
  };
}

class RecordingPlanner implements Planner {
  readonly plans: Plan[] = [];
  readonly created: Evaluation[] = [];
  updated: Evaluation | null = null;

  constructor(private readonly index: number) {}

  submitPlan(plan: Plan): Promise<SubmitResult> {
    this.plans.push(plan);
    const result: PlanResult = {
      NodeUpdate: plan.NodeUpdate,
      NodeAllocation: plan.NodeAllocation,
      NodePreemptions: plan.NodePreemptions,
      Deployment: null,
      DeploymentUpdates: [],
      RejectedNodes: [],
      IneligibleNodes: [],
      RefreshIndex: 0,
      AllocIndex: this.index,
    };
    return Promise.resolve({ result, state: null });
  }

  updateEval(evaluation: Evaluation): Promise<void> {
    this.updated = evaluation;
    return Promise.resolve();
  }

  createEval(evaluation: Evaluation): Promise<void> {
    this.created.push(evaluation);
    return Promise.resolve();
  }

  reblockEval(evaluation: Evaluation): Promise<void> {
    this.updated = evaluation;
    return Promise.resolve();
  }
}
