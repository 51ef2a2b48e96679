import type { GcAlloc, GcJob } from "../views.js";
import { allocIsTerminal } from "./terminal.js";

/**
 * Whether one allocation may be deleted (Nomad's allocGCEligible): terminal and last
 * modified at or before the cutoff, not still running on its client, and not a failed
 * allocation the scheduler may still need to reschedule from (its RescheduleTracker is
 * what enforces the reschedule policy's attempt count).
 */
export function allocGcEligible(a: GcAlloc, job: GcJob | null, nowNs: number, cutoffNs: number): boolean {
  if (!allocIsTerminal(a) || a.ModifyTime > cutoffNs) return false;
  // Desired stop while the client still runs it: the client has not let go yet.
  if (a.ClientStatus === "running") return false;
  if (job === null || job.Stop || job.Status === "dead") return true;
  if (a.DesiredStatus === "stop") return true;
  if (a.ClientStatus !== "failed") return true;

  let policy = null;
  for (const tg of job.TaskGroups) {
    if (tg.Name === a.TaskGroup) {
      policy = tg.ReschedulePolicy;
      break;
    }
  }
  if (policy === null || (!policy.Unlimited && policy.Attempts === 0)) return true;
  // The replacement exists and carries the reschedule history forward.
  if (a.NextAllocation !== "") return true;
  if (policy.Unlimited) return false;
  const events = a.RescheduleTracker?.Events ?? [];
  const last = events[events.length - 1];
  if (last === undefined) return false;
  return nowNs - last.RescheduleTime > policy.Interval;
}
