import { describe, expect, it } from "vitest";
import { FingerprintConfigError, parseFingerprintConfig, allocDirOf, stateDirOf } from "@nomad/fingerprint";

describe("fingerprint config", () => {
  it("defaults follow Nomad: raw_exec off, exec on, nothing reserved, random node ID", () => {
    const c = parseFingerprintConfig({});
    expect(c.drivers.raw_exec.enabled).toBe(false);
    expect(c.drivers.exec.enabled).toBe(true);
    expect(c.drivers.mock_driver.enabled).toBe(false);
    expect(c.reserved).toEqual({ cpu: 0, cores: [], memory: 0, disk: 0, reserved_ports: "" });
    expect(c.no_host_uuid).toBe(true);
    expect(c.network_interface).toBe("");
  });

  it("reserved cores accept Nomad's cpuset string or an array", () => {
    expect(parseFingerprintConfig({ reserved: { cores: "0-2,5" } }).reserved.cores).toEqual([0, 1, 2, 5]);
    expect(parseFingerprintConfig({ reserved: { cores: [3, 1, 3] } }).reserved.cores).toEqual([1, 3]);
  });

  it("errors name the field", () => {
    expect(() => parseFingerprintConfig({ reserved: { memory: -1 } })).toThrow(FingerprintConfigError);
    expect(() => parseFingerprintConfig({ reserved: { memory: -1 } })).toThrow(/reserved\.memory/);
    expect(() => parseFingerprintConfig({ reserved: { cores: "0-x" } })).toThrow(/cpuset/);
    expect(() => parseFingerprintConfig({ drivers: { raw_exec: { enabled: "yes" } } })).toThrow(
      /drivers\.raw_exec\.enabled/,
    );
  });

  it("alloc and state dirs default under data_dir, as in Nomad", () => {
    const c = parseFingerprintConfig({ data_dir: "/var/lib/nomad" });
    expect(allocDirOf(c)).toBe("/var/lib/nomad/alloc");
    expect(stateDirOf(c)).toBe("/var/lib/nomad/client");
    expect(allocDirOf(parseFingerprintConfig({}))).toBeUndefined();
  });
});
