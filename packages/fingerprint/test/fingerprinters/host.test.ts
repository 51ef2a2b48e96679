import { describe, expect, it } from "vitest";
import { archFingerprinter, goArch, hostFingerprinter, nomadFingerprinter } from "@nomad/fingerprint";
import { ctx, fixture, FIXTURES } from "../helpers.js";

describe("host fingerprinter", () => {
  it("recorded Debian VM: kernel, os (debian_version point release), hostname, machine-id as a UUID", async () => {
    const r = await hostFingerprinter.fingerprint(ctx(fixture(FIXTURES.vmCgroupV1Hybrid)));
    expect(r.attributes).toEqual({
      "kernel.name": "linux",
      "kernel.version": "6.18.44-fc-v595",
      "kernel.arch": "x86_64",
      "os.name": "debian",
      "os.version": "12.11",
      "unique.hostname": "vm",
      "unique.host_id": "3d1219c7-c4c5-404a-aa1f-6d2a48adfda4",
    });
  });

  it("Ubuntu container: VERSION_ID, and the DMI product UUID lower-cased as host_id", async () => {
    const r = await hostFingerprinter.fingerprint(ctx(fixture(FIXTURES.containerV2Limited)));
    expect(r.attributes["os.name"]).toBe("ubuntu");
    expect(r.attributes["os.version"]).toBe("22.04");
    expect(r.attributes["unique.host_id"]).toBe("ec2a7f3e-1b2c-4d5e-8f90-a1b2c3d4e5f6");
  });

  it("no os-release: os.* absent rather than empty", async () => {
    const probe = fixture(FIXTURES.arm64NoNetwork);
    probe.deleteFile("/etc/os-release");
    const r = await hostFingerprinter.fingerprint(ctx(probe));
    expect(r.attributes["os.name"]).toBeUndefined();
    expect(r.attributes["kernel.arch"]).toBe("aarch64");
  });
});

describe("arch fingerprinter", () => {
  it("uses Go's GOARCH names", async () => {
    expect((await archFingerprinter.fingerprint(ctx(fixture(FIXTURES.arm64NoNetwork)))).attributes).toEqual({
      "cpu.arch": "arm64",
    });
    expect((await archFingerprinter.fingerprint(ctx(fixture(FIXTURES.vmCgroupV1Hybrid)))).attributes).toEqual(
      {
        "cpu.arch": "amd64",
      },
    );
    expect(goArch("ia32")).toBe("386");
  });
});

describe("nomad fingerprinter", () => {
  it("reports version, revision, service discovery and the advertised HTTP address", async () => {
    const r = await nomadFingerprinter.fingerprint(
      ctx(fixture(FIXTURES.arm64NoNetwork), { nomad_revision: "abc123", http_addr: "10.0.0.1:4646" }),
    );
    expect(r.attributes).toEqual({
      "nomad.version": "2.0.6",
      "nomad.revision": "abc123",
      "nomad.service_discovery": "true",
      "unique.advertise.address": "10.0.0.1:4646",
    });
  });
});
