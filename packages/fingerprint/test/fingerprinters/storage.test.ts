import { describe, expect, it } from "vitest";
import { storageFingerprinter } from "@nomad/fingerprint";
import { ctx, fixture, FIXTURES } from "../helpers.js";

describe("storage fingerprinter", () => {
  it("measures the alloc dir's volume (data_dir/alloc, not yet created) with statfs", async () => {
    const r = await storageFingerprinter.fingerprint(
      ctx(fixture(FIXTURES.containerV2Limited), { data_dir: "/var/lib/nomad" }),
    );
    expect(r.attributes).toEqual({
      "unique.storage.volume": "/dev/nvme0n1p1",
      "unique.storage.bytestotal": String(52428800 * 4096),
      "unique.storage.bytesfree": String(39000000 * 4096),
    });
    // DiskMB is the volume's size, as Nomad computes it since #27019.
    expect(r.resources?.diskMB).toBe(Math.floor((52428800 * 4096) / 1048576));
  });

  it("a data dir bind-mounted into a v1 container reports the host volume behind it", async () => {
    const r = await storageFingerprinter.fingerprint(
      ctx(fixture(FIXTURES.containerV1Limited), { data_dir: "/opt/nomad/data" }),
    );
    expect(r.attributes["unique.storage.volume"]).toBe("/dev/sda1");
    expect(r.attributes["unique.storage.bytestotal"]).toBe(String(262144000 * 4096));
  });

  it("alloc_dir wins over data_dir", async () => {
    const r = await storageFingerprinter.fingerprint(
      ctx(fixture(FIXTURES.containerV1Limited), { data_dir: "/opt/nomad/data", alloc_dir: "/tmp/alloc" }),
    );
    expect(r.attributes["unique.storage.volume"]).toBe("overlay");
    expect(r.attributes["unique.storage.bytestotal"]).toBe(String(5242880 * 4096));
  });

  it("disk_total_mb overrides the detected total", async () => {
    const r = await storageFingerprinter.fingerprint(
      ctx(fixture(FIXTURES.arm64NoNetwork), { data_dir: "/srv/nomad", disk_total_mb: 2048 }),
    );
    expect(r.attributes["unique.storage.bytestotal"]).toBe(String(2048 * 1048576));
    expect(r.resources?.diskMB).toBe(2048);
  });

  it("a failing statfs is an error (degraded), not zero bytes", async () => {
    const probe = fixture(FIXTURES.arm64NoNetwork);
    probe.failOn("statfs");
    await expect(storageFingerprinter.fingerprint(ctx(probe, { data_dir: "/srv/nomad" }))).rejects.toThrow();
  });
});
