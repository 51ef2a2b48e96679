import { describe, expect, it } from "vitest";
import { createCpuFingerprinter, createMemoryFingerprinter } from "@nomad/fingerprint";
import { ctx, fixture, FIXTURES } from "../helpers.js";

describe("memory fingerprinter", () => {
  it("host without a memory limit reports MemTotal in bytes and MB", async () => {
    const r = await createMemoryFingerprinter().fingerprint(ctx(fixture(FIXTURES.arm64NoNetwork)));
    expect(r.attributes["memory.totalbytes"]).toBe(String(8029264 * 1024));
    expect(r.resources?.memoryMB).toBe(Math.floor((8029264 * 1024) / 1048576));
  });

  it("recorded VM: the unlimited v1 value (2^63 rounded to pages) is no limit", async () => {
    const r = await createMemoryFingerprinter().fingerprint(ctx(fixture(FIXTURES.vmCgroupV1Hybrid)));
    expect(r.attributes["memory.totalbytes"]).toBe(String(24684096 * 1024));
  });

  it("cgroup v2 memory.max below physical memory is the node's memory", async () => {
    const r = await createMemoryFingerprinter().fingerprint(ctx(fixture(FIXTURES.containerV2Limited)));
    expect(r.attributes["memory.totalbytes"]).toBe("2147483648");
    expect(r.resources?.memoryMB).toBe(2048);
  });

  it("cgroup v1 memory.limit_in_bytes below physical memory is the node's memory", async () => {
    const r = await createMemoryFingerprinter().fingerprint(ctx(fixture(FIXTURES.containerV1Limited)));
    expect(r.attributes["memory.totalbytes"]).toBe("1073741824");
    expect(r.resources?.memoryMB).toBe(1024);
  });

  it("a limit on an ancestor cgroup applies to the leaf", async () => {
    const probe = fixture(FIXTURES.vmCgroupV1Hybrid);
    probe.setFile("/sys/fs/cgroup/memory/process_api/memory.limit_in_bytes", "536870912\n");
    const r = await createMemoryFingerprinter().fingerprint(ctx(probe));
    expect(r.attributes["memory.totalbytes"]).toBe("536870912");
  });

  it("memory_total_mb overrides detection", async () => {
    const r = await createMemoryFingerprinter().fingerprint(
      ctx(fixture(FIXTURES.containerV2Limited), { memory_total_mb: 100 }),
    );
    expect(r.attributes["memory.totalbytes"]).toBe(String(100 * 1048576));
  });

  it("an unreadable meminfo makes the fingerprinter fail (the manager reports it degraded)", async () => {
    const probe = fixture(FIXTURES.arm64NoNetwork);
    probe.failOn("/proc/meminfo");
    await expect(createMemoryFingerprinter().fingerprint(ctx(probe))).rejects.toThrow(/injected/);
  });
});

describe("cgroup v2 without a cgroup namespace", () => {
  it("walks from the process's own cgroup up to the mount: the tightest limit on the way wins", async () => {
    const probe = fixture(FIXTURES.containerV2Limited);
    probe.setFile("/proc/self/cgroup", "0::/system.slice/docker-abc.scope\n");
    probe.setFile("/sys/fs/cgroup/system.slice/docker-abc.scope/memory.max", "max\n");
    probe.setFile("/sys/fs/cgroup/system.slice/memory.max", "1073741824\n");
    probe.setFile("/sys/fs/cgroup/system.slice/docker-abc.scope/cpu.max", "50000 100000\n");
    const mem = await createMemoryFingerprinter().fingerprint(ctx(probe));
    expect(mem.attributes["memory.totalbytes"]).toBe("1073741824");
    const cpu = await createCpuFingerprinter().fingerprint(ctx(probe));
    // cpuset.cpus.effective exists only at the root here (0-3); quota 0.5 CPU of 2900 MHz.
    expect(cpu.attributes).toMatchObject({
      "cpu.numcores": "4",
      "cpu.totalcompute": "1450",
      "cpu.reservablecores": "0",
    });
  });
});
