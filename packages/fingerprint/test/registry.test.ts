import { describe, expect, it } from "vitest";
import {
  builtinDriverDetectors,
  createDefaultRegistry,
  DuplicateFingerprinterError,
  FingerprinterRegistry,
  type Fingerprinter,
} from "@nomad/fingerprint";
import { config } from "./helpers.js";

const named = (name: string): Fingerprinter => ({
  name,
  periodicIntervalMs: null,
  fingerprint: async () => ({ detected: true, attributes: {} }),
});

describe("fingerprinter registry", () => {
  it("the default registry has one fingerprinter per fact and one per built-in driver", () => {
    expect(
      createDefaultRegistry()
        .list()
        .map((f) => f.name),
    ).toEqual([
      "node_id",
      "arch",
      "cgroup",
      "cpu",
      "host",
      "memory",
      "network",
      "nomad",
      "storage",
      "driver.raw_exec",
      "driver.exec",
    ]);
  });

  it("mock_driver is registered only when the config enables it", () => {
    expect(builtinDriverDetectors(config()).map((d) => d.name)).toEqual(["raw_exec", "exec"]);
    expect(
      builtinDriverDetectors(config({ drivers: { mock_driver: { enabled: true } } })).map((d) => d.name),
    ).toEqual(["raw_exec", "exec", "mock_driver"]);
  });

  it("registering a name twice is a typed error; replace() swaps it", () => {
    const r = new FingerprinterRegistry().register(named("a"));
    expect(() => r.register(named("a"))).toThrow(DuplicateFingerprinterError);
    const b = named("a");
    r.replace(b);
    expect(r.get("a")).toBe(b);
  });

  it("select() applies allow/deny lists: deny wins, drivers use the driver lists", () => {
    const r = createDefaultRegistry();
    const names = (input: Parameters<typeof config>[0]) =>
      r
        .select(config(input))
        .map((f) => f.name)
        .sort();
    expect(names({ fingerprint_allowlist: ["cpu", "memory"], fingerprint_denylist: ["memory"] })).toEqual([
      "cpu",
      "driver.exec",
      "driver.raw_exec",
      "node_id",
    ]);
    expect(names({ driver_allowlist: ["exec"] })).not.toContain("driver.raw_exec");
    expect(names({ fingerprint_denylist: ["node_id"] })).toContain("node_id");
  });
});
