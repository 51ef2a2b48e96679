import type { GcClock } from "../snapshot.js";

export function fixedClock(nowUnixNs: number): GcClock {
  return { nowUnixNs: () => nowUnixNs };
}

export interface ManualClock extends GcClock {
  advance(ns: number): void;
}

/** A clock a test moves by hand. */
export function manualClock(startUnixNs: number): ManualClock {
  let now = startUnixNs;
  return {
    nowUnixNs: () => now,
    advance: (ns: number) => {
      now += ns;
    },
  };
}
