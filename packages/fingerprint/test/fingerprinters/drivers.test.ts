import { describe, expect, it } from "vitest";
import {
  createMockDriverDetector,
  driverFingerprinter,
  execDetector,
  rawExecDetector,
} from "@nomad/fingerprint";
import { ctx, fixture, FIXTURES } from "../helpers.js";

describe("raw_exec detector", () => {
  it("is undetected with description 'disabled' by default, as in Nomad", async () => {
    expect(await rawExecDetector.detect(ctx(fixture(FIXTURES.vmCgroupV1Hybrid)))).toEqual({
      health: "undetected",
      healthDescription: "disabled",
      attributes: {},
    });
  });
  it("is healthy with driver.raw_exec = true once enabled", async () => {
    const fp = await rawExecDetector.detect(
      ctx(fixture(FIXTURES.vmCgroupV1Hybrid), { drivers: { raw_exec: { enabled: true } } }),
    );
    expect(fp).toEqual({
      health: "healthy",
      healthDescription: "Healthy",
      attributes: { "driver.raw_exec": "true" },
    });
  });
});

describe("exec detector", () => {
  it("Linux, root and cgroups: healthy", async () => {
    const fp = await execDetector.detect(ctx(fixture(FIXTURES.containerV2Limited)));
    expect(fp).toEqual({
      health: "healthy",
      healthDescription: "Healthy",
      attributes: { "driver.exec": "true" },
    });
  });
  it("not root: undetected, 'Driver must run as root'", async () => {
    const probe = fixture(FIXTURES.containerV2Limited);
    probe.host.uid = 1000;
    const fp = await execDetector.detect(ctx(probe));
    expect(fp).toMatchObject({ health: "undetected", healthDescription: "Driver must run as root" });
  });
  it("no cgroup mount: unhealthy, 'Failed to discover cgroup mount point'", async () => {
    const fp = await execDetector.detect(ctx(fixture(FIXTURES.arm64NoNetwork)));
    expect(fp).toMatchObject({
      health: "unhealthy",
      healthDescription: "Failed to discover cgroup mount point",
    });
  });
  it("not Linux: undetected", async () => {
    const probe = fixture(FIXTURES.containerV2Limited);
    probe.host.uname.platform = "darwin";
    expect((await execDetector.detect(ctx(probe))).health).toBe("undetected");
  });
});

describe("mock_driver detector", () => {
  it("healthy when enabled, scriptable, and refreshes every 500 ms", async () => {
    const mock = createMockDriverDetector();
    const c = ctx(fixture(FIXTURES.arm64NoNetwork), { drivers: { mock_driver: { enabled: true } } });
    expect(mock.intervalMs).toBe(500);
    expect((await mock.detect(c)).attributes).toEqual({ "driver.mock_driver": "true" });
    mock.script({ health: "unhealthy", healthDescription: "broken on purpose", attributes: {} });
    expect((await mock.detect(c)).health).toBe("unhealthy");
  });
});

describe("driver fingerprinter adapter", () => {
  it("is periodic at the detector's interval and reports under Drivers[name]", async () => {
    const f = driverFingerprinter(rawExecDetector);
    expect(f.name).toBe("driver.raw_exec");
    expect(f.periodicIntervalMs).toBe(30_000);
    const r = await f.fingerprint(ctx(fixture(FIXTURES.arm64NoNetwork)));
    expect(Object.keys(r.drivers ?? {})).toEqual(["raw_exec"]);
  });
});
