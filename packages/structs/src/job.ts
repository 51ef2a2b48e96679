import { z } from "zod";
import { AffinitySchema, ConstraintSchema, SpreadSchema } from "./constraint.js";
import {
  DEFAULT_DATACENTERS,
  DEFAULT_JOB_PRIORITY,
  DEFAULT_NAMESPACE,
  DEFAULT_NODE_POOL,
  DEFAULT_REGION,
  MAX_JOB_PRIORITY,
  MIN_JOB_PRIORITY,
  type JobType,
} from "./defaults.js";
import { parseWith } from "./errors.js";
import {
  canonicalMigrate,
  canonicalReschedule,
  DELAY_FUNCTIONS,
  mergeRestart,
  mergeUpdate,
  MIN_RESTART_INTERVAL_NS,
  RawUpdateStrategySchema,
  restartDefaults,
  RESTART_MODES,
  updateDefaults,
  type UpdateStrategy,
} from "./policies.js";
import { bool, int, list, num, str, stringMap, type Replace } from "./schema-helpers.js";
import { RawTaskGroupSchema, type TaskGroup } from "./task-group.js";

export const JOB_TYPES = ["service", "batch", "system", "sysbatch"] as const;
export const JOB_STATUSES = ["pending", "running", "dead"] as const;

export const RawJobSchema = z
  .object({
    Region: str(DEFAULT_REGION),
    Namespace: str(DEFAULT_NAMESPACE),
    ID: z.string().min(1, "job ID is required"),
    ParentID: str(),
    Name: str(),
    Type: z
      .enum(JOB_TYPES, { message: `job type must be one of ${JOB_TYPES.join(", ")}` })
      .nullish()
      .transform((v): JobType => v ?? "service"),
    Priority: int(DEFAULT_JOB_PRIORITY).refine(
      (p) => p >= MIN_JOB_PRIORITY && p <= MAX_JOB_PRIORITY,
      `job priority must be between [${MIN_JOB_PRIORITY}, ${MAX_JOB_PRIORITY}]`,
    ),
    AllAtOnce: bool(false),
    Datacenters: z
      .array(z.string().min(1, "datacenter name must not be empty"))
      .nullish()
      .transform((v) => (v === null || v === undefined || v.length === 0 ? [...DEFAULT_DATACENTERS] : v)),
    NodePool: str(DEFAULT_NODE_POOL),
    Constraints: list(ConstraintSchema),
    Affinities: list(AffinitySchema),
    Spreads: list(SpreadSchema),
    TaskGroups: list(RawTaskGroupSchema).refine((g) => g.length > 0, "job must have at least one task group"),
    Update: RawUpdateStrategySchema.nullish(),
    Meta: stringMap,
    Status: str(),
    StatusDescription: str(),
    Stable: bool(false),
    Stop: bool(false),
    Version: int(0),
    SubmitTime: num(0),
    CreateIndex: int(0),
    ModifyIndex: int(0),
    JobModifyIndex: int(0),
  })
  .loose();
export type RawJob = z.output<typeof RawJobSchema>;

/** A canonical job: every default applied, every group and task policy resolved. */
export type Job = Replace<
  RawJob,
  {
    TaskGroups: TaskGroup[];
    Update: UpdateStrategy | null;
  }
>;

/**
 * Applies Nomad's defaults the way its api canonicalisation does: name from ID; restart
 * policy job-type default <- group <- task; reschedule per type (none for system/sysbatch);
 * update job default <- job <- group for service/system; migrate for service groups.
 */
export function canonicalizeJob(raw: RawJob): Job {
  const type = raw.Type;
  const rolling = type === "service" || type === "system";
  // The job-level block keeps what the user wrote, with only Stagger and MaxParallel
  // defaulted (as Nomad stores it); each group gets the fully merged strategy.
  const jobUpdate = rolling ? jobLevelUpdate(raw.Update) : null;
  const groupBase = rolling ? mergeUpdate(updateDefaults(), raw.Update) : null;
  const groups: TaskGroup[] = raw.TaskGroups.map((g) => {
    const groupRestart = mergeRestart(restartDefaults(type), g.RestartPolicy);
    return {
      ...g,
      RestartPolicy: groupRestart,
      ReschedulePolicy: canonicalReschedule(type, g.ReschedulePolicy),
      Update: groupBase === null ? null : mergeUpdate(groupBase, g.Update),
      Migrate: type === "service" ? canonicalMigrate(g.Migrate) : null,
      Tasks: g.Tasks.map((t) => ({ ...t, RestartPolicy: mergeRestart(groupRestart, t.RestartPolicy) })),
    };
  });
  return { ...raw, Name: raw.Name === "" ? raw.ID : raw.Name, Update: jobUpdate, TaskGroups: groups };
}

function jobLevelUpdate(raw: RawJob["Update"]): UpdateStrategy {
  const d = updateDefaults();
  return {
    Stagger: raw?.Stagger ?? d.Stagger,
    MaxParallel: raw?.MaxParallel ?? d.MaxParallel,
    HealthCheck: raw?.HealthCheck ?? "",
    MinHealthyTime: raw?.MinHealthyTime ?? 0,
    HealthyDeadline: raw?.HealthyDeadline ?? 0,
    ProgressDeadline: raw?.ProgressDeadline ?? 0,
    AutoRevert: raw?.AutoRevert ?? false,
    AutoPromote: raw?.AutoPromote ?? false,
    Canary: raw?.Canary ?? 0,
  };
}

/** Checks that need the canonical form (policy values only make sense once merged). */
function validateCanonical(job: Job, ctx: z.RefinementCtx): void {
  const names = new Set<string>();
  job.TaskGroups.forEach((g, gi) => {
    const at = (...rest: (string | number)[]): (string | number)[] => ["TaskGroups", gi, ...rest];
    if (names.has(g.Name))
      ctx.addIssue({ code: "custom", path: at("Name"), message: `duplicate task group "${g.Name}"` });
    names.add(g.Name);
    const restarts = [{ p: g.RestartPolicy, path: at("RestartPolicy") }].concat(
      g.Tasks.map((t, ti) => ({ p: t.RestartPolicy, path: at("Tasks", ti, "RestartPolicy") })),
    );
    for (const { p, path } of restarts) {
      if (!(RESTART_MODES as readonly string[]).includes(p.Mode)) {
        ctx.addIssue({
          code: "custom",
          path: [...path, "Mode"],
          message: `unsupported restart mode "${p.Mode}"`,
        });
      }
      if (p.Interval < MIN_RESTART_INTERVAL_NS) {
        ctx.addIssue({
          code: "custom",
          path: [...path, "Interval"],
          message: "restart interval must be at least 5s",
        });
      }
      if (p.Attempts < 0)
        ctx.addIssue({ code: "custom", path: [...path, "Attempts"], message: "attempts must be >= 0" });
    }
    const r = g.ReschedulePolicy;
    if (r !== null) {
      if (!(DELAY_FUNCTIONS as readonly string[]).includes(r.DelayFunction)) {
        ctx.addIssue({
          code: "custom",
          path: at("ReschedulePolicy", "DelayFunction"),
          message: `invalid delay function "${r.DelayFunction}"`,
        });
      }
      if (r.DelayFunction !== "constant" && r.MaxDelay > 0 && r.MaxDelay < r.Delay) {
        ctx.addIssue({
          code: "custom",
          path: at("ReschedulePolicy", "MaxDelay"),
          message: "max delay must be >= delay",
        });
      }
    }
    if (job.Type === "system" || job.Type === "sysbatch") {
      if (g.Count > 1)
        ctx.addIssue({
          code: "custom",
          path: at("Count"),
          message: "system jobs run one per node: count must be 0 or 1",
        });
    }
  });
}

export const JobSchema = RawJobSchema.transform(canonicalizeJob).superRefine(validateCanonical);

/** Parses Nomad API JSON (`PUT /v1/jobs` body's `Job`, or `GET /v1/job/:id`) into a canonical Job. */
export function parseJob(input: unknown): Job {
  return parseWith("job", JobSchema, input);
}
