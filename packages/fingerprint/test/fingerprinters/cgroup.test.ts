import { describe, expect, it } from "vitest";
import { cgroupFingerprinter, createCpuFingerprinter, createMemoryFingerprinter } from "@nomad/fingerprint";
import { ctx, fixture, FIXTURES } from "../helpers.js";

describe("cgroup fingerprinter", () => {
  it("hybrid host (v1 controllers + cgroup2 at /sys/fs/cgroup/unified) is v1, as Nomad decides", async () => {
    const r = await cgroupFingerprinter.fingerprint(ctx(fixture(FIXTURES.vmCgroupV1Hybrid)));
    expect(r.attributes).toEqual({
      "os.cgroups.version": "1",
      "unique.cgroup.mountpoint": "/sys/fs/cgroup",
      "unique.cgroup.version": "v1",
    });
  });

  it("cgroup2 mounted at /sys/fs/cgroup is v2", async () => {
    const r = await cgroupFingerprinter.fingerprint(ctx(fixture(FIXTURES.containerV2Limited)));
    expect(r.attributes["os.cgroups.version"]).toBe("2");
    expect(r.attributes["unique.cgroup.version"]).toBe("v2");
  });

  it("no cgroup filesystem: undetected with a reason, no attributes", async () => {
    const r = await cgroupFingerprinter.fingerprint(ctx(fixture(FIXTURES.arm64NoNetwork)));
    expect(r.detected).toBe(false);
    expect(r.reason).toMatch(/no cgroup/);
    expect(r.attributes).toEqual({});
  });

  it("an unreadable mountinfo is a failure, not 'no cgroups'", async () => {
    const probe = fixture(FIXTURES.containerV2Limited);
    probe.failOn("/proc/self/mountinfo");
    await expect(cgroupFingerprinter.fingerprint(ctx(probe))).rejects.toThrow();
  });
});

describe("cgroup detection without /proc", () => {
  it("no mountinfo at all (macOS, bare sandboxes) is 'no cgroups', and cpu/memory use host totals", async () => {
    const probe = fixture(FIXTURES.containerV2Limited);
    probe.deleteFile("/proc/self/mountinfo");
    expect((await cgroupFingerprinter.fingerprint(ctx(probe))).detected).toBe(false);
    expect((await createMemoryFingerprinter().fingerprint(ctx(probe))).attributes["memory.totalbytes"]).toBe(
      String(65859936 * 1024),
    );
    expect((await createCpuFingerprinter().fingerprint(ctx(probe))).attributes["cpu.numcores"]).toBe("8");
  });
});
