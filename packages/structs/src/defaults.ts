import { hours, minutes, seconds } from "./duration.js";

// Nomad's defaults, each with the reason it exists (reference/NOMAD.md sections 2.4 and 5.6).
// Job-type-dependent defaults live in policies-by-type below; canonicalizeJob applies them.

/** Middle of the 1..100 range so operators can rank jobs above or below the default. */
export const DEFAULT_JOB_PRIORITY = 50;
export const MIN_JOB_PRIORITY = 1;
/** Nomad's default `job_max_priority`; core jobs use 32767 and are not user-submittable. */
export const MAX_JOB_PRIORITY = 100;
/** Nomad's single-region default. */
export const DEFAULT_REGION = "global";
export const DEFAULT_NAMESPACE = "default";
export const DEFAULT_NODE_POOL = "default";
/** Since Nomad 1.5 the server defaults to every datacenter rather than rejecting the job. */
export const DEFAULT_DATACENTERS: readonly string[] = ["*"];
/** One instance is the least surprising count for a group that does not say. */
export const DEFAULT_GROUP_COUNT = 1;

/** Enough CPU for a small daemon while still letting ~dozens share one core's MHz. */
export const DEFAULT_TASK_CPU_MHZ = 100;
/** Enough memory for a typical small process; below 10 MB Nomad rejects the task. */
export const DEFAULT_TASK_MEMORY_MB = 300;
export const MIN_TASK_MEMORY_MB = 10;
export const MIN_TASK_CPU_MHZ = 1;
/** Room for logs and a small scratch area per group. */
export const DEFAULT_EPHEMERAL_DISK_MB = 300;
/** Time for a task to exit after its signal before it is killed. */
export const DEFAULT_KILL_TIMEOUT_NS = seconds(5);
/** 10 x 10 MB keeps at most 100 MB of logs per task. */
export const DEFAULT_LOG_MAX_FILES = 10;
export const DEFAULT_LOG_MAX_FILE_SIZE_MB = 10;

/** Nomad's default dynamic port range: above common static services, below the Linux ephemeral range. */
export const DEFAULT_MIN_DYNAMIC_PORT = 20000;
export const DEFAULT_MAX_DYNAMIC_PORT = 32000;

/** Affinity weight when unset: half the allowed magnitude. */
export const DEFAULT_AFFINITY_WEIGHT = 50;
/** Spread weight when unset: the api canonicalisation sets 50 (docs say 0). */
export const DEFAULT_SPREAD_WEIGHT = 50;

export type JobType = "service" | "batch" | "system" | "sysbatch";

export interface RestartDefaults {
  readonly Attempts: number;
  readonly Interval: number;
  readonly Delay: number;
  readonly Mode: "fail" | "delay";
}

export interface RescheduleDefaults {
  readonly Attempts: number;
  readonly Interval: number;
  readonly Delay: number;
  readonly DelayFunction: "constant" | "exponential" | "fibonacci";
  readonly MaxDelay: number;
  readonly Unlimited: boolean;
}

/**
 * Long-running jobs restart a couple of times within 30 minutes and then fail over to the
 * reschedule policy; run-to-completion jobs get one more try within a day.
 */
export const RESTART_DEFAULTS: Readonly<Record<JobType, RestartDefaults>> = {
  service: { Attempts: 2, Interval: minutes(30), Delay: seconds(15), Mode: "fail" },
  system: { Attempts: 2, Interval: minutes(30), Delay: seconds(15), Mode: "fail" },
  batch: { Attempts: 3, Interval: hours(24), Delay: seconds(15), Mode: "fail" },
  sysbatch: { Attempts: 3, Interval: hours(24), Delay: seconds(15), Mode: "fail" },
};

/**
 * Services must keep running, so they reschedule forever with exponential back-off capped at
 * an hour; batch work retries once a day after 5 s. System jobs are per node: no reschedule.
 */
export const RESCHEDULE_DEFAULTS: Readonly<Partial<Record<JobType, RescheduleDefaults>>> = {
  service: {
    Attempts: 0,
    Interval: 0,
    Delay: seconds(30),
    DelayFunction: "exponential",
    MaxDelay: hours(1),
    Unlimited: true,
  },
  batch: {
    Attempts: 1,
    Interval: hours(24),
    Delay: seconds(5),
    DelayFunction: "constant",
    MaxDelay: 0,
    Unlimited: false,
  },
};

/** Rolling-update defaults (job and group `update` blocks), Nomad's DefaultUpdateStrategy. */
export const UPDATE_DEFAULTS = {
  /** Gap between batches of updates, in case health checks are absent. */
  Stagger: seconds(30),
  /** One at a time keeps most of the service serving during an update. */
  MaxParallel: 1,
  HealthCheck: "checks",
  /** A new alloc must stay healthy this long before it counts. */
  MinHealthyTime: seconds(10),
  /** Give up on a new alloc becoming healthy after 5 minutes. */
  HealthyDeadline: minutes(5),
  /** A deployment that makes no progress for 10 minutes fails. */
  ProgressDeadline: minutes(10),
  AutoRevert: false,
  AutoPromote: false,
  Canary: 0,
} as const;

/** Migrate defaults used by node drains (service groups only). */
export const MIGRATE_DEFAULTS = {
  MaxParallel: 1,
  HealthCheck: "checks",
  MinHealthyTime: seconds(10),
  HealthyDeadline: minutes(5),
} as const;
