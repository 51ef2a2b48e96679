import {
  emptyAllocMetric,
  emptyPlan,
  nodeAcceptsPlacements,
  type AllocMetric,
  type Evaluation,
  type Job,
  type Node,
  type Plan,
  type RescheduleTracker,
} from "@nomad/structs";
import { jobAsks } from "./ask.js";
import { AllocatedResourcesFactory, appendAlloc, buildAlloc, stoppedCopy } from "./alloc-builder.js";
import { newEval } from "./evals.js";
import { datacenterMatcher, FeasibilityChecker } from "./feasibility.js";
import { fitAsk } from "./fit.js";
import { ProposedState } from "./proposed.js";
import { reconcile } from "./reconcile.js";
import { rescheduleDelay } from "./reschedule.js";
import { compactMetric, PlacementStack } from "./select.js";
import type { SchedulerDeps, SchedulerState } from "./types.js";

/** One pass: reconcile, place, and return the plan plus what to report. */
export interface Pass {
  readonly plan: Plan;
  readonly followups: Evaluation[];
  readonly failed: Record<string, AllocMetric>;
  readonly queued: Record<string, number>;
  readonly feasibility: FeasibilityChecker | null;
}

export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
  return items;
}

/** Ready, eligible, non-draining nodes in the job's datacenters and pool; plus per-DC counts for metrics. */
export function readyNodes(
  state: SchedulerState,
  job: Job,
): { nodes: Node[]; byDC: Record<string, number>; inPool: number } {
  const match = datacenterMatcher(job);
  const nodes: Node[] = [];
  const byDC: Record<string, number> = {};
  let inPool = 0;
  for (const n of state.nodes()) {
    if (job.NodePool === "all" || n.NodePool === job.NodePool) inPool++;
    if (!nodeAcceptsPlacements(n) || !match(n)) continue;
    nodes.push(n);
    byDC[n.Datacenter] = (byDC[n.Datacenter] ?? 0) + 1;
  }
  return { nodes, byDC, inPool };
}

/** The service and batch schedulers' single pass over a snapshot. */
export function genericPass(
  evaluation: Evaluation,
  state: SchedulerState,
  deps: SchedulerDeps,
  evalToken: string,
): Pass {
  const nowNs = deps.nowNs();
  const job = state.jobByID(evaluation.Namespace, evaluation.JobID) ?? null;
  const allocs = state.allocsByJob(evaluation.Namespace, evaluation.JobID);
  const batch = (job?.Type ?? evaluation.Type) === "batch";
  const r = reconcile({
    job,
    allocs,
    nodeByID: (id) => state.nodeByID(id),
    nowNs,
    evalID: evaluation.ID,
    batch,
  });
  const plan = emptyPlan(evaluation.ID, evalToken, evaluation.Priority, job);
  plan.SnapshotIndex = state.latestIndex();
  plan.Annotations = { DesiredTGUpdates: r.desired };
  const proposed = new ProposedState(state, allocs);
  const failed: Record<string, AllocMetric> = {};
  const queued: Record<string, number> = {};
  const followups: Evaluation[] = [];

  for (const s of r.stop) {
    appendAlloc(plan.NodeUpdate, s.alloc.NodeID, stoppedCopy(s.alloc, s.description, s.clientStatus, nowNs));
    proposed.stop(s.alloc);
  }
  for (const a of r.inPlace) appendAlloc(plan.NodeAllocation, a.NodeID, a);

  // Delayed reschedules: one follow-up eval per distinct time, allocs point at it.
  const byTime = new Map<number, Evaluation>();
  for (const d of r.delayed) {
    let ev = byTime.get(d.atNs);
    if (ev === undefined) {
      ev = newEval(
        evaluation,
        {
          ID: deps.newID(),
          TriggeredBy: "alloc-failure",
          Status: "pending",
          WaitUntil: d.atNs,
          StatusDescription: "created for delayed rescheduling",
        },
        nowNs,
      );
      byTime.set(d.atNs, ev);
      followups.push(ev);
    }
    appendAlloc(plan.NodeAllocation, d.alloc.NodeID, {
      ...d.alloc,
      FollowupEvalID: ev.ID,
      ModifyTime: nowNs,
    });
  }

  if (job === null || job.Stop) return { plan, followups, failed, queued, feasibility: null };
  for (const g of job.TaskGroups) queued[g.Name] = 0;
  if (r.place.length === 0) return { plan, followups, failed, queued, feasibility: null };

  const ready = readyNodes(state, job);
  const feasibility = new FeasibilityChecker(job);
  const stack = new PlacementStack(
    job,
    shuffle(ready.nodes, deps.random),
    proposed,
    feasibility,
    deps.algorithm ?? "binpack",
    deps.scoreMetaDataLimit ?? 1,
  );
  const asks = jobAsks(job);
  const resources = new AllocatedResourcesFactory();

  for (const p of r.place) {
    const ask = asks.get(p.group.Name)!;
    const already = failed[p.group.Name];
    if (already !== undefined) {
      // Nomad coalesces: once a group failed to place in this eval, its other placements fail alike.
      already.CoalescedFailures++;
      queued[p.group.Name] = (queued[p.group.Name] ?? 0) + 1;
      continue;
    }
    if (p.stopPrevious !== null && p.previous !== null) proposed.stop(p.previous);
    const metric = emptyAllocMetric();
    metric.NodesInPool = ready.inPool;
    metric.NodePool = job.NodePool;
    metric.NodesAvailable = ready.byDC;
    const choice = stack.select(ask, metric, p.penaltyNodes);
    compactMetric(metric);
    const fit =
      choice === null ? null : fitAsk(choice.node, proposed.usage(choice.node.ID), ask, deps.random);
    if (choice === null || fit === null || !fit.ok) {
      if (p.stopPrevious !== null && p.previous !== null) proposed.restore(p.previous);
      failed[p.group.Name] = metric;
      queued[p.group.Name] = (queued[p.group.Name] ?? 0) + 1;
      continue;
    }
    if (p.stopPrevious !== null && p.previous !== null) {
      appendAlloc(
        plan.NodeUpdate,
        p.previous.NodeID,
        stoppedCopy(p.previous, p.stopPrevious.description, null, nowNs),
      );
    }
    let tracker: RescheduleTracker | null = null;
    if (p.reschedule && p.previous !== null) {
      const prevEvents = p.previous.RescheduleTracker?.Events ?? [];
      const policy = p.group.ReschedulePolicy;
      tracker = {
        Events: prevEvents.concat({
          RescheduleTime: nowNs,
          PrevAllocID: p.previous.ID,
          PrevNodeID: p.previous.NodeID,
          Delay: policy === null ? 0 : rescheduleDelay(p.previous, policy),
        }),
        LastReschedule: "ok",
      };
    } else if (p.previous !== null && p.previous.RescheduleTracker !== null) {
      tracker = p.previous.RescheduleTracker;
    }
    const alloc = buildAlloc({
      id: deps.newID(),
      evaluation,
      job,
      group: p.group.Name,
      name: p.name,
      node: choice.node,
      resources: resources.build(ask, fit.grant),
      metric,
      previous: p.previous,
      tracker,
      nowNs,
    });
    appendAlloc(plan.NodeAllocation, choice.node.ID, alloc);
    proposed.place(alloc, choice.node);
  }
  return { plan, followups, failed, queued, feasibility };
}
