// The next launch of a periodic job, for `job run` / `job status` output. Nomad uses
// hashicorp/cronexpr: 5 fields (minute hour day-of-month month day-of-week), 6 (+ year) or 7
// (second first), names (JAN, MON), ranges, lists and steps, and the @yearly/@monthly/
// @weekly/@daily/@hourly shorthands. `L`, `W` and `#` are not supported here (null: the
// caller prints no launch time rather than a wrong one). Times are UTC.

interface Spec {
  seconds: Set<number>;
  minutes: Set<number>;
  hours: Set<number>;
  dom: Set<number>;
  months: Set<number>;
  dow: Set<number>;
  years: Set<number>;
  domAny: boolean;
  dowAny: boolean;
}

const SHORTHANDS: Record<string, string> = {
  "@yearly": "0 0 0 1 1 * *",
  "@annually": "0 0 0 1 1 * *",
  "@monthly": "0 0 0 1 * * *",
  "@weekly": "0 0 0 * * 0 *",
  "@daily": "0 0 0 * * * *",
  "@midnight": "0 0 0 * * * *",
  "@hourly": "0 0 * * * * *",
};
const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

function parseField(
  text: string,
  min: number,
  max: number,
  names: string[] = [],
  nameBase = 0,
): Set<number> | null {
  const out = new Set<number>();
  const value = (v: string): number | null => {
    const upper = v.toUpperCase();
    const i = names.indexOf(upper);
    if (i >= 0) return i + nameBase;
    return /^\d+$/.test(v) ? Number(v) : null;
  };
  for (const part of text.split(",")) {
    const [range, stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (range === undefined || !Number.isInteger(step) || step < 1) return null;
    let lo: number | null;
    let hi: number | null;
    if (range === "*" || range === "?") {
      lo = min;
      hi = max;
    } else if (range.includes("-")) {
      const [a, b] = range.split("-");
      lo = value(a ?? "");
      hi = value(b ?? "");
    } else {
      lo = value(range);
      hi = stepText === undefined ? lo : max;
    }
    if (lo === null || hi === null || lo < min || hi > max || lo > hi) return null;
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

export function parseCron(expr: string): Spec | null {
  const trimmed = expr.trim();
  let fields = (SHORTHANDS[trimmed.toLowerCase()] ?? trimmed).split(/\s+/);
  if (fields.length === 5) fields = ["0", ...fields, "*"];
  else if (fields.length === 6) fields = ["0", ...fields];
  if (fields.length !== 7) return null;
  const [s, mi, h, dom, mon, dow, y] = fields as [string, string, string, string, string, string, string];
  const seconds = parseField(s, 0, 59);
  const minutes = parseField(mi, 0, 59);
  const hours = parseField(h, 0, 23);
  const doms = parseField(dom, 1, 31);
  const months = parseField(mon, 1, 12, MONTHS, 1);
  const dows = parseField(dow.replace(/\b7\b/g, "0"), 0, 6, DAYS, 0);
  const years = parseField(y, 1970, 2099);
  if (!seconds || !minutes || !hours || !doms || !months || !dows || !years) return null;
  return {
    seconds,
    minutes,
    hours,
    dom: doms,
    months,
    dow: dows,
    years,
    domAny: dom === "*" || dom === "?",
    dowAny: dow === "*" || dow === "?",
  };
}

/** The first time strictly after `afterMs` (epoch ms) that matches `expr`, in UTC; null if none or unsupported. */
export function nextCronLaunchMs(expr: string, afterMs: number): number | null {
  const spec = parseCron(expr);
  if (spec === null) return null;
  const d = new Date((Math.floor(afterMs / 1000) + 1) * 1000);
  // Every jump moves to the start of the next candidate unit, so this ends within a few
  // thousand steps for any satisfiable expression; the bound stops unsatisfiable ones.
  for (let i = 0; i < 200_000; i++) {
    const year = d.getUTCFullYear();
    if (year > 2099) return null;
    if (!spec.years.has(year)) {
      d.setUTCFullYear(year + 1, 0, 1);
      d.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!spec.months.has(d.getUTCMonth() + 1)) {
      d.setUTCMonth(d.getUTCMonth() + 1, 1);
      d.setUTCHours(0, 0, 0, 0);
      continue;
    }
    const domOk = spec.dom.has(d.getUTCDate());
    const dowOk = spec.dow.has(d.getUTCDay());
    const dayOk =
      spec.domAny && spec.dowAny ? true : spec.domAny ? dowOk : spec.dowAny ? domOk : domOk || dowOk;
    if (!dayOk) {
      d.setUTCDate(d.getUTCDate() + 1);
      d.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!spec.hours.has(d.getUTCHours())) {
      d.setUTCHours(d.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!spec.minutes.has(d.getUTCMinutes())) {
      d.setUTCMinutes(d.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    let sec = -1;
    for (let s = d.getUTCSeconds(); s < 60; s++) {
      if (spec.seconds.has(s)) {
        sec = s;
        break;
      }
    }
    if (sec < 0) {
      d.setUTCMinutes(d.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    d.setUTCSeconds(sec, 0);
    return d.getTime();
  }
  return null;
}

/** Next launch of a job's `Periodic` block: only cron specs in UTC (the default time zone) are computed. */
export function nextPeriodicLaunchMs(periodic: unknown, afterMs: number): number | null {
  if (periodic === null || typeof periodic !== "object") return null;
  const p = periodic as { Spec?: unknown; Specs?: unknown; SpecType?: unknown; TimeZone?: unknown };
  const tz = typeof p.TimeZone === "string" ? p.TimeZone : "";
  if (tz !== "" && tz !== "UTC" && tz !== "Etc/UTC") return null;
  if (p.SpecType !== undefined && p.SpecType !== "cron") return null;
  const specs = Array.isArray(p.Specs) && p.Specs.length > 0 ? p.Specs : [p.Spec];
  let best: number | null = null;
  for (const spec of specs) {
    if (typeof spec !== "string") continue;
    const next = nextCronLaunchMs(spec, afterMs);
    if (next !== null && (best === null || next < best)) best = next;
  }
  return best;
}
