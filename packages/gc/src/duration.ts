import { z } from "zod";

// Nomad reads its agent durations with Go's time.ParseDuration: a sequence of decimal
// numbers, each with a unit ("24h", "1h30m", "1.5h", "300ms", "2us"). A bare "0" is
// allowed. Negative values parse in Go but make no sense for a GC threshold, so they are
// rejected here. @nomad/structs only has nanosecond constants, not a parser, hence this.

const UNIT_NS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  µs: 1e3, // U+00B5 micro sign
  μs: 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

const PART = /(\d*\.?\d*)(ns|us|µs|μs|ms|s|m|h)/y;

/** Parses a Go duration string into nanoseconds; throws a RangeError naming the input. */
export function parseDurationNs(text: string): number {
  const s = text.trim();
  if (s === "0") return 0;
  if (s === "") throw new RangeError(`invalid duration "${text}": empty`);
  let total = 0;
  PART.lastIndex = 0;
  let at = 0;
  while (at < s.length) {
    PART.lastIndex = at;
    const m = PART.exec(s);
    if (m === null || m.index !== at) throw new RangeError(`invalid duration "${text}"`);
    const digits = m[1] ?? "";
    if (digits === "" || digits === ".") throw new RangeError(`invalid duration "${text}": missing number`);
    total += Number(digits) * (UNIT_NS[m[2] ?? ""] ?? Number.NaN);
    at = PART.lastIndex;
  }
  if (!Number.isFinite(total)) throw new RangeError(`invalid duration "${text}"`);
  return Math.round(total);
}

/** Renders nanoseconds the way Go prints a time.Duration ("24h0m0s", "1m30s", "500ms"). */
export function formatDurationNs(ns: number): string {
  if (ns === 0) return "0s";
  if (ns < 1e3) return `${ns}ns`;
  if (ns < 1e6) return `${ns / 1e3}µs`;
  if (ns < 1e9) return `${ns / 1e6}ms`;
  const h = Math.floor(ns / 3600e9);
  const m = Math.floor((ns - h * 3600e9) / 60e9);
  const sec = (ns - h * 3600e9 - m * 60e9) / 1e9;
  if (h > 0) return `${h}h${m}m${sec}s`;
  if (m > 0) return `${m}m${sec}s`;
  return `${sec}s`;
}

/**
 * A config duration: Nomad's string forms, or a non-negative integer of nanoseconds (the
 * form Nomad's JSON API uses for time.Duration). Output is always nanoseconds.
 */
export function durationNs(fallback: string) {
  return z
    .union([z.string(), z.number().int().nonnegative()])
    .optional()
    .transform((v, ctx): number => {
      if (v === undefined) return parseDurationNs(fallback);
      if (typeof v === "number") return v;
      try {
        return parseDurationNs(v);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: (e as Error).message });
        return z.NEVER;
      }
    });
}
