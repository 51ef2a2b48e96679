// The Go duration parser itself is tested in @nomad/structs (test/duration.test.ts); here:
// @nomad/gc still exports it, and gc's config helper refuses what a GC setting cannot be.
import { describe, expect, it } from "vitest";
import * as structs from "@nomad/structs";
import { durationNs, formatDurationNs, parseDurationNs } from "../src/index.js";

describe("durations in @nomad/gc", () => {
  it("re-exports the @nomad/structs parser and formatter", () => {
    expect(parseDurationNs).toBe(structs.parseDurationNs);
    expect(formatDurationNs).toBe(structs.formatDurationNs);
    expect(parseDurationNs("1h30m")).toBe(5400e9);
    expect(formatDurationNs(90e9)).toBe("1m30s");
  });

  it("durationNs: fallback when unset, strings and integer nanoseconds when set", () => {
    const schema = durationNs("4h");
    expect(schema.parse(undefined)).toBe(4 * 3600e9);
    expect(schema.parse("90s")).toBe(90e9);
    expect(schema.parse(1234)).toBe(1234);
  });

  it("durationNs: a bad or negative string fails with the parser's reason", () => {
    const schema = durationNs("4h");
    const bad = schema.safeParse("1d");
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toBe(
      'invalid duration "1d": unknown unit "d" after "1" (units: ns, us, µs, ms, s, m, h)',
    );
    const negative = schema.safeParse("-1h");
    expect(negative.error?.issues[0]?.message).toMatch(/negative durations are not allowed/);
  });
});
