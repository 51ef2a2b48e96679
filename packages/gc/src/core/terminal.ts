import type { GcAlloc, GcDeployment, GcEval, GcJob, GcNode } from "../views.js";

// Nomad's TerminalStatus() predicates, restated for the GC views.

/** Only `down` is terminal for a node; `disconnected` nodes may still reconnect. */
export function nodeIsTerminal(n: Pick<GcNode, "Status">): boolean {
  return n.Status === "down";
}

export function evalIsTerminal(e: Pick<GcEval, "Status">): boolean {
  return e.Status === "complete" || e.Status === "failed" || e.Status === "canceled";
}

/** Desired stop/evict, or the client reports it finished (complete, failed, lost). */
export function allocIsTerminal(a: Pick<GcAlloc, "DesiredStatus" | "ClientStatus">): boolean {
  if (a.DesiredStatus === "stop" || a.DesiredStatus === "evict") return true;
  return a.ClientStatus === "complete" || a.ClientStatus === "failed" || a.ClientStatus === "lost";
}

/** Nomad's Deployment.Active(): every status but failed, successful and cancelled. */
export function deploymentIsActive(d: Pick<GcDeployment, "Status">): boolean {
  return d.Status !== "failed" && d.Status !== "successful" && d.Status !== "cancelled";
}

export function jobIsPeriodic(j: Pick<GcJob, "Periodic">): boolean {
  const p = j.Periodic;
  return typeof p === "object" && p !== null && (p as { Enabled?: unknown }).Enabled === true;
}

export function jobIsParameterized(j: Pick<GcJob, "ParameterizedJob">): boolean {
  return j.ParameterizedJob !== undefined && j.ParameterizedJob !== null;
}

/** A parent that launches children: periodic or parameterized. */
export function jobIsParent(j: Pick<GcJob, "Periodic" | "ParameterizedJob">): boolean {
  return jobIsPeriodic(j) || jobIsParameterized(j);
}

/**
 * Nomad's `jobs.gc` index condition (state/schema.go jobIsGCable): tagged jobs never;
 * periodic and parameterized parents only once stopped; otherwise dead and either
 * stopped or a batch/sysbatch job (those finish on their own).
 */
export function jobIsGcCandidate(j: GcJob): boolean {
  if (j.VersionTag !== undefined && j.VersionTag !== null) return false;
  if (jobIsParent(j)) return j.Stop;
  if (j.Status !== "dead") return false;
  if (j.Stop) return true;
  return j.Type === "batch" || j.Type === "sysbatch";
}
