/** mulberry32: a tiny seeded PRNG, so one seed reproduces a whole scheduling run. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deterministic UUID-shaped IDs from a counter. */
export function sequentialIDs(prefix = "00000000"): () => string {
  let n = 0;
  return () => {
    n++;
    const hex = n.toString(16).padStart(12, "0");
    return `${prefix}-0000-4000-8000-${hex}`;
  };
}
