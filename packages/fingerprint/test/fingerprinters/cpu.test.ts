import { describe, expect, it } from "vitest";
import { createCpuFingerprinter } from "@nomad/fingerprint";
import { ctx, fixture, FIXTURES } from "../helpers.js";

describe("cpu fingerprinter", () => {
  it("recorded 2-CPU VM without cpufreq: cores, model, /proc/cpuinfo clock, total = cores x MHz", async () => {
    const r = await createCpuFingerprinter().fingerprint(ctx(fixture(FIXTURES.vmCgroupV1Hybrid)));
    expect(r.attributes).toMatchObject({
      "cpu.numcores": "2",
      "cpu.modelname": "AMD EPYC",
      "cpu.frequency": "2596",
      "cpu.totalcompute": "5192",
      "cpu.usablecompute": "5192",
      "cpu.reservablecores": "2",
    });
    expect(r.resources?.cpu).toEqual({ CpuShares: 5192, TotalCpuCores: 2, ReservableCpuCores: [0, 1] });
  });

  it("cgroup v2 container: cpuset 0-3 of 8 CPUs and a 1.5-CPU quota give 4 cores, 1.5 x 2900 MHz, 1 reservable core", async () => {
    const r = await createCpuFingerprinter().fingerprint(ctx(fixture(FIXTURES.containerV2Limited)));
    expect(r.attributes).toMatchObject({
      "cpu.numcores": "4",
      // base_frequency wins over cpuinfo_max_freq and the current clock, as in Nomad.
      "cpu.frequency": "2900",
      "cpu.totalcompute": "4350",
      "cpu.reservablecores": "1",
    });
    expect(r.resources?.cpu?.ReservableCpuCores).toEqual([0]);
  });

  it("cgroup v1 container: cpuset 0-7 of 16 CPUs and a 2-CPU CFS quota give 8 cores and 5300 MHz", async () => {
    const r = await createCpuFingerprinter().fingerprint(ctx(fixture(FIXTURES.containerV1Limited)));
    expect(r.attributes).toMatchObject({
      "cpu.numcores": "8",
      "cpu.frequency": "2650",
      "cpu.totalcompute": "5300",
      "cpu.reservablecores": "2",
      "cpu.modelname": "AMD EPYC 7R13 Processor",
    });
  });

  it("arm64 without model name or cpuinfo MHz: clock from cpuinfo_max_freq, no modelname attribute", async () => {
    const r = await createCpuFingerprinter().fingerprint(ctx(fixture(FIXTURES.arm64NoNetwork)));
    expect(r.attributes["cpu.frequency"]).toBe("2000");
    expect(r.attributes["cpu.totalcompute"]).toBe("8000");
    expect(r.attributes["cpu.modelname"]).toBeUndefined();
  });

  it("reserved cpu MHz and reserved cores come out of usable compute and reservable cores", async () => {
    const r = await createCpuFingerprinter().fingerprint(
      ctx(fixture(FIXTURES.arm64NoNetwork), { reserved: { cpu: 500, cores: "0-1" } }),
    );
    // 4 x 2000 total; cores 0-1 (4000 MHz) and 500 MHz withheld.
    expect(r.attributes["cpu.totalcompute"]).toBe("8000");
    expect(r.attributes["cpu.usablecompute"]).toBe("3500");
    expect(r.attributes["cpu.reservablecores"]).toBe("2");
    expect(r.resources?.cpu).toEqual({ CpuShares: 8000, TotalCpuCores: 2, ReservableCpuCores: [2, 3] });
  });

  it("cpu_total_compute overrides detection", async () => {
    const r = await createCpuFingerprinter().fingerprint(
      ctx(fixture(FIXTURES.arm64NoNetwork), { cpu_total_compute: 1234 }),
    );
    expect(r.attributes["cpu.totalcompute"]).toBe("1234");
  });

  it("a quota change is seen on the next run; the hardware scan is not repeated", async () => {
    const probe = fixture(FIXTURES.containerV2Limited);
    const fp = createCpuFingerprinter();
    await fp.fingerprint(ctx(probe));
    const cpuinfoReads = () => probe.calls.get("readText") ?? 0;
    probe.setFile("/sys/fs/cgroup/cpu.max", "300000 100000\n");
    const before = cpuinfoReads();
    const r = await fp.fingerprint(ctx(probe));
    expect(r.attributes["cpu.totalcompute"]).toBe("8700");
    // Only cgroup files were read the second time: no per-CPU sysfs walk (8 CPUs x 3 files).
    expect(cpuinfoReads() - before).toBeLessThan(10);
  });

  it("a cpuset that shares no CPU with the online set is an error, not zero cores", async () => {
    const probe = fixture(FIXTURES.containerV2Limited);
    probe.setFile("/sys/fs/cgroup/cpuset.cpus.effective", "12-15\n");
    await expect(createCpuFingerprinter().fingerprint(ctx(probe))).rejects.toThrow(/no usable CPU/);
  });
});

describe("cpu fingerprinter: NUMA", () => {
  it("reports Nomad's numa.node.count and numa.node<N>.cores from sysfs", async () => {
    const r = await createCpuFingerprinter().fingerprint(ctx(fixture(FIXTURES.containerV2Limited)));
    expect(r.attributes).toMatchObject({
      "numa.node.count": "2",
      "numa.node0.cores": "0-3",
      "numa.node1.cores": "4-7",
    });
  });
  it("without NUMA information every CPU is on node 0", async () => {
    const r = await createCpuFingerprinter().fingerprint(ctx(fixture(FIXTURES.containerV1Limited)));
    expect(r.attributes).toMatchObject({ "numa.node.count": "1", "numa.node0.cores": "0-15" });
  });
  it("not on Linux: no NUMA attributes", async () => {
    const probe = fixture(FIXTURES.containerV1Limited);
    probe.host.uname.platform = "darwin";
    const r = await createCpuFingerprinter().fingerprint(ctx(probe));
    expect(r.attributes["numa.node.count"]).toBeUndefined();
  });
});
