import { describe, expect, it } from "vitest";
import { diffFingerprints, type HostFingerprint } from "@nomad/fingerprint";

function fp(
  over: Partial<HostFingerprint["node"]> = {},
  status: HostFingerprint["fingerprinters"] = {},
): HostFingerprint {
  return {
    node: {
      ID: "n1",
      Attributes: { a: "1", b: "2" },
      NodeResources: {
        Cpu: { CpuShares: 1000, TotalCpuCores: 1, ReservableCpuCores: [0] },
        Memory: { MemoryMB: 1024 },
        Disk: { DiskMB: 10 },
        Networks: [],
        NodeNetworks: [],
      },
      ReservedResources: {
        Cpu: { CpuShares: 0, ReservedCpuCores: [] },
        Memory: { MemoryMB: 0 },
        Disk: { DiskMB: 0 },
        Networks: { ReservedHostPorts: "" },
      },
      Links: {},
      Drivers: {
        exec: {
          Attributes: {},
          Detected: true,
          Healthy: true,
          HealthDescription: "Healthy",
          UpdateTime: "t1",
        },
      },
      ...over,
    },
    allocatable: { cpuMHz: 1000, memoryMB: 1024, diskMB: 10, cores: 1 },
    fingerprinters: status,
  };
}

describe("fingerprint diff", () => {
  it("identical fingerprints differ in nothing, whatever the run times", () => {
    const d = diffFingerprints(
      fp({}, { cpu: { state: "ok", lastRunMs: 1 } }),
      fp({}, { cpu: { state: "ok", lastRunMs: 2 } }),
    );
    expect(d.nodeChanged).toBe(false);
    expect(d.statusChanged).toEqual([]);
  });

  it("names added, removed and changed attributes", () => {
    const d = diffFingerprints(fp(), fp({ Attributes: { a: "9", c: "3" } }));
    expect(d).toMatchObject({
      attributesAdded: ["c"],
      attributesRemoved: ["b"],
      attributesChanged: ["a"],
      nodeChanged: true,
    });
  });

  it("a driver's UpdateTime alone is not a change; its health is", () => {
    const base = fp();
    const touched = fp({
      Drivers: {
        exec: {
          Attributes: {},
          Detected: true,
          Healthy: true,
          HealthDescription: "Healthy",
          UpdateTime: "t2",
        },
      },
    });
    expect(diffFingerprints(base, touched).nodeChanged).toBe(false);
    const sick = fp({
      Drivers: {
        exec: { Attributes: {}, Detected: true, Healthy: false, HealthDescription: "x", UpdateTime: "t2" },
      },
    });
    expect(diffFingerprints(base, sick).driversChanged).toEqual(["exec"]);
  });

  it("resource and status changes are reported separately", () => {
    const more = fp();
    more.node.NodeResources.Memory.MemoryMB = 2048;
    expect(diffFingerprints(fp(), more).resourcesChanged).toBe(true);
    const d = diffFingerprints(
      fp({}, { cpu: { state: "ok", lastRunMs: 1 } }),
      fp({}, { cpu: { state: "degraded", reason: "x", lastRunMs: 2 } }),
    );
    expect(d).toMatchObject({ statusChanged: ["cpu"], nodeChanged: false });
  });
});
