import type { Allocation, ReschedulePolicy } from "@nomad/structs";

/** Failures due within this window are rescheduled now rather than via a follow-up eval (Nomad: 1 s). */
export const RESCHEDULE_WINDOW_NS = 1_000_000_000;

/** Whether the policy still allows another attempt for this allocation at `nowNs`. */
export function rescheduleEligible(
  alloc: Allocation,
  policy: ReschedulePolicy | null,
  nowNs: number,
): boolean {
  if (policy === null) return false;
  if (policy.Unlimited) return true;
  if (policy.Attempts <= 0) return false;
  const events = alloc.RescheduleTracker?.Events ?? [];
  let recent = 0;
  for (const e of events) if (policy.Interval <= 0 || e.RescheduleTime > nowNs - policy.Interval) recent++;
  return recent < policy.Attempts;
}

/** Delay before the next attempt: constant, exponential (doubling) or fibonacci, capped by MaxDelay. */
export function rescheduleDelay(alloc: Allocation, policy: ReschedulePolicy): number {
  const events = alloc.RescheduleTracker?.Events ?? [];
  const cap = (d: number): number => (policy.MaxDelay > 0 && d > policy.MaxDelay ? policy.MaxDelay : d);
  if (policy.DelayFunction === "constant" || events.length === 0) return cap(policy.Delay);
  const last = events[events.length - 1]!.Delay || policy.Delay;
  if (policy.DelayFunction === "exponential") return cap(last * 2);
  // fibonacci: the sum of the last two delays (the first two are both Delay)
  if (events.length === 1) return cap(last);
  const prev = events[events.length - 2]!.Delay || policy.Delay;
  return cap(last + prev);
}

/** When the allocation failed: the latest task finish time, else its last modification. */
export function failedAtNs(alloc: Allocation): number {
  let latest = 0;
  for (const name in alloc.TaskStates) {
    const f = alloc.TaskStates[name]?.FinishedAt ?? "";
    if (f === "" || f.startsWith("0001-")) continue;
    const ns = rfc3339ToNs(f);
    if (ns !== null && ns > latest) latest = ns;
  }
  return latest > 0 ? latest : alloc.ModifyTime;
}

/** Nodes a rescheduled allocation should avoid: every node it (and its predecessors) failed on. */
export function penaltyNodes(alloc: Allocation): Set<string> {
  const out = new Set<string>([alloc.NodeID]);
  for (const e of alloc.RescheduleTracker?.Events ?? []) if (e.PrevNodeID !== "") out.add(e.PrevNodeID);
  return out;
}

/** RFC 3339 to Unix nanoseconds without the (banned in cores) Date object. */
export function rfc3339ToNs(text: string): number | null {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (m === null) return null;
  let y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  // days from civil (proleptic Gregorian), epoch 1970-01-01
  y -= mo <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  const days = era * 146097 + doe - 719468;
  let seconds = days * 86400 + Number(m[4]) * 3600 + Number(m[5]) * 60 + Number(m[6]);
  const zone = m[8]!;
  if (zone !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    seconds -= sign * (Number(zone.slice(1, 3)) * 3600 + Number(zone.slice(4, 6)) * 60);
  }
  const frac = m[7] === undefined ? 0 : Math.round(Number(`0${m[7]}`) * 1e9);
  return seconds * 1e9 + frac;
}
