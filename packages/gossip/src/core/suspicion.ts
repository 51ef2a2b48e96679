// Lifeguard's suspicion timer: it starts at `max` and shrinks logarithmically toward `min`
// as independent confirmations (suspect messages from other members) arrive; `k` is how
// many are needed to reach `min`. Pure arithmetic over injected times.
export class Suspicion {
  private readonly confirmations = new Set<string>();
  private n = 0;
  deadlineMs: number;

  constructor(
    from: string,
    private readonly k: number,
    private readonly minMs: number,
    private readonly maxMs: number,
    private readonly startMs: number,
  ) {
    // The accuser's own message is not a confirmation.
    this.confirmations.add(from);
    this.deadlineMs = startMs + (k < 1 ? minMs : maxMs);
  }

  /** Records a confirmation; true when it is new (and so worth re-gossiping). */
  confirm(from: string): boolean {
    if (this.n >= this.k || this.confirmations.has(from)) return false;
    this.confirmations.add(from);
    this.n++;
    this.deadlineMs = this.startMs + suspicionRemainingMs(this.n, this.k, this.minMs, this.maxMs);
    return true;
  }
}

export function suspicionRemainingMs(n: number, k: number, minMs: number, maxMs: number): number {
  const frac = Math.log(n + 1) / Math.log(k + 1);
  const raw = maxMs - frac * (maxMs - minMs);
  return Math.max(minMs, Math.floor(raw));
}

/** memberlist suspicionTimeout: mult × max(1, log10(n)) × interval. */
export function suspicionTimeoutMs(mult: number, n: number, intervalMs: number): number {
  const scale = Math.max(1, Math.log10(Math.max(1, n)));
  return Math.floor((mult * Math.floor(scale * 1000) * intervalMs) / 1000);
}

/** Lifeguard local health: a score in [0, max) that multiplies probe interval and timeout. */
export class Awareness {
  score = 0;
  constructor(private readonly max: number) {}
  apply(delta: number): void {
    this.score = Math.min(this.max - 1, Math.max(0, this.score + delta));
  }
  scale(ms: number): number {
    return ms * (this.score + 1);
  }
}
