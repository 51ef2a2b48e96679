import type { Job, TaskGroup } from "@nomad/structs";

/** Whether an allocation created from `old` runs an outdated version of `job`. */
export function jobChanged(old: Job | null, job: Job): boolean {
  if (old === null || old === job) return false;
  return old.Version !== job.Version || old.JobModifyIndex !== job.JobModifyIndex;
}

const fingerprints = new WeakMap<TaskGroup, string>();

/** What must not change for an in-place update: tasks (drivers, config, resources, ...), networks, disk. */
function groupFingerprint(g: TaskGroup): string {
  let f = fingerprints.get(g);
  if (f === undefined) {
    f = JSON.stringify([g.Tasks, g.Networks, g.EphemeralDisk]);
    fingerprints.set(g, f);
  }
  return f;
}

/**
 * Nomad updates an allocation in place when only scheduling metadata changed (count,
 * constraints, policies, meta); anything the running tasks would see forces a
 * destructive update (stop, then place anew).
 */
export function needsDestructiveUpdate(old: Job | null, job: Job, group: string): boolean {
  if (old === null) return false;
  const a = old.TaskGroups.find((g) => g.Name === group);
  const b = job.TaskGroups.find((g) => g.Name === group);
  if (a === undefined || b === undefined) return true;
  return groupFingerprint(a) !== groupFingerprint(b);
}
