// Virtual time for the manager: nothing runs until the test advances the clock, and
// advancing runs every due task in time order, letting each task's promises settle
// before the next one fires (fingerprinters are async).

import { setImmediate as nextMacrotask } from "node:timers/promises";
import type { Scheduler } from "../manager/scheduler.js";

interface Task {
  at: number;
  seq: number;
  run: () => void;
  cancelled: boolean;
}

export class FakeScheduler implements Scheduler {
  private now: number;
  private seq = 0;
  private tasks: Task[] = [];

  constructor(startMs = 0) {
    this.now = startMs;
  }

  nowMs(): number {
    return this.now;
  }

  schedule(delayMs: number, run: () => void): () => void {
    const task: Task = { at: this.now + Math.max(0, delayMs), seq: this.seq++, run, cancelled: false };
    this.tasks.push(task);
    return () => {
      task.cancelled = true;
    };
  }

  /** Tasks scheduled and not yet run or cancelled. */
  pending(): number {
    return this.tasks.filter((t) => !t.cancelled).length;
  }

  /** Moves the clock forward by `ms`, running every task that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.now + ms;
    // Work started just before the call (e.g. an un-awaited start()) schedules its timers
    // in promise callbacks: let those run before deciding what is due.
    await settle();
    for (;;) {
      this.tasks = this.tasks.filter((t) => !t.cancelled);
      const due = this.tasks.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (due === undefined) break;
      this.tasks.splice(this.tasks.indexOf(due), 1);
      this.now = due.at;
      due.run();
      await settle();
    }
    this.now = target;
    await settle();
  }
}

/** Lets chained promises of in-memory probes finish (they resolve within a few turns). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await nextMacrotask();
}
