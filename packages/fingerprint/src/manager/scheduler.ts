// The manager's only view of time: a clock and one-shot timers. Injected so tests drive
// refreshes with a fake clock (testing.ts: FakeScheduler) and nothing sleeps.

export interface Scheduler {
  nowMs(): number;
  /** Runs `task` once after `delayMs`; returns a function that cancels it. */
  schedule(delayMs: number, task: () => void): () => void;
}

/** Real timers. Unref'd: a fingerprint refresh alone must not keep a process alive. */
export class TimerScheduler implements Scheduler {
  nowMs(): number {
    return Date.now();
  }

  schedule(delayMs: number, task: () => void): () => void {
    const handle = setTimeout(task, delayMs);
    handle.unref();
    return () => clearTimeout(handle);
  }
}
