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

  it("each kind of bad value names its field and what was expected; all problems are listed", () => {
    const bad = (input: Record<string, unknown>) => () => resolveConfig(input as never);
    expect(bad({})).toThrow(/^name: required$/);
    expect(bad({ name: "a", probeIntervalMs: -1 })).toThrow(
      /probeIntervalMs: expected an integer >= 0, got -1/,
    );
    expect(bad({ name: "a", probeIntervalMs: 1.5 })).toThrow(/probeIntervalMs: expected an integer/);
    expect(bad({ name: "a", bindPort: "7946" })).toThrow(
      /bindPort: expected an integer in 0..65535, got "7946"/,
    );
    expect(bad({ name: "a", disableTcpPings: "yes" })).toThrow(/disableTcpPings: expected true or false/);
    expect(bad({ name: "x".repeat(129) })).toThrow(/name: expected 1 to 128 characters, got 129/);
    expect(bad({ name: "a", tags: { role: 1 } })).toThrow(/tags\.role: expected a string, got number/);
    expect(bad({ name: "a", encryptKeys: [1] })).toThrow(/encryptKeys\[0\]: expected a string/);
    expect(bad({ name: "a", gossipNodes: 0, udpBufferSize: 100 })).toThrow(
      /gossipNodes: expected an integer >= 1, got 0\nudpBufferSize: expected an integer in 576..65000, got 100/,
    );
    // unknown keys are ignored; defaults are fresh objects per call
    const a = resolveConfig({ name: "a", nonsense: 1 } as never);
    expect("nonsense" in a).toBe(false);
    a.tags["k"] = "v";
    expect(resolveConfig({ name: "b" }).tags).toEqual({});
  });

  it("no library module imports zod (loading it costs every agent process ~14 MiB)", async () => {
    const { readdir, readFile } = await import("node:fs/promises");
    const root = new URL("../../src/", import.meta.url);
    const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(20);
    for (const f of files) expect(await readFile(new URL(f, root), "utf8"), f).not.toMatch(/from "zod"/);
  });
});
