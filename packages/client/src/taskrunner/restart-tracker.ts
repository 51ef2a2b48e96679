// Nomad's restart tracker: decides, after a task exits or fails to start, whether it
// restarts and after how long. Pure: the caller passes the time and the randomness.
//
// - A batch/sysbatch task that exits successfully is done ("Restart unnecessary...").
// - Otherwise each restart counts within `Interval` (the window opens at the first restart
//   after the previous window ended). Up to `Attempts` restarts wait `Delay` + up to 25 %
//   jitter. Past that, mode "fail" gives up (the task fails) and mode "delay" waits for the
//   window to end, then starts a new one.

import { formatDurationNs, NS_PER_MS, type RestartPolicy } from "@nomad/structs";

export const REASON_WITHIN_POLICY = "Restart within policy";
export const REASON_NO_RESTARTS_ALLOWED = "Policy allows no restarts";
export const REASON_UNRECOVERABLE = "Error was unrecoverable";
export const REASON_UNNECESSARY = "Restart unnecessary as task terminated successfully";
export const REASON_DELAY = "Exceeded allowed attempts, applying a delay";
/** Nomad jitters restart delays by up to this fraction of `Delay`. */
export const RESTART_JITTER_FRACTION = 0.25;

export type RestartDecision =
  { restart: true; delayMs: number; reason: string } | { restart: false; failed: boolean; reason: string };

export interface ExitOutcome {
  /** The task ran and exited successfully (exit 0, no signal, no error). */
  successful: boolean;
  /** Set when the task could not start; `recoverable` errors are retried like failures. */
  startError?: { recoverable: boolean } | undefined;
}

export class RestartTracker {
  private windowStartMs = -1;
  private count = 0;

  constructor(
    private readonly policy: RestartPolicy,
    private readonly batch: boolean,
    private readonly random: () => number = Math.random,
  ) {}

  decide(outcome: ExitOutcome, nowMs: number): RestartDecision {
    if (outcome.startError !== undefined && !outcome.startError.recoverable) {
      return { restart: false, failed: true, reason: REASON_UNRECOVERABLE };
    }
    if (outcome.startError === undefined && outcome.successful && this.batch) {
      return { restart: false, failed: false, reason: REASON_UNNECESSARY };
    }
    if (this.policy.Attempts === 0 && this.policy.Mode === "fail") {
      return { restart: false, failed: true, reason: REASON_NO_RESTARTS_ALLOWED };
    }
    const intervalMs = this.policy.Interval / NS_PER_MS;
    if (this.windowStartMs < 0 || nowMs > this.windowStartMs + intervalMs) {
      this.windowStartMs = nowMs;
      this.count = 0;
    }
    this.count += 1;
    if (this.count > this.policy.Attempts) {
      if (this.policy.Mode === "fail") {
        return {
          restart: false,
          failed: true,
          reason: `Exceeded allowed attempts ${this.policy.Attempts} in interval ${formatDurationNs(this.policy.Interval)} and mode is "fail"`,
        };
      }
      // Delay mode: wait out the window, then the next start opens a fresh one.
      const delayMs = Math.max(0, this.windowStartMs + intervalMs - nowMs);
      this.windowStartMs = -1;
      return { restart: true, delayMs, reason: REASON_DELAY };
    }
    return { restart: true, delayMs: this.jitteredDelayMs(), reason: REASON_WITHIN_POLICY };
  }

  private jitteredDelayMs(): number {
    const delayMs = this.policy.Delay / NS_PER_MS;
    return delayMs + Math.floor(this.random() * delayMs * RESTART_JITTER_FRACTION);
  }
}
