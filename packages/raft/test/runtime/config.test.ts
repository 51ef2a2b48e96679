import { describe, expect, it } from "vitest";
import { coreTiming, parseRaftConfig, raftConfigSchema, RaftConfigError } from "../../src/runtime/config.js";

describe("RaftNode config", () => {
  it("defaults carry Nomad's values", () => {
    const c = parseRaftConfig();
    expect(c).toMatchObject({
      multiplier: 1,
      heartbeatTimeoutMs: 1000,
      electionTimeoutMs: 1000,
      leaderLeaseTimeoutMs: 500,
      commitTimeoutMs: 50,
      maxAppendEntries: 64,
      snapshotThreshold: 8192,
      snapshotIntervalMs: 120_000,
      trailingLogs: 10_240,
      preVote: true,
      checkQuorum: true,
      leaseReads: false,
    });
  });

  it("every field has a reason beside its default", () => {
    for (const [key, field] of Object.entries(raftConfigSchema.shape)) {
      expect(field.description, key).toBeTruthy();
    }
  });

  it("maps ms to ticks: heartbeat every tenth of the heartbeat timeout, jitter half the election timeout", () => {
    const t = coreTiming(parseRaftConfig());
    expect(t).toMatchObject({
      heartbeatTicks: 10,
      electionTicks: 100,
      electionJitterTicks: 50,
      leaderLeaseTicks: 50,
      commitTicks: 5,
    });
  });

  it("the multiplier scales every timeout", () => {
    const t = coreTiming(parseRaftConfig({ multiplier: 5 }));
    expect(t).toMatchObject({
      heartbeatTicks: 50,
      electionTicks: 500,
      leaderLeaseTicks: 250,
      commitTicks: 25,
    });
  });

  it("the test profile is derived from the same base with tiny timeouts", () => {
    const c = parseRaftConfig({}, "test");
    expect(c.electionTimeoutMs).toBeLessThan(1000);
    expect(c.maxAppendEntries).toBe(64);
    const t = coreTiming(c);
    expect(t.leaderLeaseTicks).toBeLessThan(t.electionTicks);
  });

  it("validation errors name the field", () => {
    expect(() => parseRaftConfig({ multiplier: 11 })).toThrow(/multiplier/);
    expect(() => parseRaftConfig({ leaderLeaseTimeoutMs: 2000 })).toThrow(/leaderLeaseTimeoutMs/);
    expect(() => parseRaftConfig({ electionTimeoutMs: 500 })).toThrow(/electionTimeoutMs/);
    expect(() => parseRaftConfig({ maxAppendEntries: 0 })).toThrow(RaftConfigError);
  });
});
