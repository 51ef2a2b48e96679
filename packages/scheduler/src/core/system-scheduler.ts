import {
  allocName,
  emptyAllocMetric,
  emptyPlan,
  type AllocMetric,
  type Allocation,
  type Evaluation,
  type Node,
  type Plan,
} from "@nomad/structs";
import { AllocatedResourcesFactory, appendAlloc, buildAlloc, stoppedCopy } from "./alloc-builder.js";
import { jobAsks } from "./ask.js";
import {
  ALLOC_IN_PLACE,
  ALLOC_LOST,
  ALLOC_NODE_TAINTED,
  ALLOC_NOT_NEEDED,
  ALLOC_UPDATING,
} from "./descriptions.js";
import { datacenterMatcher, FeasibilityChecker } from "./feasibility.js";
import { fitAsk } from "./fit.js";
import { readyNodes, type Pass } from "./generic-scheduler.js";
import { jobChanged, needsDestructiveUpdate } from "./job-diff.js";
import { ProposedState } from "./proposed.js";
import { compactMetric, PlacementStack } from "./select.js";
import type { SchedulerDeps, SchedulerState } from "./types.js";

const isLive = (a: Allocation): boolean =>
  a.DesiredStatus === "run" &&
  a.ClientStatus !== "complete" &&
  a.ClientStatus !== "failed" &&
  a.ClientStatus !== "lost";

/**
 * system and sysbatch: one allocation per task group on every ready, eligible node that
 * passes the job's constraints. Allocations on down nodes are marked lost and not moved;
 * a finished sysbatch allocation keeps its node "done".
 */
export function systemPass(
  evaluation: Evaluation,
  state: SchedulerState,
  deps: SchedulerDeps,
  evalToken: string,
): Pass {
  const nowNs = deps.nowNs();
  const job = state.jobByID(evaluation.Namespace, evaluation.JobID) ?? null;
  const allocs = state.allocsByJob(evaluation.Namespace, evaluation.JobID);
  const plan: Plan = emptyPlan(evaluation.ID, evalToken, evaluation.Priority, job);
  plan.SnapshotIndex = state.latestIndex();
  const proposed = new ProposedState(state, allocs);
  const failed: Record<string, AllocMetric> = {};
  const queued: Record<string, number> = {};
  const stop = (a: Allocation, description: string, lost: boolean): void => {
    appendAlloc(plan.NodeUpdate, a.NodeID, stoppedCopy(a, description, lost ? "lost" : null, nowNs));
    proposed.stop(a);
  };

  if (job === null || job.Stop) {
    for (const a of allocs) if (isLive(a)) stop(a, ALLOC_NOT_NEEDED, false);
    return { plan, followups: [], failed, queued, feasibility: null };
  }

  const sysbatch = job.Type === "sysbatch";
  const feasibility = new FeasibilityChecker(job);
  const matches = datacenterMatcher(job);
  const ready = readyNodes(state, job);
  const stack = new PlacementStack(
    job,
    ready.nodes,
    proposed,
    feasibility,
    deps.algorithm ?? "binpack",
    deps.scoreMetaDataLimit ?? 1,
  );
  const asks = jobAsks(job);
  const resources = new AllocatedResourcesFactory();
  const groups = new Map(job.TaskGroups.map((g) => [g.Name, g]));

  // Existing allocations: lost, tainted, surplus, outdated.
  const covered = new Map<string, Set<string>>(); // group -> nodes already served
  for (const g of job.TaskGroups) covered.set(g.Name, new Set());
  const toReplace: { alloc: Allocation; node: Node }[] = [];
  for (const a of allocs) {
    const group = groups.get(a.TaskGroup);
    const served = covered.get(a.TaskGroup);
    if (
      sysbatch &&
      a.DesiredStatus === "run" &&
      a.ClientStatus === "complete" &&
      served !== undefined &&
      group !== undefined &&
      group.Count > 0
    ) {
      served.add(a.NodeID); // ran to completion on this node: done
      continue;
    }
    if (!isLive(a)) continue;
    if (group === undefined || served === undefined || group.Count === 0) {
      stop(a, ALLOC_NOT_NEEDED, false);
      continue;
    }
    const node = state.nodeByID(a.NodeID);
    if (node === undefined || node.Status === "down" || node.Status === "disconnected") {
      stop(a, ALLOC_LOST, true);
      continue;
    }
    if (node.DrainStrategy !== null && !node.DrainStrategy.DrainSpec.IgnoreSystemJobs) {
      stop(a, ALLOC_NODE_TAINTED, false);
      continue;
    }
    if (!matches(node) || feasibility.check(node, group) !== null) {
      stop(a, ALLOC_NOT_NEEDED, false);
      continue;
    }
    if (served.has(a.NodeID)) {
      stop(a, ALLOC_NOT_NEEDED, false); // one per node
      continue;
    }
    served.add(a.NodeID);
    if (jobChanged(a.Job, job)) {
      if (needsDestructiveUpdate(a.Job, job, group.Name)) toReplace.push({ alloc: a, node });
      else
        appendAlloc(plan.NodeAllocation, a.NodeID, {
          ...a,
          Job: job,
          DesiredDescription: ALLOC_IN_PLACE,
          ModifyTime: nowNs,
        });
    }
  }

  const place = (node: Node, groupName: string, previous: Allocation | null): void => {
    const ask = asks.get(groupName)!;
    const metric = emptyAllocMetric();
    metric.NodesInPool = ready.inPool;
    metric.NodePool = job.NodePool;
    metric.NodesAvailable = ready.byDC;
    const filteredBefore = metric.NodesFiltered;
    const choice = stack.selectOn(node, ask, metric);
    if (choice !== null) compactMetric(metric);
    const fit = choice === null ? null : fitAsk(node, proposed.usage(node.ID), ask, deps.random);
    if (choice === null || fit === null || !fit.ok) {
      if (metric.NodesFiltered > filteredBefore) return; // not a candidate for this group: not a failure
      queued[groupName] = (queued[groupName] ?? 0) + 1;
      const prior = failed[groupName];
      if (prior === undefined) failed[groupName] = metric;
      else {
        prior.CoalescedFailures++;
        prior.NodesEvaluated += metric.NodesEvaluated;
        prior.NodesExhausted += metric.NodesExhausted;
        for (const [k, v] of Object.entries(metric.DimensionExhausted))
          prior.DimensionExhausted[k] = (prior.DimensionExhausted[k] ?? 0) + v;
      }
      if (previous !== null) proposed.restore(previous);
      return;
    }
    if (previous !== null)
      appendAlloc(plan.NodeUpdate, previous.NodeID, stoppedCopy(previous, ALLOC_UPDATING, null, nowNs));
    const alloc = buildAlloc({
      id: deps.newID(),
      evaluation,
      job,
      group: groupName,
      name: allocName(job.ID, groupName, 0),
      node,
      resources: resources.build(ask, fit.grant),
      metric,
      previous,
      tracker: null,
      nowNs,
    });
    appendAlloc(plan.NodeAllocation, node.ID, alloc);
    proposed.place(alloc, node);
  };

  for (const r of toReplace) {
    proposed.stop(r.alloc);
    place(r.node, r.alloc.TaskGroup, r.alloc);
  }
  for (const g of job.TaskGroups) {
    queued[g.Name] = queued[g.Name] ?? 0;
    if (g.Count === 0) continue;
    const served = covered.get(g.Name)!;
    for (const node of ready.nodes) if (!served.has(node.ID)) place(node, g.Name, null);
  }
  return { plan, followups: [], failed, queued, feasibility };
}
