import { allocIndex, allocName, type Allocation, type Job, type Node, type TaskGroup } from "@nomad/structs";
import {
  ALLOC_IN_PLACE,
  ALLOC_LOST,
  ALLOC_MIGRATING,
  ALLOC_NOT_NEEDED,
  ALLOC_UPDATING,
} from "./descriptions.js";
import { jobChanged, needsDestructiveUpdate } from "./job-diff.js";
import {
  failedAtNs,
  penaltyNodes,
  RESCHEDULE_WINDOW_NS,
  rescheduleDelay,
  rescheduleEligible,
} from "./reschedule.js";

export interface PlaceRequest {
  readonly group: TaskGroup;
  readonly name: string;
  /** The allocation this one replaces (lost, migrated, rescheduled, destructively updated). */
  readonly previous: Allocation | null;
  /** True when replacing a failed allocation: counts against the reschedule policy. */
  readonly reschedule: boolean;
  readonly penaltyNodes: ReadonlySet<string> | null;
  /** The previous allocation must be stopped in the same plan (migrate, destructive update). */
  readonly stopPrevious: { readonly description: string } | null;
}

export interface StopRequest {
  readonly alloc: Allocation;
  readonly description: string;
  /** Set to "lost" for allocations on down nodes. */
  readonly clientStatus: "lost" | null;
}

export interface DelayedReschedule {
  readonly alloc: Allocation;
  readonly atNs: number;
}

/** Nomad's DesiredUpdates counters per task group (plan annotations). */
export interface DesiredUpdates {
  Ignore: number;
  Place: number;
  Migrate: number;
  Stop: number;
  InPlaceUpdate: number;
  DestructiveUpdate: number;
  Reschedule: number;
  Lost: number;
}

export interface ReconcileResult {
  readonly place: PlaceRequest[];
  readonly stop: StopRequest[];
  readonly inPlace: Allocation[];
  readonly delayed: DelayedReschedule[];
  readonly desired: Record<string, DesiredUpdates>;
}

export interface ReconcileInput {
  /** null when the job was deregistered (purged). */
  readonly job: Job | null;
  readonly allocs: readonly Allocation[];
  /** Returns undefined for nodes that no longer exist. */
  readonly nodeByID: (id: string) => Node | undefined;
  readonly nowNs: number;
  /** The eval being processed: a follow-up eval releases the reschedules it was created for. */
  readonly evalID: string;
  readonly batch: boolean;
}

const emptyDesired = (): DesiredUpdates => ({
  Ignore: 0,
  Place: 0,
  Migrate: 0,
  Stop: 0,
  InPlaceUpdate: 0,
  DestructiveUpdate: 0,
  Reschedule: 0,
  Lost: 0,
});

function nodeDown(node: Node | undefined): boolean {
  return node === undefined || node.Status === "down" || node.Status === "disconnected";
}

function wantsMigration(a: Allocation, node: Node | undefined): boolean {
  return a.DesiredTransition.Migrate === true || (node !== undefined && node.DrainStrategy !== null);
}

/**
 * Decides, per task group, what to place, stop, update and reschedule so that the job's
 * allocations converge on its spec. Pure: reads its input, returns requests.
 */
export function reconcile(input: ReconcileInput): ReconcileResult {
  const { job, nowNs } = input;
  const result: ReconcileResult = { place: [], stop: [], inPlace: [], delayed: [], desired: {} };
  const groups = new Map<string, TaskGroup>();
  if (job !== null && !job.Stop) for (const g of job.TaskGroups) groups.set(g.Name, g);

  const byGroup = new Map<string, Allocation[]>();
  for (const a of input.allocs) {
    let l = byGroup.get(a.TaskGroup);
    if (l === undefined) byGroup.set(a.TaskGroup, (l = []));
    l.push(a);
  }

  // Groups that are gone (or a stopped/purged job): stop everything still wanted running.
  for (const [name, allocs] of byGroup) {
    if (groups.has(name)) continue;
    const d = (result.desired[name] = emptyDesired());
    for (const a of allocs) {
      if (
        a.DesiredStatus !== "run" ||
        a.ClientStatus === "complete" ||
        a.ClientStatus === "failed" ||
        a.ClientStatus === "lost"
      )
        continue;
      result.stop.push({ alloc: a, description: ALLOC_NOT_NEEDED, clientStatus: null });
      d.Stop++;
    }
  }
  if (job === null || job.Stop) return result;

  for (const group of job.TaskGroups) {
    const d = (result.desired[group.Name] = emptyDesired());
    const allocs = byGroup.get(group.Name) ?? [];
    /** Allocations that hold a slot (by name) after this pass. */
    const keep: Allocation[] = [];
    const replace: PlaceRequest[] = [];
    const held = new Set<number>();

    for (const a of allocs) {
      if (a.DesiredStatus !== "run") continue; // already being stopped
      if (a.NextAllocation !== "") continue; // already replaced
      const node = input.nodeByID(a.NodeID);
      const status = a.ClientStatus;
      if (status === "lost") {
        // With prevent_reschedule_on_lost the lost allocation keeps its slot: nothing replaces it.
        if (group.PreventRescheduleOnLost) held.add(allocIndex(a.Name));
        continue;
      }
      if (status === "complete") {
        // Batch work that finished holds its slot; a service that exits is replaced.
        if (input.batch) {
          keep.push(a);
          d.Ignore++;
        }
        continue;
      }
      if (status === "failed") {
        if (!rescheduleEligible(a, group.ReschedulePolicy, nowNs)) {
          keep.push(a);
          d.Ignore++;
          continue;
        }
        const policy = group.ReschedulePolicy!;
        const at = failedAtNs(a) + rescheduleDelay(a, policy);
        const released = a.FollowupEvalID !== "" && a.FollowupEvalID === input.evalID;
        if (released || at <= nowNs + RESCHEDULE_WINDOW_NS) {
          replace.push({
            group,
            name: a.Name,
            previous: a,
            reschedule: true,
            penaltyNodes: penaltyNodes(a),
            stopPrevious: null,
          });
          d.Reschedule++;
        } else {
          if (a.FollowupEvalID === "") result.delayed.push({ alloc: a, atNs: at });
          keep.push(a);
          d.Ignore++;
        }
        continue;
      }
      // pending / running / unknown
      if (nodeDown(node)) {
        result.stop.push({ alloc: a, description: ALLOC_LOST, clientStatus: "lost" });
        d.Lost++;
        if (group.PreventRescheduleOnLost) held.add(allocIndex(a.Name));
        else
          replace.push({
            group,
            name: a.Name,
            previous: a,
            reschedule: false,
            penaltyNodes: null,
            stopPrevious: null,
          });
        continue;
      }
      if (wantsMigration(a, node)) {
        replace.push({
          group,
          name: a.Name,
          previous: a,
          reschedule: false,
          penaltyNodes: null,
          stopPrevious: { description: ALLOC_MIGRATING },
        });
        d.Migrate++;
        continue;
      }
      keep.push(a);
    }

    // Count: slots are names `<job>.<group>[i]`, i < Count. Replacements keep their name.
    const taken = new Set<number>(held);
    const survivors: Allocation[] = [];
    const ordered = keep.concat().sort((x, y) => allocIndex(x.Name) - allocIndex(y.Name));
    for (const a of ordered) {
      const idx = allocIndex(a.Name);
      if (idx < 0 || idx >= group.Count || taken.has(idx)) {
        if (a.ClientStatus !== "complete" && a.ClientStatus !== "failed") {
          result.stop.push({ alloc: a, description: ALLOC_NOT_NEEDED, clientStatus: null });
          d.Stop++;
        }
        continue;
      }
      taken.add(idx);
      survivors.push(a);
    }
    for (const r of replace) {
      const idx = allocIndex(r.name);
      if (idx < 0 || idx >= group.Count || taken.has(idx)) {
        // The slot is gone (count shrank): a lost or migrating alloc is simply not replaced.
        if (r.stopPrevious !== null) {
          result.stop.push({ alloc: r.previous!, description: ALLOC_NOT_NEEDED, clientStatus: null });
          d.Stop++;
        }
        continue;
      }
      taken.add(idx);
      result.place.push(r);
      d.Place++;
    }

    // Job updates on the survivors.
    for (const a of survivors) {
      if (a.ClientStatus === "complete" || a.ClientStatus === "failed") continue;
      if (!jobChanged(a.Job, job)) {
        d.Ignore++;
        continue;
      }
      if (needsDestructiveUpdate(a.Job, job, group.Name)) {
        result.place.push({
          group,
          name: a.Name,
          previous: a,
          reschedule: false,
          penaltyNodes: null,
          stopPrevious: { description: ALLOC_UPDATING },
        });
        d.DestructiveUpdate++;
      } else {
        result.inPlace.push({ ...a, Job: job, DesiredDescription: ALLOC_IN_PLACE, ModifyTime: nowNs });
        d.InPlaceUpdate++;
      }
    }

    // Missing slots.
    for (let i = 0; i < group.Count; i++) {
      if (taken.has(i)) continue;
      result.place.push({
        group,
        name: allocName(job.ID, group.Name, i),
        previous: null,
        reschedule: false,
        penaltyNodes: null,
        stopPrevious: null,
      });
      d.Place++;
    }
  }
  return result;
}
