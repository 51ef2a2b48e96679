import { describe, expect, it } from "vitest";
import { nextCronLaunchMs, nextPeriodicLaunchMs, parseCron } from "../../src/commands/cron.js";

const at = (iso: string): number => Date.parse(iso);
const next = (expr: string, after: string): string | null => {
  const ms = nextCronLaunchMs(expr, at(after));
  return ms === null ? null : new Date(ms).toISOString();
};

describe("cron next launch (cronexpr semantics, UTC)", () => {
  it("five fields: minute hour day month weekday", () => {
    expect(next("*/15 * * * *", "2026-11-25T01:00:00Z")).toBe("2026-11-25T01:15:00.000Z");
    expect(next("30 2 * * *", "2026-11-25T01:00:00Z")).toBe("2026-11-25T02:30:00.000Z");
    expect(next("30 2 * * *", "2026-11-25T02:30:00Z")).toBe("2026-11-26T02:30:00.000Z");
    expect(next("0 0 1 JAN *", "2026-11-25T01:00:00Z")).toBe("2027-01-01T00:00:00.000Z");
  });

  it("weekday names and 7 for Sunday; day-of-month and weekday both restricted match either", () => {
    // 2026-11-25 is a Wednesday.
    expect(next("0 9 * * MON-FRI", "2026-11-27T10:00:00Z")).toBe("2026-11-30T09:00:00.000Z");
    expect(next("0 0 * * 7", "2026-11-25T00:00:00Z")).toBe("2026-11-29T00:00:00.000Z");
    expect(next("0 0 1 * 5", "2026-11-25T00:00:00Z")).toBe("2026-11-27T00:00:00.000Z");
  });

  it("shorthands and the six and seven field forms", () => {
    expect(next("@hourly", "2026-11-25T01:00:00Z")).toBe("2026-11-25T02:00:00.000Z");
    expect(next("@daily", "2026-11-25T01:00:00Z")).toBe("2026-11-26T00:00:00.000Z");
    expect(next("@monthly", "2026-11-25T01:00:00Z")).toBe("2026-12-01T00:00:00.000Z");
    expect(next("0 0 1 1 * 2030", "2026-11-25T01:00:00Z")).toBe("2030-01-01T00:00:00.000Z");
    expect(next("*/10 * * * * * *", "2026-11-25T01:00:05Z")).toBe("2026-11-25T01:00:10.000Z");
  });

  it("refuses what it cannot compute instead of guessing", () => {
    expect(parseCron("0 0 L * *")).toBeNull();
    expect(parseCron("61 * * * *")).toBeNull();
    expect(parseCron("* * *")).toBeNull();
    expect(nextCronLaunchMs("0 0 31 2 *", at("2026-11-25T00:00:00Z"))).toBeNull();
    expect(
      nextPeriodicLaunchMs({ Spec: "@hourly", TimeZone: "America/New_York" }, at("2026-11-25T00:00:00Z")),
    ).toBeNull();
  });

  it("a periodic block with several specs launches at the earliest", () => {
    const ms = nextPeriodicLaunchMs(
      { SpecType: "cron", Specs: ["0 5 * * *", "0 3 * * *"], TimeZone: "UTC" },
      at("2026-11-25T01:00:00Z"),
    );
    expect(new Date(ms!).toISOString()).toBe("2026-11-25T03:00:00.000Z");
  });
});
