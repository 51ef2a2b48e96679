import { z } from "zod";
import { AffinitySchema, ConstraintSchema } from "./constraint.js";
import { DEFAULT_KILL_TIMEOUT_NS } from "./defaults.js";
import { LogConfigSchema, RawRestartPolicySchema, type RestartPolicy } from "./policies.js";
import { ResourcesSchema } from "./resources.js";
import { bool, int, list, str, stringMap, type Replace } from "./schema-helpers.js";

/**
 * A task as submitted. Fields this package does not interpret (Services, Vault, Templates,
 * Artifacts, ...) pass through untouched (`loose`) so a stored job round-trips unchanged.
 */
export const RawTaskSchema = z
  .object({
    Name: z.string().min(1, "task name is required"),
    Driver: z.string().min(1, "task driver is required"),
    User: str(),
    Config: z
      .record(z.string(), z.unknown())
      .nullish()
      .transform((v) => v ?? {}),
    Env: stringMap,
    Constraints: list(ConstraintSchema),
    Affinities: list(AffinitySchema),
    Resources: ResourcesSchema.nullish().transform((v) => v ?? ResourcesSchema.parse({})),
    RestartPolicy: RawRestartPolicySchema.nullish(),
    Meta: stringMap,
    KillTimeout: int(DEFAULT_KILL_TIMEOUT_NS),
    LogConfig: LogConfigSchema,
    Leader: bool(false),
    ShutdownDelay: int(0),
    KillSignal: str(),
  })
  .loose();
export type RawTask = z.output<typeof RawTaskSchema>;

/** A canonical task: its restart policy is resolved (group policy, then the job type's defaults). */
export type Task = Replace<RawTask, { RestartPolicy: RestartPolicy }>;
