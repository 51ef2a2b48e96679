// The zod configuration: profiles derived from the LAN base, validation naming the field.
import { describe, expect, it } from "vitest";
import { ConfigError, PROFILES, coreConfig, resolveConfig } from "../../src/config.js";

describe("configuration", () => {
  it("lan is memberlist's DefaultLANConfig; wan and local change only their documented fields", () => {
    const lan = resolveConfig({ name: "a" }, "lan");
    expect([lan.probeIntervalMs, lan.probeTimeoutMs, lan.indirectChecks, lan.suspicionMult]).toEqual([
      1000, 500, 3, 4,
    ]);
    expect([lan.gossipIntervalMs, lan.gossipNodes, lan.retransmitMult, lan.pushPullIntervalMs]).toEqual([
      200, 3, 4, 30_000,
    ]);
    const wan = resolveConfig({ name: "a" }, "wan");
    expect([
      wan.probeIntervalMs,
      wan.probeTimeoutMs,
      wan.suspicionMult,
      wan.gossipIntervalMs,
      wan.gossipNodes,
    ]).toEqual([5000, 3000, 6, 500, 4]);
    const local = resolveConfig({ name: "a" }, "local");
    expect([local.probeTimeoutMs, local.indirectChecks, local.suspicionMult, local.retransmitMult]).toEqual([
      200, 1, 3, 2,
    ]);
    for (const p of ["wan", "local", "test"] as const) {
      for (const k of Object.keys(PROFILES[p])) expect(Object.keys(lan)).toContain(k);
    }
  });

  it("explicit input wins over the profile, and the core gets protocol version [1,5,2,2,5,5]", () => {
    const c = resolveConfig({ name: "a", probeIntervalMs: 700 }, "wan");
    expect(c.probeIntervalMs).toBe(700);
    expect(coreConfig(c).vsn).toEqual([1, 5, 2, 2, 5, 5]);
  });

  it("invalid values are refused with the field named", () => {
    expect(() => resolveConfig({ name: "" })).toThrow(ConfigError);
    expect(() => resolveConfig({ name: "a", bindPort: 70_000 })).toThrow(/bindPort/);
    expect(() => resolveConfig({ name: "a", encryptKeys: [Buffer.alloc(20).toString("base64")] })).toThrow(
      /encryptKeys: key size must be 16, 24 or 32 bytes/,
    );
  });
});
