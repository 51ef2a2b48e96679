import { describe, expect, it } from "vitest";
import {
  createDefaultRegistry,
  createMockDriverDetector,
  FingerprintManager,
  FingerprinterRegistry,
  builtinDriverDetectors,
  ManagerNotStartedError,
  type FingerprintChange,
  type Fingerprinter,
  type FingerprintConfigInput,
} from "@nomad/fingerprint";
import { FakeScheduler, type MemoryHostProbe } from "@nomad/fingerprint/testing";
import { config, fixture, FIXTURES } from "./helpers.js";

function setup(
  probe: MemoryHostProbe = fixture(FIXTURES.containerV2Limited),
  input: FingerprintConfigInput = {},
  registry?: FingerprinterRegistry,
) {
  const scheduler = new FakeScheduler(1_700_000_000_000);
  const cfg = config({ data_dir: "/var/lib/nomad", ...input });
  const manager = new FingerprintManager({
    probe,
    scheduler,
    config: cfg,
    registry: registry ?? createDefaultRegistry(builtinDriverDetectors(cfg)),
  });
  const changes: FingerprintChange[] = [];
  manager.onChange((c) => changes.push(c));
  return { probe, scheduler, manager, changes };
}

function constant(
  name: string,
  periodicIntervalMs: number | null,
  attrs: Record<string, string>,
): Fingerprinter {
  return { name, periodicIntervalMs, fingerprint: async () => ({ detected: true, attributes: attrs }) };
}

describe("FingerprintManager: the first fingerprint", () => {
  it("runs every fingerprinter once and returns a Nomad-shaped node", async () => {
    const { manager, changes } = setup(undefined, {
      drivers: { raw_exec: { enabled: true } },
      reserved: { memory: 512 },
    });
    const fp = await manager.start();
    manager.stop();
    expect(fp.node.ID).toMatch(/^[0-9a-f-]{36}$/);
    expect(fp.node.Attributes).toMatchObject({
      "cpu.arch": "amd64",
      "cpu.numcores": "4",
      "memory.totalbytes": "2147483648",
      "kernel.name": "linux",
      "os.name": "ubuntu",
      "unique.hostname": "c0ffee123456",
      "unique.network.ip-address": "172.17.0.5",
      "unique.storage.volume": "/dev/nvme0n1p1",
      "nomad.version": "2.0.6",
      "os.cgroups.version": "2",
      "driver.raw_exec": "1",
      "driver.exec": "1",
    });
    expect(fp.node.NodeResources.Memory.MemoryMB).toBe(2048);
    expect(fp.node.ReservedResources).toEqual({
      Cpu: { CpuShares: 0, ReservedCpuCores: [] },
      Memory: { MemoryMB: 512 },
      Disk: { DiskMB: 0 },
      Networks: { ReservedHostPorts: "" },
    });
    expect(fp.allocatable).toEqual({ cpuMHz: 4350, memoryMB: 2048 - 512, diskMB: 204800, cores: 1 });
    expect(fp.node.Drivers["raw_exec"]).toEqual({
      Attributes: { "driver.raw_exec": "true" },
      Detected: true,
      Healthy: true,
      HealthDescription: "Healthy",
      UpdateTime: new Date(1_700_000_000_000).toISOString(),
    });
    expect(Object.values(fp.fingerprinters).every((s) => s.state === "ok")).toBe(true);
    expect(changes).toEqual([]);
  });

  it("a disabled driver is in Drivers as undetected and has no driver.<name> attribute", async () => {
    const { manager } = setup();
    const fp = await manager.start();
    manager.stop();
    expect(fp.node.Drivers["raw_exec"]).toMatchObject({
      Detected: false,
      Healthy: false,
      HealthDescription: "disabled",
    });
    expect(fp.node.Attributes["driver.raw_exec"]).toBeUndefined();
  });

  it("current() before start() is a typed error", () => {
    const { manager } = setup();
    expect(() => manager.current()).toThrow(ManagerNotStartedError);
  });

  it("allow/deny lists drop fingerprinters and drivers, never the node ID", async () => {
    const { manager } = setup(undefined, {
      fingerprint_allowlist: ["cpu"],
      driver_denylist: ["exec"],
    });
    const fp = await manager.start();
    manager.stop();
    expect(Object.keys(fp.fingerprinters).sort()).toEqual(["cpu", "driver.raw_exec", "node_id"]);
    expect(fp.node.Drivers["exec"]).toBeUndefined();
    expect(fp.node.ID).not.toBe("");
  });
});

describe("FingerprintManager: periodic refresh emits only real changes", () => {
  it("refreshes on the fake clock without emitting when nothing changed", async () => {
    const { probe, scheduler, manager, changes } = setup();
    const first = await manager.start();
    const readsAfterStart = probe.calls.get("readText") ?? 0;
    await scheduler.advance(120_000);
    expect(probe.calls.get("readText") ?? 0).toBeGreaterThan(readsAfterStart);
    expect(changes).toEqual([]);
    expect(manager.current()).toBe(first);
    manager.stop();
  });

  it("a new cgroup memory limit is one change: memory.totalbytes, MemoryMB and allocatable", async () => {
    const { probe, scheduler, manager, changes } = setup();
    await manager.start();
    probe.setFile("/sys/fs/cgroup/memory.max", "4294967296\n");
    await scheduler.advance(15_000);
    expect(changes).toHaveLength(1);
    const c = changes[0]!;
    expect(c.source).toBe("memory");
    expect(c.diff.attributesChanged).toEqual(["memory.totalbytes"]);
    expect(c.diff.resourcesChanged).toBe(true);
    expect(c.current.node.NodeResources.Memory.MemoryMB).toBe(4096);
    expect(c.current.allocatable.memoryMB).toBe(4096);
    expect(manager.current()).toBe(c.current);
    await scheduler.advance(60_000);
    expect(changes).toHaveLength(1);
    manager.stop();
  });

  it("a CPU quota raised at run time changes cpu.totalcompute on the next cpu refresh", async () => {
    const { probe, scheduler, manager, changes } = setup();
    await manager.start();
    probe.setFile("/sys/fs/cgroup/cpu.max", "max 100000\n");
    await scheduler.advance(15_000);
    const cpu = changes.find((c) => c.source === "cpu");
    expect(cpu?.current.node.Attributes["cpu.totalcompute"]).toBe(String(4 * 2900));
    expect(cpu?.current.node.Attributes["cpu.reservablecores"]).toBe("4");
    manager.stop();
  });

  it("driver health changes are driver changes, with UpdateTime set only for the driver that changed", async () => {
    const mock = createMockDriverDetector();
    const cfg = config({ data_dir: "/var/lib/nomad", drivers: { mock_driver: { enabled: true } } });
    const registry = createDefaultRegistry([...builtinDriverDetectors(), mock]);
    const { scheduler, manager, changes } = setup(
      undefined,
      { drivers: { mock_driver: { enabled: true } } },
      registry,
    );
    expect(cfg.drivers.mock_driver.enabled).toBe(true);
    const first = await manager.start();
    expect(first.node.Attributes["driver.mock_driver"]).toBe("1");
    await scheduler.advance(2_000);
    expect(changes).toEqual([]);
    mock.script({
      health: "unhealthy",
      healthDescription: "mock is sick",
      attributes: { "driver.mock_driver": "true" },
    });
    await scheduler.advance(500);
    expect(changes).toHaveLength(1);
    const c = changes[0]!;
    expect(c.diff.driversChanged).toEqual(["mock_driver"]);
    expect(c.current.node.Drivers["mock_driver"]).toMatchObject({
      Detected: true,
      Healthy: false,
      HealthDescription: "mock is sick",
    });
    expect(c.current.node.Drivers["mock_driver"]?.UpdateTime).toBe(new Date(scheduler.nowMs()).toISOString());
    expect(c.current.node.Drivers["exec"]?.UpdateTime).toBe(first.node.Drivers["exec"]?.UpdateTime);
    manager.stop();
  });

  it("periodic_intervals_ms overrides a fingerprinter's interval", async () => {
    let runs = 0;
    const counted: Fingerprinter = {
      name: "counted",
      periodicIntervalMs: 60_000,
      fingerprint: async () => {
        runs++;
        return { detected: true, attributes: {} };
      },
    };
    const registry = new FingerprinterRegistry().register(counted);
    const { scheduler, manager } = setup(undefined, { periodic_intervals_ms: { counted: 1_000 } }, registry);
    await manager.start();
    expect(manager.periodic()).toEqual([{ name: "counted", intervalMs: 1_000 }]);
    await scheduler.advance(5_000);
    expect(runs).toBe(1 + 5);
    manager.stop();
  });

  it("stop() leaves no timer behind and no refresh runs afterwards", async () => {
    const { probe, scheduler, manager } = setup();
    await manager.start();
    expect(scheduler.pending()).toBeGreaterThan(0);
    manager.stop();
    expect(scheduler.pending()).toBe(0);
    const reads = probe.calls.get("readText") ?? 0;
    await scheduler.advance(600_000);
    expect(probe.calls.get("readText") ?? 0).toBe(reads);
  });
});

describe("FingerprintManager: failing sources degrade, never throw", () => {
  it("an unreadable source at start: that fingerprinter degraded, the others answer", async () => {
    const probe = fixture(FIXTURES.containerV2Limited);
    probe.failOn("/proc/meminfo");
    const { manager } = setup(probe);
    const fp = await manager.start();
    manager.stop();
    expect(fp.fingerprinters["memory"]).toMatchObject({
      state: "degraded",
      reason: expect.stringMatching(/injected/),
    });
    expect(fp.node.Attributes["memory.totalbytes"]).toBeUndefined();
    expect(fp.node.Attributes["cpu.numcores"]).toBe("4");
    expect(fp.fingerprinters["cpu"]?.state).toBe("ok");
  });

  it("a source failing later keeps the last good values, reports degraded, and recovers", async () => {
    const { probe, scheduler, manager, changes } = setup();
    const first = await manager.start();
    probe.failOn("/proc/self/mountinfo");
    await scheduler.advance(15_000);
    // cgroup, cpu and memory all read mountinfo: each reports itself degraded ...
    const degraded = ["cgroup", "cpu", "memory"];
    for (const name of degraded) expect(manager.current().fingerprinters[name]?.state, name).toBe("degraded");
    expect(changes.flatMap((c) => c.diff.statusChanged).sort()).toEqual(degraded);
    // ... and nothing a server sees moved: no jump to the host's totals.
    expect(changes.every((c) => !c.diff.nodeChanged)).toBe(true);
    expect(manager.current().node.Attributes).toEqual(first.node.Attributes);
    expect(manager.current().fingerprinters["storage"]?.state).toBe("ok");
    probe.clearFailures();
    await scheduler.advance(15_000);
    for (const name of degraded) expect(manager.current().fingerprinters[name]?.state, name).toBe("ok");
    expect(manager.current().fingerprinters["memory"]).toEqual({ state: "ok", lastRunMs: scheduler.nowMs() });
    manager.stop();
  });

  it("sync throws, non-Error rejections and hangs are all contained", async () => {
    const registry = new FingerprinterRegistry()
      .register({
        name: "throws",
        periodicIntervalMs: null,
        fingerprint: () => {
          throw new Error("boom");
        },
      })
      .register({
        name: "rejects",
        periodicIntervalMs: null,
        fingerprint: () => Promise.reject("plain string"),
      })
      .register({ name: "hangs", periodicIntervalMs: null, fingerprint: () => new Promise(() => {}) })
      .register(constant("fine", null, { "fine.attr": "yes" }));
    const { scheduler, manager } = setup(undefined, { fingerprint_timeout_ms: 1_000 }, registry);
    const started = manager.start();
    await scheduler.advance(1_000);
    const fp = await started;
    manager.stop();
    expect(fp.fingerprinters["throws"]).toMatchObject({ state: "degraded", reason: "boom" });
    expect(fp.fingerprinters["rejects"]).toMatchObject({ state: "degraded", reason: "plain string" });
    expect(fp.fingerprinters["hangs"]).toMatchObject({
      state: "degraded",
      reason: expect.stringMatching(/within 1000 ms/),
    });
    expect(fp.node.Attributes["fine.attr"]).toBe("yes");
  });

  it("a driver detector that starts failing turns that driver unhealthy, and the node changes", async () => {
    let crash = false;
    const registry = createDefaultRegistry([
      {
        name: "flaky",
        intervalMs: 1_000,
        detect: async () => {
          if (crash) throw new Error("plugin crashed");
          return { health: "healthy", healthDescription: "Healthy", attributes: { "driver.flaky": "true" } };
        },
      },
    ]);
    const { scheduler, manager, changes } = setup(undefined, {}, registry);
    const first = await manager.start();
    expect(first.node.Drivers["flaky"]).toMatchObject({ Detected: true, Healthy: true });
    crash = true;
    await scheduler.advance(1_000);
    expect(changes).toHaveLength(1);
    expect(changes[0]?.diff.driversChanged).toEqual(["flaky"]);
    expect(changes[0]?.diff.statusChanged).toEqual(["driver.flaky"]);
    expect(manager.current().node.Drivers["flaky"]).toMatchObject({
      Detected: true,
      Healthy: false,
      HealthDescription: "fingerprint failed: plugin crashed",
    });
    manager.stop();
  });

  it("a periodic source that never answers has one outstanding call, not one per interval", async () => {
    let calls = 0;
    let answer: ((v: { detected: boolean; attributes: Record<string, string> }) => void) | undefined;
    const stuck: Fingerprinter = {
      name: "stuck",
      periodicIntervalMs: 1_000,
      fingerprint: () => {
        calls++;
        // The first call hangs until released; later calls answer at once.
        if (calls === 1) return new Promise((resolve) => (answer = resolve));
        return Promise.resolve({ detected: true, attributes: { late: "no" } });
      },
    };
    const registry = new FingerprinterRegistry().register(stuck);
    const { scheduler, manager } = setup(undefined, { fingerprint_timeout_ms: 500 }, registry);
    const started = manager.start();
    await scheduler.advance(500);
    await started;
    await scheduler.advance(10_000);
    expect(calls).toBe(1);
    expect(manager.current().fingerprinters["stuck"]?.state).toBe("degraded");
    answer?.({ detected: true, attributes: { late: "yes" } });
    await scheduler.advance(1_000);
    expect(calls).toBe(2);
    expect(manager.current().fingerprinters["stuck"]?.state).toBe("ok");
    expect(manager.current().node.Attributes["late"]).toBe("no");
    manager.stop();
  });

  it("start() twice is one start: same fingerprint, no duplicate timers", async () => {
    const { scheduler, manager } = setup();
    const [a, b] = await Promise.all([manager.start(), manager.start()]);
    expect(a).toBe(b);
    const pending = scheduler.pending();
    expect(await manager.start()).toBe(a);
    expect(scheduler.pending()).toBe(pending);
    manager.stop();
  });

  it("a slow periodic fingerprinter is not started again while it runs", async () => {
    let running = 0;
    let maxConcurrent = 0;
    let runs = 0;
    const scheduler = new FakeScheduler();
    const slow: Fingerprinter = {
      name: "slow",
      periodicIntervalMs: 100,
      async fingerprint() {
        runs++;
        running++;
        maxConcurrent = Math.max(maxConcurrent, running);
        await new Promise<void>((resolve) => scheduler.schedule(250, resolve));
        running--;
        return { detected: true, attributes: { runs: String(runs) } };
      },
    };
    const manager = new FingerprintManager({
      probe: fixture(FIXTURES.arm64NoNetwork),
      scheduler,
      registry: new FingerprinterRegistry().register(slow),
    });
    const started = manager.start();
    await scheduler.advance(250);
    await started;
    await scheduler.advance(3_500);
    manager.stop();
    expect(maxConcurrent).toBe(1);
    // One run per 100 ms wait + 250 ms work.
    expect(runs).toBeLessThanOrEqual(1 + Math.ceil(3_500 / 350));
  });

  it("a throwing listener does not stop other listeners or later refreshes", async () => {
    const { probe, scheduler, manager, changes } = setup();
    manager.onChange(() => {
      throw new Error("listener bug");
    });
    await manager.start();
    probe.setFile("/sys/fs/cgroup/memory.max", "1073741824\n");
    await scheduler.advance(15_000);
    probe.setFile("/sys/fs/cgroup/memory.max", "3221225472\n");
    await scheduler.advance(15_000);
    expect(changes).toHaveLength(2);
    expect(manager.listenerErrors).toBe(2);
    manager.stop();
  });
});
