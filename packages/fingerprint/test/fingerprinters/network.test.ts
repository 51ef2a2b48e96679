import { describe, expect, it } from "vitest";
import { networkFingerprinter } from "@nomad/fingerprint";
import { ctx, fixture, FIXTURES } from "../helpers.js";

describe("network fingerprinter", () => {
  it("uses the default route's interface, its sysfs speed, and a /32 CIDR per address", async () => {
    const r = await networkFingerprinter.fingerprint(ctx(fixture(FIXTURES.containerV2Limited)));
    expect(r.attributes).toEqual({ "unique.network.ip-address": "172.17.0.5" });
    expect(r.resources?.networks).toEqual([
      { Mode: "host", Device: "eth0", CIDR: "172.17.0.5/32", IP: "172.17.0.5", MBits: 10000 },
    ]);
    const eth0 = r.resources?.nodeNetworks?.find((n) => n.Device === "eth0");
    expect(eth0).toMatchObject({ Mode: "host", MacAddress: "02:42:ac:11:00:05", Speed: 10000 });
    expect(eth0?.Addresses).toEqual([
      { Alias: "default", Address: "172.17.0.5", Family: "ipv4", ReservedPorts: "" },
    ]);
    expect(r.resources?.nodeNetworks?.map((n) => n.Device)).toEqual(["eth0", "lo"]);
  });

  it("unreadable link speed falls back to 1000 Mbit/s; link-local IPv6 is dropped beside a routable address", async () => {
    const r = await networkFingerprinter.fingerprint(ctx(fixture(FIXTURES.containerV1Limited)));
    expect(r.resources?.networks).toEqual([
      { Mode: "host", Device: "eth0", CIDR: "172.17.0.3/32", IP: "172.17.0.3", MBits: 1000 },
    ]);
  });

  it("network_speed overrides the detected speed", async () => {
    const r = await networkFingerprinter.fingerprint(
      ctx(fixture(FIXTURES.containerV2Limited), { network_speed: 25 }),
    );
    expect(r.resources?.networks?.[0]?.MBits).toBe(25);
  });

  it("host with only lo and no default route: undetected, no ip-address, lo still listed", async () => {
    const r = await networkFingerprinter.fingerprint(ctx(fixture(FIXTURES.arm64NoNetwork)));
    expect(r.detected).toBe(false);
    expect(r.reason).toMatch(/no default route/);
    expect(r.attributes["unique.network.ip-address"]).toBeUndefined();
    expect(r.resources?.networks).toEqual([]);
    expect(r.resources?.nodeNetworks?.map((n) => n.Device)).toEqual(["lo"]);
  });

  it("network_interface = lo (Nomad -dev) fingerprints loopback with a /128 for ::1", async () => {
    const r = await networkFingerprinter.fingerprint(
      ctx(fixture(FIXTURES.arm64NoNetwork), { network_interface: "lo" }),
    );
    expect(r.detected).toBe(true);
    expect(r.attributes["unique.network.ip-address"]).toBe("127.0.0.1");
    expect(r.resources?.networks?.map((n) => n.CIDR)).toEqual(["127.0.0.1/32", "::1/128"]);
    expect(r.resources?.nodeNetworks?.[0]?.Addresses[0]?.Alias).toBe("default");
  });

  it("a configured interface that does not exist is an error", async () => {
    await expect(
      networkFingerprinter.fingerprint(ctx(fixture(FIXTURES.arm64NoNetwork), { network_interface: "eth7" })),
    ).rejects.toThrow(/eth7/);
  });
});
