import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  formatGoDuration,
  formatTime,
  formatTimeDifference,
  formatUnixNanoTime,
  parseGoDuration,
  parseRfc3339Ms,
  prettyTimeDiff,
} from "../../src/format/time.js";

const T0 = Date.UTC(2026, 10, 25, 1, 0, 0); // 2026-11-25T01:00:00Z
let savedTz: string | undefined;
beforeEach(() => {
  savedTz = process.env["TZ"];
  process.env["TZ"] = "UTC";
});
afterEach(() => {
  if (savedTz === undefined) delete process.env["TZ"];
  else process.env["TZ"] = savedTz;
});

describe("formatTime (Go's 2006-01-02T15:04:05Z07:00)", () => {
  it("prints UTC with Z", () => {
    expect(formatTime(T0)).toBe("2026-11-25T01:00:00Z");
    expect(formatUnixNanoTime(T0 * 1e6 + 999_999)).toBe("2026-11-25T01:00:00Z");
  });

  it("prints other zones with their offset", () => {
    process.env["TZ"] = "Asia/Kolkata";
    expect(formatTime(T0)).toBe("2026-11-25T06:30:00+05:30");
    process.env["TZ"] = "America/New_York";
    expect(formatTime(T0)).toBe("2026-11-24T20:00:00-05:00");
  });

  it("prints nothing for unset times (Unix seconds < 1)", () => {
    expect(formatTime(0)).toBe("");
    expect(formatUnixNanoTime(0)).toBe("");
    expect(formatTime(parseRfc3339Ms("0001-01-01T00:00:00Z"))).toBe("");
  });

  it("parses RFC 3339 strings from Go's JSON", () => {
    expect(parseRfc3339Ms("2026-11-25T01:00:00.123456789Z")).toBe(T0 + 123);
    expect(parseRfc3339Ms("")).toBe(0);
    expect(parseRfc3339Ms("not a time")).toBe(0);
  });
});

describe("prettyTimeDiff (Nomad's relative times)", () => {
  it("keeps the two largest non-zero units", () => {
    expect(prettyTimeDiff(T0, T0 + 5 * 60_000)).toBe("5m ago");
    expect(prettyTimeDiff(T0, T0 + 5 * 60_000 + 3_000)).toBe("5m3s ago");
    expect(prettyTimeDiff(T0, T0 + (2 * 3600 + 5 * 60 + 9) * 1000)).toBe("2h5m ago");
    expect(prettyTimeDiff(T0, T0 + (3 * 86400 + 7) * 1000)).toBe("3d7s ago");
    const tenMonths12Days = ((10 * 30 + 12) * 86400 + 3 * 3600 + 2) * 1000;
    expect(prettyTimeDiff(T0, T0 + tenMonths12Days)).toBe("10mo12d ago");
    expect(prettyTimeDiff(T0, T0 + 400 * 86400 * 1000)).toBe("1y1mo ago");
  });

  it("rounds to the second and says 0s under half a second", () => {
    expect(prettyTimeDiff(T0, T0 + 400)).toBe("0s ago");
    expect(prettyTimeDiff(T0, T0 + 1_600)).toBe("2s ago");
  });

  it("says 'from now' for future times and nothing for unset ones", () => {
    expect(prettyTimeDiff(T0 + 90_000, T0)).toBe("1m30s from now");
    expect(prettyTimeDiff(0, T0)).toBe("");
  });
});

describe("Go durations", () => {
  it("formats like time.Duration.String", () => {
    expect(formatGoDuration(0)).toBe("0s");
    expect(formatGoDuration(999)).toBe("999ns");
    expect(formatGoDuration(1_500)).toBe("1.5µs");
    expect(formatGoDuration(2_500_000)).toBe("2.5ms");
    expect(formatGoDuration(1e9)).toBe("1s");
    expect(formatGoDuration(90e9)).toBe("1m30s");
    expect(formatGoDuration(3600e9)).toBe("1h0m0s");
    expect(formatGoDuration(3661.5e9)).toBe("1h1m1.5s");
    expect(formatGoDuration(-5e9)).toBe("-5s");
  });

  it("parses Go duration strings and refuses garbage", () => {
    expect(parseGoDuration("1h30m")).toBe(5400e9);
    expect(parseGoDuration("250ms")).toBe(250e6);
    expect(parseGoDuration("1.5s")).toBe(1.5e9);
    expect(parseGoDuration("-1s")).toBe(-1e9);
    expect(parseGoDuration("0")).toBe(0);
    expect(() => parseGoDuration("10")).toThrow('time: invalid duration "10"');
    expect(() => parseGoDuration("abc")).toThrow();
  });

  it("formatTimeDifference truncates both ends to the unit", () => {
    expect(formatTimeDifference(T0 + 82_033, T0 + 88_055, 1000)).toBe("6s");
    expect(formatTimeDifference(T0, T0 + 3_725_000, 1000)).toBe("1h2m5s");
  });
});
