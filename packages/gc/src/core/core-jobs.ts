import { parseEvaluation, type Evaluation } from "@nomad/structs";
import type { ServerGcConfig } from "../config.js";

/** Nomad's `_core` job names (nomad/structs/eval.go) this package decides. */
export const CORE_JOB_EVAL_GC = "eval-gc";
export const CORE_JOB_NODE_GC = "node-gc";
export const CORE_JOB_JOB_GC = "job-gc";
export const CORE_JOB_DEPLOYMENT_GC = "deployment-gc";
/** Enqueued by `PUT /v1/system/gc` (`nomad system gc`): every GC, thresholds ignored. */
export const CORE_JOB_FORCE_GC = "force-gc";

export const CORE_JOB_NAMES = [
  CORE_JOB_EVAL_GC,
  CORE_JOB_NODE_GC,
  CORE_JOB_JOB_GC,
  CORE_JOB_DEPLOYMENT_GC,
  CORE_JOB_FORCE_GC,
] as const;
export type CoreJobName = (typeof CORE_JOB_NAMES)[number];

/** The periodic ones, in the order Nomad's leader loop lists them. */
export const PERIODIC_CORE_JOBS = [
  CORE_JOB_EVAL_GC,
  CORE_JOB_NODE_GC,
  CORE_JOB_JOB_GC,
  CORE_JOB_DEPLOYMENT_GC,
] as const;
export type PeriodicCoreJobName = (typeof PERIODIC_CORE_JOBS)[number];

/** math.MaxInt16: above any user priority (max 100), so GC never waits behind user work. */
export const CORE_JOB_PRIORITY = 32767;
/** The scheduler type that processes core evaluations. */
export const CORE_JOB_TYPE = "_core";
/** Core evaluations belong to no user namespace. */
export const CORE_NAMESPACE = "-";

export function isCoreJobName(name: string): name is CoreJobName {
  return (CORE_JOB_NAMES as readonly string[]).includes(name);
}

/** Each periodic core job and how often the leader enqueues it. */
export function coreJobIntervalsNs(cfg: ServerGcConfig): Readonly<Record<PeriodicCoreJobName, number>> {
  return {
    "eval-gc": cfg.eval_gc_interval,
    "node-gc": cfg.node_gc_interval,
    "job-gc": cfg.job_gc_interval,
    "deployment-gc": cfg.deployment_gc_interval,
  };
}

export interface CoreEvalInput {
  /** Injected: cores generate no randomness (the server passes a fresh UUID). */
  readonly id: string;
  /** The latest Raft index when enqueued; Nomad stores it as the eval's ModifyIndex. */
  readonly modifyIndex: number;
  readonly leaderACL?: string;
}

/**
 * The evaluation the leader enqueues for a core job (Nomad's coreJobEval). It goes to
 * the eval broker, not through Raft: a lost core eval is simply enqueued again next tick.
 */
export function coreJobEval(name: CoreJobName, input: CoreEvalInput): Evaluation {
  return parseEvaluation({
    ID: input.id,
    Namespace: CORE_NAMESPACE,
    Priority: CORE_JOB_PRIORITY,
    Type: CORE_JOB_TYPE,
    TriggeredBy: "scheduled",
    JobID: name,
    LeaderACL: input.leaderACL ?? "",
    Status: "pending",
    ModifyIndex: input.modifyIndex,
  });
}

/**
 * When each periodic core job is due, as a pure state machine the leader drives with its
 * clock. Like Go's time.Ticker it drops missed periods instead of firing a burst.
 */
export class CoreGcSchedule {
  private readonly intervals: Readonly<Record<PeriodicCoreJobName, number>>;
  private readonly nextDue = new Map<PeriodicCoreJobName, number>();

  /** `startNs`: when this server became leader (Nomad starts its tickers then). */
  constructor(cfg: ServerGcConfig, startNs: number) {
    this.intervals = coreJobIntervalsNs(cfg);
    for (const name of PERIODIC_CORE_JOBS) this.nextDue.set(name, startNs + this.intervals[name]);
  }

  /** The core jobs due at `nowNs` (each at most once), advancing their next due time. */
  due(nowNs: number): PeriodicCoreJobName[] {
    const out: PeriodicCoreJobName[] = [];
    for (const name of PERIODIC_CORE_JOBS) {
      const at = this.nextDue.get(name) ?? nowNs;
      if (at > nowNs) continue;
      const interval = this.intervals[name];
      const missed = interval > 0 ? Math.floor((nowNs - at) / interval) : 0;
      this.nextDue.set(name, at + (missed + 1) * Math.max(interval, 1));
      out.push(name);
    }
    return out;
  }

  /** The earliest time any core job is due: when the runtime should call due() next. */
  nextDueNs(): number {
    return Math.min(...this.nextDue.values());
  }
}
