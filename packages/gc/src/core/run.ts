import type { ServerGcConfig } from "../config.js";
import type { GcClock, GcSnapshot } from "../snapshot.js";
import { isCoreJobName, type CoreJobName } from "./core-jobs.js";
import { deploymentGc } from "./deployment-gc.js";
import { evalGc } from "./eval-gc.js";
import { jobGc } from "./job-gc.js";
import { nodeGc } from "./node-gc.js";
import {
  countBatches,
  emptySelection,
  selectionBatches,
  type BatchLimits,
  type GcBatch,
  type GcPlan,
} from "./plan.js";

/** Forced GC still needs an age: Nomad uses 1ms, i.e. "anything eligible right now". */
export const FORCE_GC_THRESHOLD_NS = 1_000_000;

export class GcError extends Error {
  constructor(
    readonly code: "UNKNOWN_CORE_JOB",
    message: string,
  ) {
    super(message);
    this.name = "GcError";
  }
}

function limits(cfg: ServerGcConfig): BatchLimits {
  return { maxIdsPerBatch: cfg.max_ids_per_batch, maxJobsPerBatch: cfg.max_jobs_per_batch };
}

function plan(coreJob: CoreJobName, nowUnixNs: number, batches: GcBatch[]): GcPlan {
  return { coreJob, nowUnixNs, batches, counts: countBatches(batches) };
}

/**
 * Decides one core job against a snapshot. `jobID` is the core evaluation's JobID; as in
 * Nomad, anything after a `:` is extra data and ignored here. Pure: same snapshot, config
 * and clock reading give the same plan.
 */
export function computeGcPlan(jobID: string, snap: GcSnapshot, cfg: ServerGcConfig, clock: GcClock): GcPlan {
  const name = jobID.split(":")[0] ?? "";
  if (!isCoreJobName(name))
    throw new GcError("UNKNOWN_CORE_JOB", `core scheduler cannot handle job '${jobID}'`);
  const nowNs = clock.nowUnixNs();
  const sel = emptySelection();
  switch (name) {
    case "eval-gc":
      evalGc(
        snap,
        { nowNs, thresholdNs: cfg.eval_gc_threshold, batchThresholdNs: cfg.batch_eval_gc_threshold },
        sel,
      );
      break;
    case "job-gc":
      jobGc(snap, { nowNs, thresholdNs: cfg.job_gc_threshold }, sel);
      break;
    case "node-gc":
      nodeGc(snap, { nowNs, thresholdNs: cfg.node_gc_threshold }, sel);
      break;
    case "deployment-gc":
      deploymentGc(snap, { nowNs, thresholdNs: cfg.deployment_gc_threshold }, sel);
      break;
    case "force-gc":
      return plan(name, nowNs, forceGcBatches(snap, cfg, nowNs));
  }
  return plan(name, nowNs, selectionBatches(sel, limits(cfg)));
}

/**
 * `nomad system gc`: job, eval and deployment GC with a 1ms threshold, then node GC last
 * (as Nomad orders it, once the allocations are on their way out). Every terminal-status
 * and reference check still applies, so nothing running is ever collected. Objects that
 * the job stage already takes are not listed again by later stages.
 */
function forceGcBatches(snap: GcSnapshot, cfg: ServerGcConfig, nowNs: number): GcBatch[] {
  const t = FORCE_GC_THRESHOLD_NS;
  const jobStage = emptySelection();
  const purged = jobGc(snap, { nowNs, thresholdNs: t }, jobStage);
  const ofPurged = (ns: string, id: string): boolean => purged.has(ns, id);

  const evalStage = emptySelection();
  evalGc(
    snap,
    { nowNs, thresholdNs: t, batchThresholdNs: t, skip: (ev) => ofPurged(ev.Namespace, ev.JobID) },
    evalStage,
  );
  const depStage = emptySelection();
  deploymentGc(snap, { nowNs, thresholdNs: t, skip: (d) => ofPurged(d.Namespace, d.JobID) }, depStage);
  const nodeStage = emptySelection();
  nodeGc(snap, { nowNs, thresholdNs: t }, nodeStage);

  const l = limits(cfg);
  return [
    ...selectionBatches(jobStage, l),
    ...selectionBatches(evalStage, l),
    ...selectionBatches(depStage, l),
    ...selectionBatches(nodeStage, l),
  ];
}
