import type { Allocation, Evaluation, Job, Node } from "@nomad/structs";

// What GC reads of each object: a Pick of the @nomad/structs types, so the server can hand
// its real objects over unchanged, and a test or benchmark can build small ones. Fields
// that structs does not model yet are typed `unknown` so any structs object still fits.

/** Node view. `StatusUpdatedAt` is Unix **seconds**, as in Nomad (set when Status changes). */
export type GcNode = Readonly<Pick<Node, "ID" | "Status" | "StatusUpdatedAt">>;

/** The subset of a task group's reschedule policy that decides whether a failed alloc is still needed. */
export interface GcReschedulePolicy {
  readonly Attempts: number;
  /** Nanoseconds. */
  readonly Interval: number;
  readonly Unlimited: boolean;
}

export interface GcTaskGroup {
  readonly Name: string;
  readonly ReschedulePolicy: GcReschedulePolicy | null;
}

/** Job view. `SubmitTime` is Unix nanoseconds (set at every register/stop), as in Nomad. */
export type GcJob = Readonly<
  Pick<Job, "ID" | "Namespace" | "Type" | "Status" | "Stop" | "SubmitTime" | "ParentID" | "JobModifyIndex">
> & {
  readonly TaskGroups: readonly GcTaskGroup[];
  /** Nomad's `Periodic` block; only `Enabled` is read. Not modelled in @nomad/structs yet. */
  readonly Periodic?: unknown;
  /** Nomad's `ParameterizedJob` block; any non-null value marks a parameterized parent. */
  readonly ParameterizedJob?: unknown;
  /** Nomad's `VersionTag`; a tagged job is never collected. */
  readonly VersionTag?: unknown;
};

/** Evaluation view. `ModifyTime` is Unix nanoseconds. */
export type GcEval = Readonly<
  Pick<Evaluation, "ID" | "Namespace" | "JobID" | "Type" | "Status" | "ModifyTime">
>;

export interface GcRescheduleTracker {
  readonly Events: readonly { readonly RescheduleTime: number }[];
}

/** Allocation view. `ModifyTime` is Unix nanoseconds. */
export type GcAlloc = Readonly<
  Pick<
    Allocation,
    | "ID"
    | "Namespace"
    | "EvalID"
    | "JobID"
    | "NodeID"
    | "TaskGroup"
    | "DesiredStatus"
    | "ClientStatus"
    | "CreateIndex"
    | "ModifyTime"
    | "NextAllocation"
    | "DeploymentID"
  >
> & { readonly RescheduleTracker: GcRescheduleTracker | null };

/** Nomad's deployment statuses (nomad/structs/deployment.go). */
export const DEPLOYMENT_STATUSES = [
  "running",
  "paused",
  "failed",
  "successful",
  "cancelled",
  "initializing",
  "pending",
  "blocked",
  "unblocking",
] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

/**
 * Minimal deployment (not in @nomad/structs yet): Nomad's field names; `ModifyTime` is
 * Unix nanoseconds, updated on every status change.
 */
export interface GcDeployment {
  readonly ID: string;
  readonly Namespace: string;
  readonly JobID: string;
  readonly Status: DeploymentStatus;
  readonly ModifyTime: number;
}

export interface NamespacedID {
  readonly Namespace: string;
  readonly ID: string;
}
