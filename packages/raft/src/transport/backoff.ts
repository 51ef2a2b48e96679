// Reconnect delays: exponential from min to max, with "equal jitter" (half fixed, half random) so
// that the peers of a restarted node do not all dial it in the same millisecond, while the delay
// never falls below half its nominal value.
export class Backoff {
  private failures = 0;

  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt; each call counts one more failure. */
  next(): number {
    const nominal = Math.min(this.maxMs, this.minMs * 2 ** Math.min(this.failures, 30));
    this.failures += 1;
    return Math.max(this.minMs, Math.round(nominal / 2 + (this.random() * nominal) / 2));
  }

  reset(): void {
    this.failures = 0;
  }
}
