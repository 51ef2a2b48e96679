// Job.Plan's Diff: what a register would change, at the granularity the CLI prints
// (job, then task groups with their scheduler updates). Field-level diffs are not computed.
import type { DesiredUpdates, Job } from "@nomad/structs";
import { jobSpecChanged } from "../state/job-writes.js";

export type DiffType = "Added" | "Deleted" | "Edited" | "None";

export interface TaskGroupDiff {
  Type: DiffType;
  Name: string;
  Fields: null;
  Objects: null;
  Tasks: null;
  Updates: Record<string, number> | null;
}

export interface JobDiff {
  Type: DiffType;
  ID: string;
  Fields: null;
  Objects: null;
  TaskGroups: TaskGroupDiff[];
}

function updatesOf(u: DesiredUpdates | undefined): Record<string, number> | null {
  if (u === undefined) return null;
  const out: Record<string, number> = {};
  const names: Record<string, keyof DesiredUpdates> = {
    ignore: "Ignore",
    create: "Place",
    migrate: "Migrate",
    destroy: "Stop",
    "in-place update": "InPlaceUpdate",
    "create/destroy update": "DestructiveUpdate",
    canary: "Canary",
  };
  for (const [label, field] of Object.entries(names)) if (u[field] > 0) out[label] = u[field];
  return Object.keys(out).length === 0 ? null : out;
}

export function jobDiff(
  old: Job | undefined,
  next: Job,
  annotations: { DesiredTGUpdates: Record<string, DesiredUpdates> } | null,
): JobDiff {
  const type: DiffType = old === undefined ? "Added" : jobSpecChanged(old, next) ? "Edited" : "None";
  const groups: TaskGroupDiff[] = [];
  const oldGroups = new Map((old?.TaskGroups ?? []).map((g) => [g.Name, g]));
  for (const g of next.TaskGroups) {
    const before = oldGroups.get(g.Name);
    const groupType: DiffType =
      before === undefined ? "Added" : JSON.stringify(before) === JSON.stringify(g) ? "None" : "Edited";
    groups.push({
      Type: groupType,
      Name: g.Name,
      Fields: null,
      Objects: null,
      Tasks: null,
      Updates: updatesOf(annotations?.DesiredTGUpdates[g.Name]),
    });
    oldGroups.delete(g.Name);
  }
  for (const name of oldGroups.keys()) {
    groups.push({ Type: "Deleted", Name: name, Fields: null, Objects: null, Tasks: null, Updates: null });
  }
  return { Type: type, ID: next.ID, Fields: null, Objects: null, TaskGroups: groups };
}
