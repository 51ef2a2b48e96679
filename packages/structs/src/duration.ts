/** Nomad's JSON carries every duration as integer nanoseconds (Go's time.Duration). */
export const NS_PER_MS = 1_000_000;
export const NS_PER_SECOND = 1_000_000_000;
export const NS_PER_MINUTE = 60 * NS_PER_SECOND;
export const NS_PER_HOUR = 60 * NS_PER_MINUTE;

export const seconds = (n: number): number => n * NS_PER_SECOND;
export const minutes = (n: number): number => n * NS_PER_MINUTE;
export const hours = (n: number): number => n * NS_PER_HOUR;

// Go duration strings, as Nomad's job files ("10s", "1h30m") and agent config
// ("24h", "300ms") write them. The grammar is Go's time.ParseDuration: an optional sign,
// then one or more <decimal number><unit> pairs, or a bare "0". Facts from Go's
// src/time/format.go; the code is ours.

const UNIT_NS: ReadonlyMap<string, number> = new Map([
  ["ns", 1],
  ["us", 1_000],
  ["µs", 1_000], // U+00B5 micro sign
  ["μs", 1_000], // U+03BC Greek small letter mu
  ["ms", NS_PER_MS],
  ["s", NS_PER_SECOND],
  ["m", NS_PER_MINUTE],
  ["h", NS_PER_HOUR],
]);
const UNIT_LIST = "ns, us, µs, ms, s, m, h";

/**
 * Go's time.Duration is an int64 of nanoseconds, at most 2^63 - 1 (about 292 years). As a
 * double that limit rounds to 2^63, so values within a few hundred ns of it are accepted.
 */
export const MAX_DURATION_NS = 2 ** 63 - 1;

// Fraction digits beyond this are below a nanosecond for every unit (an hour is 3.6e12 ns)
// and would make the digit string lose precision as a double.
const MAX_FRACTION_DIGITS = 15;

/** A Go duration string that does not parse; `reason` says what was wrong, `input` is verbatim. */
export class DurationParseError extends RangeError {
  readonly code = "INVALID_DURATION" as const;
  constructor(
    readonly input: string,
    readonly reason: string,
  ) {
    super(`invalid duration ${JSON.stringify(input)}: ${reason}`);
    this.name = "DurationParseError";
  }
}

export interface ParseDurationOptions {
  /**
   * Go accepts "-5s"; almost no Nomad setting means anything negative (timeouts,
   * thresholds, intervals), so a minus sign is refused unless the caller opts in.
   */
  allowNegative?: boolean;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";

/**
 * Parses a Go duration string ("24h", "1h30m", "1.5h", "300ms", "2µs", "0") into
 * nanoseconds, with Go's rules: every number needs a unit, units are case-sensitive, a
 * fraction of a nanosecond is truncated. Surrounding whitespace is ignored (config files).
 * Above 2^53 ns (about 104 days) the result is the nearest double, not exact.
 * Throws DurationParseError saying what was wrong and where.
 */
export function parseDurationNs(text: string, options: ParseDurationOptions = {}): number {
  const s = text.trim();
  let at = 0;
  let sign = 1;
  if (s[0] === "-" || s[0] === "+") {
    if (s[0] === "-") sign = -1;
    at = 1;
  }
  if (sign < 0 && options.allowNegative !== true) {
    throw new DurationParseError(text, "negative durations are not allowed here");
  }
  const body = s.slice(at);
  if (body === "0") return 0;
  if (body === "") throw new DurationParseError(text, s === "" ? "empty string" : "sign without a number");

  let total = 0;
  while (at < s.length) {
    const start = at;
    while (isDigit(s[at])) at++;
    const whole = s.slice(start, at);
    let fraction = "";
    if (s[at] === ".") {
      at++;
      const fracStart = at;
      while (isDigit(s[at])) at++;
      fraction = s.slice(fracStart, at);
    }
    if (whole === "" && fraction === "") {
      throw new DurationParseError(text, `expected a number at ${JSON.stringify(s.slice(start))}`);
    }
    const unitStart = at;
    while (at < s.length && s[at] !== "." && !isDigit(s[at])) at++;
    const unit = s.slice(unitStart, at);
    const number = s.slice(start, unitStart);
    if (unit === "") {
      throw new DurationParseError(
        text,
        `missing unit after ${JSON.stringify(number)} (units: ${UNIT_LIST})`,
      );
    }
    const unitNs = UNIT_NS.get(unit);
    if (unitNs === undefined) {
      throw new DurationParseError(
        text,
        `unknown unit ${JSON.stringify(unit)} after ${JSON.stringify(number)} (units: ${UNIT_LIST})`,
      );
    }
    total += Number(whole === "" ? "0" : whole) * unitNs;
    if (fraction !== "") {
      // As Go: digits × (unit / 10^digits), truncated to whole nanoseconds. Scaling the
      // unit rather than parsing "0.xyz" keeps "0.3s" at exactly 300000000.
      const digits = fraction.slice(0, MAX_FRACTION_DIGITS);
      total += Math.trunc(Number(digits) * (unitNs / 10 ** digits.length));
    }
    if (total > MAX_DURATION_NS) {
      throw new DurationParseError(text, "out of range (Go durations stop at about 292 years)");
    }
  }
  return total === 0 ? 0 : sign * total;
}

/** Renders nanoseconds the way Go prints a time.Duration: "24h0m0s", "1m30s", "1.5s", "500ms", "0s". */
export function formatDurationNs(ns: number): string {
  if (ns < 0) return `-${formatDurationNs(-ns)}`;
  if (ns === 0) return "0s";
  if (ns < 1e3) return `${ns}ns`;
  if (ns < 1e6) return `${ns / 1e3}µs`;
  if (ns < 1e9) return `${ns / 1e6}ms`;
  const h = Math.floor(ns / NS_PER_HOUR);
  const m = Math.floor((ns - h * NS_PER_HOUR) / NS_PER_MINUTE);
  const sec = (ns - h * NS_PER_HOUR - m * NS_PER_MINUTE) / NS_PER_SECOND;
  if (h > 0) return `${h}h${m}m${sec}s`;
  if (m > 0) return `${m}m${sec}s`;
  return `${sec}s`;
}
