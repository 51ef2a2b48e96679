import { z } from "zod";
import {
  DEFAULT_EPHEMERAL_DISK_MB,
  DEFAULT_LOG_MAX_FILE_SIZE_MB,
  DEFAULT_LOG_MAX_FILES,
  MIGRATE_DEFAULTS,
  RESCHEDULE_DEFAULTS,
  RESTART_DEFAULTS,
  UPDATE_DEFAULTS,
  type JobType,
} from "./defaults.js";
import { NS_PER_SECOND } from "./duration.js";
import { bool, int } from "./schema-helpers.js";

// Policies arrive partially filled (a job may set only `Attempts`); Nomad merges the rest
// from the defaults of the job's type. The raw schemas keep "unset" as undefined so the
// merge can tell "unset" from "set to zero".

const optInt = z.number().int().nullish();
const optStr = z.string().nullish();
const optBool = z.boolean().nullish();

export const RawRestartPolicySchema = z
  .object({ Attempts: optInt, Interval: optInt, Delay: optInt, Mode: optStr, RenderTemplates: optBool })
  .loose();
export type RawRestartPolicy = z.output<typeof RawRestartPolicySchema>;

export interface RestartPolicy {
  Attempts: number;
  Interval: number;
  Delay: number;
  Mode: string;
  RenderTemplates: boolean;
}

export const RawReschedulePolicySchema = z
  .object({
    Attempts: optInt,
    Interval: optInt,
    Delay: optInt,
    DelayFunction: optStr,
    MaxDelay: optInt,
    Unlimited: optBool,
  })
  .loose();
export type RawReschedulePolicy = z.output<typeof RawReschedulePolicySchema>;

export interface ReschedulePolicy {
  Attempts: number;
  Interval: number;
  Delay: number;
  DelayFunction: string;
  MaxDelay: number;
  Unlimited: boolean;
}

export const RawUpdateStrategySchema = z
  .object({
    Stagger: optInt,
    MaxParallel: optInt,
    HealthCheck: optStr,
    MinHealthyTime: optInt,
    HealthyDeadline: optInt,
    ProgressDeadline: optInt,
    AutoRevert: optBool,
    AutoPromote: optBool,
    Canary: optInt,
  })
  .loose();
export type RawUpdateStrategy = z.output<typeof RawUpdateStrategySchema>;

export interface UpdateStrategy {
  Stagger: number;
  MaxParallel: number;
  HealthCheck: string;
  MinHealthyTime: number;
  HealthyDeadline: number;
  ProgressDeadline: number;
  AutoRevert: boolean;
  AutoPromote: boolean;
  Canary: number;
}

export const RawMigrateStrategySchema = z
  .object({ MaxParallel: optInt, HealthCheck: optStr, MinHealthyTime: optInt, HealthyDeadline: optInt })
  .loose();
export type RawMigrateStrategy = z.output<typeof RawMigrateStrategySchema>;

export interface MigrateStrategy {
  MaxParallel: number;
  HealthCheck: string;
  MinHealthyTime: number;
  HealthyDeadline: number;
}

export const EphemeralDiskSchema = z
  .object({ Sticky: bool(false), SizeMB: int(DEFAULT_EPHEMERAL_DISK_MB), Migrate: bool(false) })
  .nullish()
  .transform((v) => v ?? { Sticky: false, SizeMB: DEFAULT_EPHEMERAL_DISK_MB, Migrate: false });
export type EphemeralDisk = z.output<typeof EphemeralDiskSchema>;

export const LogConfigSchema = z
  .object({
    MaxFiles: int(DEFAULT_LOG_MAX_FILES),
    MaxFileSizeMB: int(DEFAULT_LOG_MAX_FILE_SIZE_MB),
    Disabled: bool(false),
  })
  .nullish()
  .transform(
    (v) =>
      v ?? { MaxFiles: DEFAULT_LOG_MAX_FILES, MaxFileSizeMB: DEFAULT_LOG_MAX_FILE_SIZE_MB, Disabled: false },
  );
export type LogConfig = z.output<typeof LogConfigSchema>;

/** Field-wise merge: `over` wins where set, then `base`. */
export function mergeRestart(base: RestartPolicy, over: RawRestartPolicy | null | undefined): RestartPolicy {
  return {
    Attempts: over?.Attempts ?? base.Attempts,
    Interval: over?.Interval ?? base.Interval,
    Delay: over?.Delay ?? base.Delay,
    Mode: over?.Mode ?? base.Mode,
    RenderTemplates: over?.RenderTemplates ?? base.RenderTemplates,
  };
}

export function restartDefaults(type: JobType): RestartPolicy {
  return { ...RESTART_DEFAULTS[type], RenderTemplates: false };
}

/** System and sysbatch jobs never reschedule (they are pinned per node): null. */
export function canonicalReschedule(
  type: JobType,
  raw: RawReschedulePolicy | null | undefined,
): ReschedulePolicy | null {
  const base = RESCHEDULE_DEFAULTS[type];
  if (base === undefined) return null;
  return {
    Attempts: raw?.Attempts ?? base.Attempts,
    Interval: raw?.Interval ?? base.Interval,
    Delay: raw?.Delay ?? base.Delay,
    DelayFunction: raw?.DelayFunction ?? base.DelayFunction,
    MaxDelay: raw?.MaxDelay ?? base.MaxDelay,
    Unlimited: raw?.Unlimited ?? base.Unlimited,
  };
}

export function mergeUpdate(
  base: UpdateStrategy,
  over: RawUpdateStrategy | null | undefined,
): UpdateStrategy {
  return {
    Stagger: over?.Stagger ?? base.Stagger,
    MaxParallel: over?.MaxParallel ?? base.MaxParallel,
    HealthCheck: over?.HealthCheck ?? base.HealthCheck,
    MinHealthyTime: over?.MinHealthyTime ?? base.MinHealthyTime,
    HealthyDeadline: over?.HealthyDeadline ?? base.HealthyDeadline,
    ProgressDeadline: over?.ProgressDeadline ?? base.ProgressDeadline,
    AutoRevert: over?.AutoRevert ?? base.AutoRevert,
    AutoPromote: over?.AutoPromote ?? base.AutoPromote,
    Canary: over?.Canary ?? base.Canary,
  };
}

export function updateDefaults(): UpdateStrategy {
  return { ...UPDATE_DEFAULTS };
}

export function canonicalMigrate(raw: RawMigrateStrategy | null | undefined): MigrateStrategy {
  return {
    MaxParallel: raw?.MaxParallel ?? MIGRATE_DEFAULTS.MaxParallel,
    HealthCheck: raw?.HealthCheck ?? MIGRATE_DEFAULTS.HealthCheck,
    MinHealthyTime: raw?.MinHealthyTime ?? MIGRATE_DEFAULTS.MinHealthyTime,
    HealthyDeadline: raw?.HealthyDeadline ?? MIGRATE_DEFAULTS.HealthyDeadline,
  };
}

/** Nomad refuses restart intervals under 5 s: shorter ones would spin on a crashing task. */
export const MIN_RESTART_INTERVAL_NS = 5 * NS_PER_SECOND;
export const RESTART_MODES = ["fail", "delay"] as const;
export const DELAY_FUNCTIONS = ["constant", "exponential", "fibonacci"] as const;
