// A small, fast, seeded PRNG: xoroshiro64** (64 bits of state in two 32-bit words, 32-bit output).
// The simulator draws everything from one of these (faults included), so a seed replays a run
// exactly. Sub-streams (`fork`) keep unrelated consumers from shifting each other's draws when one
// of them changes how many numbers it takes.

const TWO_POW_32 = 0x1_0000_0000;

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** splitmix32: spreads a seed's bits so that nearby seeds give unrelated streams. */
function splitmix32(state: number): [next: number, out: number] {
  const next = (state + 0x9e3779b9) >>> 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad) >>> 0;
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97) >>> 0;
  return [next, (z ^ (z >>> 15)) >>> 0];
}

export class Prng {
  private s0: number;
  private s1: number;

  /** `seed` may be any safe integer (or a float; its bits are mixed in). */
  constructor(seed: number) {
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO_POW_32) >>> 0;
    let state = (lo ^ Math.imul(hi, 0x85ebca6b)) >>> 0;
    let out: number;
    [state, out] = splitmix32(state);
    this.s0 = out;
    [state, out] = splitmix32(state ^ hi);
    this.s1 = out;
    // The all-zero state is the generator's one fixed point.
    if (this.s0 === 0 && this.s1 === 0) this.s1 = 1;
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    const s0 = this.s0;
    let s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s0, 0x9e3779bb) >>> 0, 5), 5) >>> 0;
    s1 = (s1 ^ s0) >>> 0;
    this.s0 = (rotl(s0, 26) ^ s1 ^ (s1 << 9)) >>> 0;
    this.s1 = rotl(s1, 13);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of precision. */
  float(): number {
    return this.nextU32() / TWO_POW_32;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(n >= 1)) throw new RangeError(`Prng.int: n must be >= 1, got ${n}`);
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** Uniform real in [lo, hi). */
  between(lo: number, hi: number): number {
    return lo + this.float() * (hi - lo);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return p > 0 && this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("Prng.pick: empty list");
    return items[this.int(items.length)] as T;
  }

  /** Fisher-Yates shuffle of a copy. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = out[i] as T;
      out[i] = out[j] as T;
      out[j] = t;
    }
    return out;
  }

  /** An independent stream derived from this one's next draws (advances this stream by two draws). */
  fork(): Prng {
    // 21 + 32 bits: the largest seed that stays an exact (safe) integer.
    const hi = this.nextU32() & 0x1f_ffff;
    const lo = this.nextU32();
    return new Prng(hi * TWO_POW_32 + lo);
  }

  /** A `() => number` in [0, 1), the shape CoreConfig.random expects. */
  asRandom(): () => number {
    return () => this.float();
  }
}
