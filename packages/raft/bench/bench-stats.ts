// Statistics exactly as the Go harness computes them: nearest-rank percentiles, ms rounded to µs.

/** Nearest rank: the value at ceil(p * n) - 1 of the sorted samples. */
export function percentile(sorted: Float64Array | number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[i]!;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** A growable buffer of latency samples in ms. */
export class Samples {
  private buf = new Float64Array(1 << 16);
  length = 0;

  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }

  sorted(): Float64Array {
    return this.buf.slice(0, this.length).sort();
  }
}
