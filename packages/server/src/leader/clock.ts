/** Opaque timer handle of an injected clock. */
export type TimerHandle = unknown;

/**
 * Time as the leader sees it. Injected so the broker, heartbeat timers and GC schedule can be
 * driven by a manual clock in tests; `systemClock` is the real one.
 */
export interface LeaderClock {
  nowMs(): number;
  /** Unix nanoseconds (the unit of Nomad's CreateTime/ModifyTime/WaitUntil). */
  nowNs(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: LeaderClock = {
  nowMs: () => Date.now(),
  nowNs: () => Date.now() * 1_000_000,
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, Math.max(0, ms));
    // Leader timers never keep a process alive on their own: stop() clears them anyway.
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

interface ManualTimer {
  id: number;
  atMs: number;
  fn: () => void;
}

/**
 * A clock that only moves when told to. `advance(ms)` fires due timers in time order
 * (ties in creation order), letting promise chains settle between them.
 */
export class ManualClock implements LeaderClock {
  private now: number;
  private nextID = 1;
  private timers: ManualTimer[] = [];

  constructor(startMs = 1_700_000_000_000) {
    this.now = startMs;
  }

  nowMs(): number {
    return this.now;
  }

  nowNs(): number {
    return this.now * 1_000_000;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t = { id: this.nextID++, atMs: this.now + Math.max(0, ms), fn };
    this.timers.push(t);
    return t.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /** Timers still armed. */
  pending(): number {
    return this.timers.length;
  }

  /** When the next timer fires, or undefined. */
  nextTimerMs(): number | undefined {
    let min: number | undefined;
    for (const t of this.timers) if (min === undefined || t.atMs < min) min = t.atMs;
    return min;
  }

  /** Moves time forward by `ms`, firing every timer that comes due (also ones armed meanwhile). */
  async advance(ms: number): Promise<void> {
    const target = this.now + ms;
    for (;;) {
      await settle();
      let next: ManualTimer | undefined;
      for (const t of this.timers) {
        if (t.atMs > target) continue;
        if (next === undefined || t.atMs < next.atMs || (t.atMs === next.atMs && t.id < next.id)) next = t;
      }
      if (next === undefined) break;
      const fire = next;
      this.timers = this.timers.filter((t) => t !== fire);
      this.now = Math.max(this.now, fire.atMs);
      fire.fn();
    }
    this.now = target;
    await settle();
  }
}

/** Lets pending promise callbacks and I/O callbacks run (a few macrotask turns). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
