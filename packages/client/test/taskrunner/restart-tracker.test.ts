import { describe, expect, it } from "vitest";
import {
  RestartTracker,
  REASON_NO_RESTARTS_ALLOWED,
  REASON_UNNECESSARY,
  REASON_UNRECOVERABLE,
  REASON_WITHIN_POLICY,
  REASON_DELAY,
} from "../../src/taskrunner/index.js";

const policy = (Attempts: number, Mode: "fail" | "delay") => ({
  Attempts,
  Interval: 60e9,
  Delay: 1e9,
  Mode,
  RenderTemplates: false,
});

describe("restart tracker", () => {
  it("restarts a failing task Attempts times within the interval, then fails in mode fail", () => {
    const t = new RestartTracker(policy(2, "fail"), false, () => 0);
    expect(t.decide({ successful: false }, 0)).toEqual({
      restart: true,
      delayMs: 1000,
      reason: REASON_WITHIN_POLICY,
    });
    expect(t.decide({ successful: false }, 2000)).toEqual({
      restart: true,
      delayMs: 1000,
      reason: REASON_WITHIN_POLICY,
    });
    expect(t.decide({ successful: false }, 4000)).toEqual({
      restart: false,
      failed: true,
      reason: 'Exceeded allowed attempts 2 in interval 1m0s and mode is "fail"',
    });
  });

  it("opens a new window once the interval has passed", () => {
    const t = new RestartTracker(policy(1, "fail"), false, () => 0);
    expect(t.decide({ successful: false }, 0).restart).toBe(true);
    expect(t.decide({ successful: false }, 61_000).restart).toBe(true);
  });

  it("mode delay waits for the end of the interval instead of failing", () => {
    const t = new RestartTracker(policy(1, "delay"), false, () => 0);
    t.decide({ successful: false }, 0);
    expect(t.decide({ successful: false }, 10_000)).toEqual({
      restart: true,
      delayMs: 50_000,
      reason: REASON_DELAY,
    });
  });

  it("jitters the delay by up to 25 %", () => {
    const t = new RestartTracker(policy(5, "fail"), false, () => 0.999);
    const d = t.decide({ successful: false }, 0);
    expect(d.restart && d.delayMs).toBe(1000 + 249);
  });

  it("a batch task that succeeds is not restarted; a service task is", () => {
    expect(new RestartTracker(policy(2, "fail"), true).decide({ successful: true }, 0)).toEqual({
      restart: false,
      failed: false,
      reason: REASON_UNNECESSARY,
    });
    expect(
      new RestartTracker(policy(2, "fail"), false, () => 0).decide({ successful: true }, 0).restart,
    ).toBe(true);
  });

  it("an unrecoverable start error is not retried; zero attempts allow no restarts", () => {
    expect(
      new RestartTracker(policy(2, "fail"), false).decide(
        { successful: false, startError: { recoverable: false } },
        0,
      ),
    ).toEqual({ restart: false, failed: true, reason: REASON_UNRECOVERABLE });
    expect(new RestartTracker(policy(0, "fail"), false).decide({ successful: false }, 0)).toEqual({
      restart: false,
      failed: true,
      reason: REASON_NO_RESTARTS_ALLOWED,
    });
  });
});
