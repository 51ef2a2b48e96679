// Nomad's CLI time formats: ISO-8601 with offset for absolute times, `5m3s ago` for relative
// ones, Go's Duration.String for durations. Times are epoch milliseconds here (ns / 1e6 for
// Nomad's Unix-nanosecond fields); the current time is always passed in, never read.

/** Go's `2006-01-02T15:04:05Z07:00` in the local time zone; "" for times before 1970-01-01T00:00:01Z (unset). */
export function formatTime(epochMs: number): string {
  if (!Number.isFinite(epochMs) || Math.floor(epochMs / 1000) < 1) return "";
  const d = new Date(epochMs);
  const offsetMin = -d.getTimezoneOffset();
  const zone =
    offsetMin === 0
      ? "Z"
      : `${offsetMin < 0 ? "-" : "+"}${pad2(Math.floor(Math.abs(offsetMin) / 60))}:${pad2(Math.abs(offsetMin) % 60)}`;
  return (
    `${String(d.getFullYear()).padStart(4, "0")}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}` +
    `T${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}${zone}`
  );
}

/** formatTime in UTC whatever the local zone (a periodic job's launch time in its UTC location). */
export function formatTimeUTC(epochMs: number): string {
  if (!Number.isFinite(epochMs) || Math.floor(epochMs / 1000) < 1) return "";
  return `${new Date(Math.floor(epochMs / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

/** formatTime of a Unix-nanosecond timestamp. */
export function formatUnixNanoTime(ns: number): string {
  return formatTime(ns / 1e6);
}

/** Epoch ms of an RFC 3339 string (Go time.Time in JSON); 0 for "", Go's zero time or garbage. */
export function parseRfc3339Ms(value: string | undefined | null): number {
  if (value === undefined || value === null || value === "" || value.startsWith("0001-01-01")) return 0;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : 0;
}

/**
 * Nomad's prettyTimeDiff: the two largest non-zero units of |second - first| (y, mo = 30 d,
 * d, h, m, s), rounded to the second, with ` ago` or ` from now`; "" when `first` is unset.
 */
export function prettyTimeDiff(firstMs: number, secondMs: number): string {
  if (firstMs === 0 || !Number.isFinite(firstMs)) return "";
  const first = Math.round(firstMs / 1000);
  const second = Math.round(secondMs / 1000);
  let suffix = "ago";
  let u: number;
  if (second >= first) u = second - first;
  else {
    u = first - second;
    suffix = "from now";
  }
  // Periods from the smallest unit up; only non-zero ones print, the two largest are kept.
  const parts: string[] = [];
  const secs = u % 60;
  if (secs > 0) parts.push(`${secs}s`);
  u = Math.floor(u / 60);
  if (u > 0) {
    const mins = u % 60;
    if (mins > 0) parts.push(`${mins}m`);
    u = Math.floor(u / 60);
    if (u > 0) {
      const hrs = u % 24;
      if (hrs > 0) parts.push(`${hrs}h`);
      u = Math.floor(u / 24);
    }
    if (u > 0) {
      const days = u % 30;
      if (days > 0) parts.push(`${days}d`);
      u = Math.floor(u / 30);
    }
    if (u > 0) {
      const months = u % 12;
      if (months > 0) parts.push(`${months}mo`);
      u = Math.floor(u / 12);
    }
    if (u > 0) parts.push(`${u}y`);
  }
  if (parts.length === 0) return `0s ${suffix}`;
  return `${parts.slice(-2).reverse().join("")} ${suffix}`;
}

/** Nomad's formatTimeDifference: both times truncated to `unitMs`, the difference as a Go duration. */
export function formatTimeDifference(firstMs: number, secondMs: number, unitMs: number): string {
  const a = Math.floor(firstMs / unitMs) * unitMs;
  const b = Math.floor(secondMs / unitMs) * unitMs;
  return formatGoDuration((b - a) * 1e6);
}

/** Go's time.Duration.String of a nanosecond count: `0s`, `1.5ms`, `2m30s`, `1h0m0s`. */
export function formatGoDuration(nsInput: number): string {
  let ns = Math.round(nsInput);
  const neg = ns < 0;
  if (neg) ns = -ns;
  let out: string;
  if (ns < 1e9) {
    if (ns === 0) return "0s";
    if (ns < 1e3) out = `${ns}ns`;
    else if (ns < 1e6) out = `${frac(ns, 3)}µs`;
    else out = `${frac(ns, 6)}ms`;
  } else {
    const fracNs = ns % 1e9;
    let secsTotal = Math.floor(ns / 1e9);
    const fracDigits = fracNs === 0 ? "" : `.${String(fracNs).padStart(9, "0").replace(/0+$/, "")}`;
    out = `${secsTotal % 60}${fracDigits}s`;
    secsTotal = Math.floor(secsTotal / 60);
    if (secsTotal > 0) {
      out = `${secsTotal % 60}m${out}`;
      const hours = Math.floor(secsTotal / 60);
      if (hours > 0) out = `${hours}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}

/** Parses a Go duration (`"1h30m"`, `"250ms"`, `"-1s"`) into nanoseconds; throws on bad input. */
export function parseGoDuration(text: string): number {
  const s = text.trim();
  if (s === "0") return 0;
  const m = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(s);
  if (m === null) throw new Error(`time: invalid duration "${text}"`);
  const units: Record<string, number> = {
    ns: 1,
    us: 1e3,
    µs: 1e3,
    μs: 1e3,
    ms: 1e6,
    s: 1e9,
    m: 60e9,
    h: 3600e9,
  };
  let total = 0;
  for (const part of s.replace(/^[+-]/, "").matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(part[1]) * (units[part[2]!] ?? 0);
  }
  return Math.round(m[1] === "-" ? -total : total);
}

function frac(ns: number, digits: number): string {
  const unit = 10 ** digits;
  const whole = Math.floor(ns / unit);
  const rest = ns % unit;
  if (rest === 0) return String(whole);
  return `${whole}.${String(rest).padStart(digits, "0").replace(/0+$/, "")}`;
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}
