// Nomad's alloc client status from its task states: any failed task fails the alloc; else
// any running task makes it running; else any pending task keeps it pending; else (all dead,
// none failed) it is complete.

import type { AllocClientStatus, TaskState } from "@nomad/structs";

export const DESC_FAILED = "Failed tasks";
export const DESC_RUNNING = "Tasks are running";
export const DESC_PENDING = "No tasks have started";
export const DESC_COMPLETE = "All tasks have completed";

export function clientStatusOf(states: Readonly<Record<string, TaskState>>): {
  status: AllocClientStatus;
  description: string;
} {
  let running = false;
  let pending = false;
  let failed = false;
  let dead = false;
  for (const s of Object.values(states)) {
    if (s.State === "running") running = true;
    else if (s.State === "pending") pending = true;
    else if (s.Failed) failed = true;
    else dead = true;
  }
  if (failed) return { status: "failed", description: DESC_FAILED };
  if (running) return { status: "running", description: DESC_RUNNING };
  if (pending) return { status: "pending", description: DESC_PENDING };
  if (dead) return { status: "complete", description: DESC_COMPLETE };
  return { status: "pending", description: DESC_PENDING };
}
