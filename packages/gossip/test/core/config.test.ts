// The zod configuration: profiles derived from the LAN base, validation naming the field.
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import {
  ConfigError,
  PROFILES,
  coreConfig,
  gossipConfigSchema,
  resolveConfig,
  type GossipConfig,
} from "../../src/config.js";

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
      /^encryptKeys\[0\]: expected a base64 key of 16, 24 or 32 bytes, got 20 bytes$/,
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

  it("the exported schema refuses input that is not a configuration object, naming what it got", () => {
    for (const [input, got] of [
      [42, "number"],
      ["name=a", "string"],
      [null, "null"],
      [undefined, "undefined"],
      [[{ name: "a" }], "array"],
    ] as const) {
      const r = gossipConfigSchema.safeParse(input);
      expect(r.success).toBe(false);
      expect(r.error?.issues.map((i) => [i.path, i.message])).toEqual([
        [[], `expected an object, got ${got}`],
      ]);
      expect(() => resolveConfig(input as never)).toThrow(
        new RegExp(`^config: expected an object, got ${got}$`),
      );
    }
    // a field of the wrong type, as from parsed JSON
    const json: unknown = JSON.parse('{"name":"a","tags":["role","web"],"encryptKeys":"k"}');
    expect(
      gossipConfigSchema.safeParse(json).error?.issues.map((i) => [i.path.join("."), i.message]),
    ).toEqual([
      ["encryptKeys", 'expected an array of strings, got "k"'],
      ["tags", "expected an object of string values, got array"],
    ]);
  });

  it("profiles are applied before validation: the schema parses PROFILES[p] overlaid by the input", () => {
    for (const p of ["lan", "wan", "local", "test"] as const) {
      const input = { name: "a", gossipNodes: 5 };
      expect(resolveConfig(input, p)).toEqual(gossipConfigSchema.parse({ ...PROFILES[p], ...input }));
    }
    // the schema alone is the LAN base
    expect(gossipConfigSchema.parse({ name: "a" })).toEqual(resolveConfig({ name: "a" }, "lan"));
    // the input is validated after the profile is laid under it: a bad value is not masked
    expect(() => resolveConfig({ name: "a", probeIntervalMs: -5 }, "wan")).toThrow(
      /^probeIntervalMs: expected an integer >= 0, got -5$/,
    );
    // a field given as undefined is not given: the profile's value stands, not the LAN default
    expect(resolveConfig({ name: "a", probeIntervalMs: undefined }, "wan").probeIntervalMs).toBe(5000);
  });

  it("the schema composes into a caller's schema (classic zod), errors pathed under it", () => {
    const agent = z.object({ gossip: gossipConfigSchema, httpPort: z.number() });
    expect(agent.parse({ gossip: { name: "a" }, httpPort: 1 }).gossip.bindPort).toBe(7946);
    const r = agent.safeParse({ gossip: { name: "a", bindPort: -1 }, httpPort: 1 });
    expect(r.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["gossip.bindPort", "expected an integer in 0..65535, got -1"],
    ]);
  });

  it("a resolved configuration is typed precisely (read-only, two optional fields)", () => {
    expectTypeOf<GossipConfig["name"]>().toEqualTypeOf<string>();
    expectTypeOf<GossipConfig["advertisePort"]>().toEqualTypeOf<number | undefined>();
    expectTypeOf<GossipConfig["tags"]>().toEqualTypeOf<Record<string, string>>();
    expectTypeOf<GossipConfig["encryptKeys"]>().toEqualTypeOf<string[]>();
    expectTypeOf<Readonly<GossipConfig>>().toEqualTypeOf<GossipConfig>(); // every field read-only
    expect("advertisePort" in resolveConfig({ name: "a" })).toBe(false);
  });

  it("the library loads zod only as zod/mini (classic zod costs a bundled agent ~3x the RSS)", async () => {
    const { readdir, readFile } = await import("node:fs/promises");
    const root = new URL("../../src/", import.meta.url);
    const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(20);
    for (const f of files) {
      const imports = (await readFile(new URL(f, root), "utf8")).match(/from "zod[^"]*"/g) ?? [];
      for (const i of imports) expect(i, f).toBe('from "zod/mini"');
    }
  });
});
