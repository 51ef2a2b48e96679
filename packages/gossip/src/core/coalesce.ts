// Event coalescing as Serf's library does it (coalesceLoop + its member and user-event
// coalescers), on the injected clock. Off unless both periods are > 0 (Serf's DefaultConfig
// leaves them 0; the serf agent sets 3 s / 1 s for member and user events).
//
// A window opens with the first handled event: it flushes at open + coalescePeriod, or
// earlier once quiescentPeriod passes without another handled event (each one pushes the
// quiescent deadline back). Unhandled events pass straight through.
//
// Members: within a window only the newest event per member counts, and a member's event is
// dropped at flush if it equals the last one delivered for that member (same type; for
// member-update also the same member data). What remains goes out as one event per type.
// User events (only those sent with coalesce = true): per event name only the events with
// the highest Lamport time survive the window (all of them if several share that time).
import type { Member, MemberEvent, MemberEventType, SerfEvent, UserEvent } from "./serf-types.js";

/** Flush order of member event types (Serf's map order is random; ours is fixed). */
const MEMBER_TYPES: readonly MemberEventType[] = [
  "member-join",
  "member-update",
  "member-leave",
  "member-failed",
  "member-reap",
];

interface Window {
  quantumAtMs: number;
  quiescentAtMs: number;
}

class Timing {
  private w: Window | null = null;
  constructor(
    private readonly periodMs: number,
    private readonly quiescentMs: number,
  ) {}
  touch(nowMs: number): void {
    this.w ??= { quantumAtMs: nowMs + this.periodMs, quiescentAtMs: 0 };
    this.w.quiescentAtMs = nowMs + this.quiescentMs;
  }
  dueAt(): number {
    return this.w === null ? Infinity : Math.min(this.w.quantumAtMs, this.w.quiescentAtMs);
  }
  reset(): void {
    this.w = null;
  }
}

function sameMember(a: Member, b: Member): boolean {
  if (a.name !== b.name || a.status !== b.status) return false;
  if (a.addr.host !== b.addr.host || a.addr.port !== b.addr.port) return false;
  if (a.vsn.length !== b.vsn.length || a.vsn.some((v, i) => v !== b.vsn[i])) return false;
  const ka = Object.keys(a.tags);
  return ka.length === Object.keys(b.tags).length && ka.every((k) => a.tags[k] === b.tags[k]);
}

export class MemberCoalescer {
  private readonly timing: Timing;
  private pending = new Map<string, { type: MemberEventType; member: Member }>();
  /** Last delivered event per member name (dropped after a reap: the name is gone). */
  private readonly last = new Map<string, { type: MemberEventType; member: Member }>();

  constructor(periodMs: number, quiescentMs: number) {
    this.timing = new Timing(periodMs, quiescentMs);
  }

  push(e: MemberEvent, nowMs: number): void {
    this.timing.touch(nowMs);
    for (const m of e.members) this.pending.set(m.name, { type: e.type, member: m });
  }

  dueAt(): number {
    return this.timing.dueAt();
  }

  flush(out: (e: SerfEvent) => void): void {
    this.timing.reset();
    const byType = new Map<MemberEventType, Member[]>();
    for (const [name, e] of this.pending) {
      const prev = this.last.get(name);
      if (prev !== undefined && prev.type === e.type) {
        if (e.type !== "member-update" || sameMember(prev.member, e.member)) continue;
      }
      if (e.type === "member-reap") this.last.delete(name);
      else this.last.set(name, e);
      const list = byType.get(e.type) ?? [];
      list.push(e.member);
      byType.set(e.type, list);
    }
    this.pending = new Map();
    for (const t of MEMBER_TYPES) {
      const members = byType.get(t);
      if (members !== undefined) out({ type: t, members });
    }
  }
}

export class UserEventCoalescer {
  private readonly timing: Timing;
  private latest = new Map<string, { ltime: bigint; events: UserEvent[] }>();

  constructor(periodMs: number, quiescentMs: number) {
    this.timing = new Timing(periodMs, quiescentMs);
  }

  push(e: UserEvent, nowMs: number): void {
    this.timing.touch(nowMs);
    const cur = this.latest.get(e.name);
    if (cur === undefined || cur.ltime < e.ltime) this.latest.set(e.name, { ltime: e.ltime, events: [e] });
    else if (cur.ltime === e.ltime) cur.events.push(e);
  }

  dueAt(): number {
    return this.timing.dueAt();
  }

  flush(out: (e: SerfEvent) => void): void {
    this.timing.reset();
    for (const { events } of this.latest.values()) for (const e of events) out(e);
    this.latest = new Map();
  }
}

export interface CoalesceOptions {
  /** Member events: window length; 0 = off (Serf library default). Agent: 3000. */
  readonly coalescePeriodMs?: number;
  /** Member events: flush early after this long without one; 0 = off. Agent: 1000. */
  readonly quiescentPeriodMs?: number;
  /** User events with coalesce = true: window length; 0 = off. Agent: 3000. */
  readonly userCoalescePeriodMs?: number;
  /** User events: flush early after this long without one; 0 = off. Agent: 1000. */
  readonly userQuiescentPeriodMs?: number;
}

/** Both coalescers in front of an event sink, each on only when both its periods are > 0. */
export class EventCoalescing {
  private readonly members: MemberCoalescer | null;
  private readonly users: UserEventCoalescer | null;

  constructor(
    o: CoalesceOptions,
    private readonly out: (e: SerfEvent) => void,
  ) {
    const on = (a = 0, b = 0) => a > 0 && b > 0;
    this.members = on(o.coalescePeriodMs, o.quiescentPeriodMs)
      ? new MemberCoalescer(o.coalescePeriodMs ?? 0, o.quiescentPeriodMs ?? 0)
      : null;
    this.users = on(o.userCoalescePeriodMs, o.userQuiescentPeriodMs)
      ? new UserEventCoalescer(o.userCoalescePeriodMs ?? 0, o.userQuiescentPeriodMs ?? 0)
      : null;
  }

  push(e: SerfEvent, nowMs: number): void {
    if (e.type === "user") {
      if (this.users !== null && e.coalesce) return this.users.push(e, nowMs);
    } else if (e.type !== "query" && this.members !== null) return this.members.push(e, nowMs);
    this.out(e);
  }

  nextWakeMs(): number {
    return Math.min(this.members?.dueAt() ?? Infinity, this.users?.dueAt() ?? Infinity);
  }

  tick(nowMs: number): void {
    if (this.members !== null && nowMs >= this.members.dueAt()) this.members.flush(this.out);
    if (this.users !== null && nowMs >= this.users.dueAt()) this.users.flush(this.out);
  }
}
