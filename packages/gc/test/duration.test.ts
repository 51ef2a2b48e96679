import { describe, expect, it } from "vitest";
import { formatDurationNs, parseDurationNs } from "../src/index.js";

describe("parseDurationNs (Go time.ParseDuration forms)", () => {
  it.each([
    ["24h", 24 * 3600e9],
    ["30m", 30 * 60e9],
    ["1h30m", 5400e9],
    ["1.5h", 5400e9],
    ["90s", 90e9],
    ["300ms", 300e6],
    ["2us", 2000],
    ["2µs", 2000],
    ["7ns", 7],
    ["0", 0],
    ["1h0m0s", 3600e9],
  ])("%s is %d ns", (text, ns) => {
    expect(parseDurationNs(text)).toBe(ns);
  });

  it.each(["", "h", "24", "-1h", "1d", "1h 30m", "abc", "."])("rejects %j", (text) => {
    expect(() => parseDurationNs(text)).toThrow(RangeError);
  });

  it("formats as Go prints durations", () => {
    expect(formatDurationNs(24 * 3600e9)).toBe("24h0m0s");
    expect(formatDurationNs(90e9)).toBe("1m30s");
    expect(formatDurationNs(500e6)).toBe("500ms");
    expect(formatDurationNs(0)).toBe("0s");
  });
});
