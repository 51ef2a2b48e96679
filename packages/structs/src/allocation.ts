import { z } from "zod";
import { AllocMetricSchema } from "./alloc-metric.js";
import { parseWith } from "./errors.js";
import { JobSchema } from "./job.js";
import { AllocatedResourcesSchema } from "./resources.js";
import { bool, int, list, maybe, num, str } from "./schema-helpers.js";

export const ALLOC_DESIRED_STATUSES = ["run", "stop", "evict"] as const;
export type AllocDesiredStatus = (typeof ALLOC_DESIRED_STATUSES)[number];
export const ALLOC_CLIENT_STATUSES = ["pending", "running", "complete", "failed", "lost", "unknown"] as const;
export type AllocClientStatus = (typeof ALLOC_CLIENT_STATUSES)[number];

export const TaskEventSchema = z
  .object({
    Type: str(),
    Time: num(0),
    Message: str(),
    DisplayMessage: str(),
    FailsTask: bool(false),
    ExitCode: int(0),
  })
  .loose();
export type TaskEvent = z.output<typeof TaskEventSchema>;

export const TaskStateSchema = z
  .object({
    State: z
      .enum(["pending", "running", "dead"])
      .nullish()
      .transform((v) => v ?? "pending"),
    Failed: bool(false),
    Restarts: int(0),
    /** RFC 3339 strings in Nomad's JSON (Go time.Time). */
    LastRestart: str(),
    StartedAt: str(),
    FinishedAt: str(),
    Events: list(TaskEventSchema),
  })
  .loose();
export type TaskState = z.output<typeof TaskStateSchema>;

export const DesiredTransitionSchema = z
  .object({
    Migrate: z
      .boolean()
      .nullish()
      .transform((v) => v ?? null),
    Reschedule: z
      .boolean()
      .nullish()
      .transform((v) => v ?? null),
    ForceReschedule: z
      .boolean()
      .nullish()
      .transform((v) => v ?? null),
    NoShutdownDelay: z
      .boolean()
      .nullish()
      .transform((v) => v ?? null),
  })
  .loose()
  .nullish()
  .transform((v) => v ?? { Migrate: null, Reschedule: null, ForceReschedule: null, NoShutdownDelay: null });
export type DesiredTransition = z.output<typeof DesiredTransitionSchema>;

export const RescheduleEventSchema = z
  .object({
    /** Unix nanoseconds. */
    RescheduleTime: num(0),
    PrevAllocID: str(),
    PrevNodeID: str(),
    /** Nanoseconds the replacement waited. */
    Delay: int(0),
  })
  .loose();
export type RescheduleEvent = z.output<typeof RescheduleEventSchema>;

export const RescheduleTrackerSchema = z
  .object({
    Events: list(RescheduleEventSchema),
    LastReschedule: str(),
  })
  .loose();
export type RescheduleTracker = z.output<typeof RescheduleTrackerSchema>;

export const AllocationSchema = z
  .object({
    ID: z.string().min(1, "allocation ID is required"),
    Namespace: str("default"),
    EvalID: str(),
    /** `<job>.<group>[<index>]`: the index is the alloc's slot within the group's count. */
    Name: str(),
    NodeID: str(),
    NodeName: str(),
    JobID: str(),
    Job: maybe(JobSchema),
    TaskGroup: str(),
    AllocatedResources: maybe(AllocatedResourcesSchema),
    Metrics: maybe(AllocMetricSchema),
    DesiredStatus: z
      .enum(ALLOC_DESIRED_STATUSES)
      .nullish()
      .transform((v): AllocDesiredStatus => v ?? "run"),
    DesiredDescription: str(),
    DesiredTransition: DesiredTransitionSchema,
    ClientStatus: z
      .enum(ALLOC_CLIENT_STATUSES)
      .nullish()
      .transform((v): AllocClientStatus => v ?? "pending"),
    ClientDescription: str(),
    TaskStates: z
      .record(z.string(), TaskStateSchema)
      .nullish()
      .transform((v) => v ?? {}),
    PreviousAllocation: str(),
    NextAllocation: str(),
    DeploymentID: str(),
    RescheduleTracker: maybe(RescheduleTrackerSchema),
    FollowupEvalID: str(),
    PreemptedAllocations: list(z.string()),
    PreemptedByAllocation: str(),
    CreateIndex: int(0),
    ModifyIndex: int(0),
    AllocModifyIndex: int(0),
    /** Unix nanoseconds. */
    CreateTime: num(0),
    ModifyTime: num(0),
  })
  .loose();
export type Allocation = z.output<typeof AllocationSchema>;

export function parseAllocation(input: unknown): Allocation {
  return parseWith("allocation", AllocationSchema, input);
}

/** Terminal allocations no longer hold resources on their node. */
export function allocIsTerminal(a: Pick<Allocation, "DesiredStatus" | "ClientStatus">): boolean {
  if (a.DesiredStatus === "stop" || a.DesiredStatus === "evict") return true;
  return a.ClientStatus === "complete" || a.ClientStatus === "failed" || a.ClientStatus === "lost";
}

/** The client has finished with it (the desired status alone does not free the node yet in Nomad's view of the client). */
export function allocClientTerminal(a: Pick<Allocation, "ClientStatus">): boolean {
  return a.ClientStatus === "complete" || a.ClientStatus === "failed" || a.ClientStatus === "lost";
}

/** Extracts the slot index from `<job>.<group>[<index>]`; -1 when the name has none. */
export function allocIndex(name: string): number {
  const open = name.lastIndexOf("[");
  if (open < 0 || !name.endsWith("]")) return -1;
  const n = Number(name.slice(open + 1, -1));
  return Number.isInteger(n) ? n : -1;
}

export function allocName(jobID: string, group: string, index: number): string {
  return `${jobID}.${group}[${index}]`;
}
