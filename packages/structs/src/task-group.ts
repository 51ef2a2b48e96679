import { z } from "zod";
import { AffinitySchema, ConstraintSchema, SpreadSchema } from "./constraint.js";
import { DEFAULT_GROUP_COUNT } from "./defaults.js";
import {
  EphemeralDiskSchema,
  RawMigrateStrategySchema,
  RawReschedulePolicySchema,
  RawRestartPolicySchema,
  RawUpdateStrategySchema,
  type MigrateStrategy,
  type ReschedulePolicy,
  type RestartPolicy,
  type UpdateStrategy,
} from "./policies.js";
import { NetworkResourceSchema } from "./resources.js";
import { bool, int, list, stringMap, type Replace } from "./schema-helpers.js";
import { RawTaskSchema, type Task } from "./task.js";

export const RawTaskGroupSchema = z
  .object({
    Name: z.string().min(1, "task group name is required"),
    Count: int(DEFAULT_GROUP_COUNT).refine((n) => n >= 0, "count must be >= 0"),
    Constraints: list(ConstraintSchema),
    Affinities: list(AffinitySchema),
    Spreads: list(SpreadSchema),
    Networks: list(NetworkResourceSchema),
    Tasks: list(RawTaskSchema).refine((t) => t.length > 0, "task group must have at least one task"),
    EphemeralDisk: EphemeralDiskSchema,
    Meta: stringMap,
    RestartPolicy: RawRestartPolicySchema.nullish(),
    ReschedulePolicy: RawReschedulePolicySchema.nullish(),
    Update: RawUpdateStrategySchema.nullish(),
    Migrate: RawMigrateStrategySchema.nullish(),
    ShutdownDelay: z.number().int().nullish(),
    StopAfterClientDisconnect: z.number().int().nullish(),
    MaxClientDisconnect: z.number().int().nullish(),
    PreventRescheduleOnLost: bool(false),
  })
  .loose()
  .superRefine((g, ctx) => {
    const names = new Set<string>();
    g.Tasks.forEach((t, i) => {
      if (names.has(t.Name)) {
        ctx.addIssue({
          code: "custom",
          path: ["Tasks", i, "Name"],
          message: `duplicate task name "${t.Name}"`,
        });
      }
      names.add(t.Name);
    });
  });
export type RawTaskGroup = z.output<typeof RawTaskGroupSchema>;

/**
 * A canonical task group. `ReschedulePolicy` is null for system/sysbatch jobs (they never
 * reschedule); `Update` is null for batch/sysbatch; `Migrate` is set for service groups only.
 */
export type TaskGroup = Replace<
  RawTaskGroup,
  {
    Tasks: Task[];
    RestartPolicy: RestartPolicy;
    ReschedulePolicy: ReschedulePolicy | null;
    Update: UpdateStrategy | null;
    Migrate: MigrateStrategy | null;
  }
>;
