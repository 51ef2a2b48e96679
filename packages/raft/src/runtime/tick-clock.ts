// Ticks by elapsed monotonic time. A setInterval timer that is late (an event-loop stall, a GC
// pause, SIGSTOP) fires once, not once per missed interval, so counting its callbacks would let the
// core's clock fall behind real time: a stalled leader would keep serving lease reads on a lease
// that had already expired, and a stalled follower would not notice its leader had gone quiet.
import type { CoreTiming } from "./config.js";

export class TickClock {
  private last: number;
  /** Ticks dropped because a pause outran `maxTicks` (for stats and tests). */
  dropped = 0;

  constructor(
    private readonly tickMs: number,
    private readonly maxTicks: number,
    private readonly now: () => number,
  ) {
    this.last = now();
  }

  /**
   * How many ticks are due since the last call: one per elapsed `tickMs`, keeping the remainder
   * for next time (no drift). A longer pause yields at most `maxTicks`; the surplus is dropped.
   */
  due(): number {
    const now = this.now();
    const elapsed = now - this.last;
    if (!(elapsed >= this.tickMs)) return 0; // also a clock that went backwards (a test's fake one)
    const n = Math.floor(elapsed / this.tickMs);
    if (n <= this.maxTicks) {
      this.last += n * this.tickMs;
      return n;
    }
    this.last = now;
    this.dropped += n - this.maxTicks;
    return this.maxTicks;
  }
}

/**
 * The most ticks replayed after one pause: twice the longest timeout the core counts (an election
 * timeout plus its full jitter; the lease, check-quorum, heartbeat, commit, unreachability and
 * transfer timeouts are all shorter). After that many ticks every one of them has expired, so
 * replaying more would change no decision: it would only spin the CPU (a 10-minute SIGSTOP is
 * 60,000 ticks at 10 ms) and queue a heartbeat round per interval, while messages wait.
 */
export function maxCatchUpTicks(t: Pick<CoreTiming, "electionTicks" | "electionJitterTicks">): number {
  return 2 * (t.electionTicks + t.electionJitterTicks);
}
