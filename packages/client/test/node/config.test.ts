import { describe, expect, it } from "vitest";
import { ClientConfigError, normalizeServerAddress, parseClientConfig } from "../../src/config.js";

describe("client config", () => {
  it("fills Nomad's defaults, deriving state and alloc dirs from data_dir", () => {
    const c = parseClientConfig({ dataDir: "/var/nomad" });
    expect(c).toMatchObject({
      stateDir: "/var/nomad/client",
      allocDir: "/var/nomad/alloc",
      datacenter: "dc1",
      region: "global",
      nodeClass: "",
      nodePool: "default",
      meta: {},
      servers: [],
      networkInterface: "",
      rawExecEnabled: false,
      execEnabled: true,
      maxKillTimeoutMs: 30_000,
      registerRetryMs: 15_000,
      initialHeartbeatStaggerMs: 10_000,
      allocSyncIntervalMs: 200,
      watchMaxQueryTimeMs: 300_000,
      gc: {
        intervalMs: 60_000,
        diskUsageThreshold: 80,
        inodeUsageThreshold: 70,
        maxAllocs: 50,
        parallelDestroys: 2,
      },
    });
    expect(c.nodeName.length).toBeGreaterThan(0);
  });

  it("-dev: raw_exec on, 1 s retries, no heartbeat stagger, loopback, relaxed gc; explicit values still win", () => {
    const c = parseClientConfig({ devMode: true });
    expect(c).toMatchObject({
      dataDir: undefined,
      stateDir: undefined,
      rawExecEnabled: true,
      registerRetryMs: 1_000,
      initialHeartbeatStaggerMs: 0,
      networkInterface: "lo",
      gc: { intervalMs: 600_000, diskUsageThreshold: 99, inodeUsageThreshold: 99 },
    });
    expect(parseClientConfig({ devMode: true, rawExecEnabled: false }).rawExecEnabled).toBe(false);
    expect(
      parseClientConfig({ dataDir: "/d", options: { "driver.raw_exec.enable": "1" } }).rawExecEnabled,
    ).toBe(true);
  });

  it("accepts Go durations and host-only server addresses (port 4647)", () => {
    const c = parseClientConfig({
      dataDir: "/d",
      maxKillTimeoutMs: "1m30s",
      servers: ["10.0.0.1", "10.0.0.2:5647", "[::1]", "fe80::1"],
    });
    expect(c.maxKillTimeoutMs).toBe(90_000);
    expect(c.servers).toEqual(["10.0.0.1:4647", "10.0.0.2:5647", "[::1]:4647", "[fe80::1]:4647"]);
    expect(normalizeServerAddress(" host.example ")).toBe("host.example:4647");
  });

  it("names the bad field", () => {
    expect(() => parseClientConfig({ dataDir: "/d", nodePool: "all" })).toThrow(/reserved[\s\S]*at nodePool/);
    expect(() => parseClientConfig({ dataDir: "/d", maxKillTimeoutMs: "30 parsecs" })).toThrow(
      /maxKillTimeoutMs/,
    );
    expect(() => parseClientConfig({ dataDir: "/d", servers: ["h:99999"] })).toThrow(/servers/);
    expect(() => parseClientConfig({ dataDir: "/d", datacenter: "dc*" })).toThrow(/datacenter/);
    expect(() => parseClientConfig({})).toThrow(ClientConfigError);
    expect(() => parseClientConfig({})).toThrow(/dataDir is required/);
  });

  it("parsing a parsed config gives the same config", () => {
    const c = parseClientConfig({ dataDir: "/d", servers: ["a"], devMode: false });
    expect(parseClientConfig(c)).toEqual(c);
  });
});
