// A small seeded PRNG (sfc32 seeded through splitmix32): the core draws every random choice
// from an injected Random, so one seed replays a whole simulation.
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
}

export class SeededRandom implements Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: number) {
    let s = seed >>> 0;
    const mix = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
  }
  next(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) >>> 0;
    return t / 4294967296;
  }
}

export function randomInt(r: Random, n: number): number {
  return Math.floor(r.next() * n);
}

/** Fisher-Yates in place over member ids. */
export function shuffleIds(r: Random, a: Int32Array): Int32Array {
  for (let i = a.length - 1; i > 0; i--) {
    const j = randomInt(r, i + 1);
    const t = a[i] as number;
    a[i] = a[j] as number;
    a[j] = t;
  }
  return a;
}
