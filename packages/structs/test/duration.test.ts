import { describe, expect, it } from "vitest";
import {
  DurationParseError,
  formatDurationNs,
  MAX_DURATION_NS,
  parseDurationNs,
  NS_PER_HOUR,
} from "@nomad/structs";

describe("parseDurationNs (Go time.ParseDuration forms)", () => {
  it.each([
    ["24h", 24 * 3600e9],
    ["30m", 30 * 60e9],
    ["1h30m", 5400e9],
    ["1.5h", 5400e9],
    [".5h", 1800e9],
    ["5.h", 5 * 3600e9],
    ["90s", 90e9],
    ["0.3s", 300_000_000],
    ["1.1s", 1_100_000_000],
    ["300ms", 300e6],
    ["2us", 2000],
    ["2µs", 2000], // U+00B5
    ["2μs", 2000], // U+03BC
    ["7ns", 7],
    ["1.9ns", 1], // Go truncates below a nanosecond
    ["0", 0],
    ["+0", 0],
    ["0s", 0],
    ["+5s", 5e9],
    ["1h0m0s", 3600e9],
    ["1h1h", 7200e9], // Go sums repeated units
    [" 10s\n", 10e9], // config files: surrounding whitespace ignored
    ["2562047h", 2562047 * NS_PER_HOUR],
  ])("%j is %d ns", (text, ns) => {
    expect(parseDurationNs(text)).toBe(ns);
  });

  it("keeps every nanosecond of a long fraction", () => {
    expect(parseDurationNs("1.000000001s")).toBe(1_000_000_001);
    expect(parseDurationNs("0.000000001s")).toBe(1);
    expect(parseDurationNs("1.123456789123456789s")).toBe(1_123_456_789);
  });

  it.each([
    ["", "empty string"],
    ["   ", "empty string"],
    ["-", "negative durations are not allowed"],
    ["+", "sign without a number"],
    ["h", 'expected a number at "h"'],
    [".", 'expected a number at "."'],
    ["abc", 'expected a number at "abc"'],
    ["1h.s", 'expected a number at ".s"'],
    ["24", 'missing unit after "24"'],
    ["1h30", 'missing unit after "30"'],
    ["1d", 'unknown unit "d" after "1"'],
    ["1H", 'unknown unit "H" after "1"'],
    ["1h 30m", 'unknown unit "h " after "1"'],
    ["5sec", 'unknown unit "sec" after "5"'],
    ["-1h", "negative durations are not allowed"],
    ["2562048h", "out of range"],
  ])("rejects %j: %s", (text, reason) => {
    let caught: unknown;
    try {
      parseDurationNs(text);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DurationParseError);
    expect(caught).toBeInstanceOf(RangeError);
    const err = caught as DurationParseError;
    expect(err.code).toBe("INVALID_DURATION");
    expect(err.input).toBe(text);
    expect(err.reason).toContain(reason);
    // The message quotes the input, so a config error points at the value.
    expect(err.message).toBe(`invalid duration ${JSON.stringify(text)}: ${err.reason}`);
  });

  it("names the valid units when a unit is wrong", () => {
    expect(() => parseDurationNs("3d")).toThrow(/units: ns, us, µs, ms, s, m, h/);
  });

  it("accepts Go's negative durations only when asked", () => {
    expect(parseDurationNs("-1h30m", { allowNegative: true })).toBe(-5400e9);
    expect(parseDurationNs("-0", { allowNegative: true })).toBe(0);
    expect(Object.is(parseDurationNs("-0s", { allowNegative: true }), 0)).toBe(true);
    expect(() => parseDurationNs("-1h", { allowNegative: false })).toThrow(DurationParseError);
  });

  it("stops where Go's int64 nanoseconds stop", () => {
    expect(() => parseDurationNs("9223372037s")).toThrow(/out of range/);
    expect(parseDurationNs("9223372036s")).toBe(9223372036e9);
    expect(parseDurationNs("9223372036s")).toBeLessThanOrEqual(MAX_DURATION_NS);
  });
});

describe("formatDurationNs (Go's Duration.String)", () => {
  it.each([
    [24 * 3600e9, "24h0m0s"],
    [5400e9, "1h30m0s"],
    [90e9, "1m30s"],
    [1.5e9, "1.5s"],
    [500e6, "500ms"],
    [1500, "1.5µs"],
    [7, "7ns"],
    [0, "0s"],
    [-90e9, "-1m30s"],
  ])("%d ns is %j", (ns, text) => {
    expect(formatDurationNs(ns)).toBe(text);
  });

  it("round-trips through parseDurationNs", () => {
    for (const ns of [7, 1500, 300e6, 1.5e9, 90e9, 5400e9, 24 * 3600e9, 1_000_000_001]) {
      expect(parseDurationNs(formatDurationNs(ns))).toBe(ns);
    }
  });
});
