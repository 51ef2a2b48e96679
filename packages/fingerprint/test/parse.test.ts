import { describe, expect, it } from "vitest";
import { formatCpuList, parseCpuList } from "../src/parse/cpu-list.js";
import { parseCpuInfo } from "../src/parse/cpuinfo.js";
import { parseMemTotalBytes } from "../src/parse/meminfo.js";
import { mountOf, parseMountInfo } from "../src/parse/mountinfo.js";
import { parseOsRelease } from "../src/parse/os-release.js";
import { defaultRouteInterfaceV4, defaultRouteInterfaceV6 } from "../src/parse/proc-net-route.js";

describe("kernel CPU lists", () => {
  it("expands ranges and singles, sorted and unique", () => {
    expect(parseCpuList("0-3,8,10-11,2\n")).toEqual([0, 1, 2, 3, 8, 10, 11]);
    expect(parseCpuList("")).toEqual([]);
  });
  it("rejects malformed parts rather than guessing cores", () => {
    expect(() => parseCpuList("0-a")).toThrow(/malformed/);
    expect(() => parseCpuList("5-2")).toThrow(/malformed/);
  });
});

describe("/proc/cpuinfo", () => {
  it("reads processor, model name and MHz per block", () => {
    const text =
      "processor\t: 0\nmodel name\t: X\ncpu MHz\t\t: 2596.148\n\nprocessor\t: 1\nmodel name\t: X\ncpu MHz\t\t: 1200\n";
    expect(parseCpuInfo(text)).toEqual([
      { processor: 0, modelName: "X", mhz: 2596.148 },
      { processor: 1, modelName: "X", mhz: 1200 },
    ]);
  });
  it("arm64 blocks without model name or MHz give empty values", () => {
    expect(parseCpuInfo("processor\t: 0\nCPU part\t: 0xd0c\n")).toEqual([
      { processor: 0, modelName: "", mhz: 0 },
    ]);
  });
});

describe("/proc/meminfo", () => {
  it("MemTotal in kB becomes bytes", () => {
    expect(parseMemTotalBytes("MemTotal:       24684096 kB\nMemFree: 1 kB\n")).toBe(24684096 * 1024);
  });
  it("a file without MemTotal is an error", () => {
    expect(() => parseMemTotalBytes("MemFree: 1 kB\n")).toThrow(/MemTotal/);
  });
});

describe("/proc/self/mountinfo", () => {
  const text = [
    "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw",
    "41 31 0:38 /docker/x /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
    "50 27 8:1 / /var/lib/my\\040data rw - xfs /dev/sda1 rw",
  ].join("\n");
  it("parses root, mount point, type, source and unescapes octal", () => {
    const m = parseMountInfo(text);
    expect(m[1]).toMatchObject({
      root: "/docker/x",
      mountPoint: "/sys/fs/cgroup/unified",
      fsType: "cgroup2",
    });
    expect(m[2]?.mountPoint).toBe("/var/lib/my data");
  });
  it("finds the mount holding a path by longest prefix, not by string prefix", () => {
    const m = parseMountInfo(text);
    expect(mountOf(m, "/var/lib/my data/alloc")?.source).toBe("/dev/sda1");
    expect(mountOf(m, "/var/lib/my datax")?.source).toBe("/dev/vda");
  });
});

describe("/etc/os-release", () => {
  it("unquotes values", () => {
    expect(parseOsRelease("ID=ubuntu\nVERSION_ID=\"22.04\"\nNAME='X Y'\n# c\n")).toEqual({
      ID: "ubuntu",
      VERSION_ID: "22.04",
      NAME: "X Y",
    });
  });
});

describe("default route", () => {
  const hdr = "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT\n";
  it("picks the up default route with the lowest metric", () => {
    const t =
      hdr +
      "wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n" +
      "eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n" +
      "eth1\t00000000\t0101A8C0\t0002\t0\t0\t0\t00000000\t0\t0\t0\n" +
      "eth0\t0001A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";
    expect(defaultRouteInterfaceV4(t)).toBe("eth0");
  });
  it("no default route gives undefined", () => {
    expect(defaultRouteInterfaceV4(hdr)).toBeUndefined();
  });
  it("IPv6 ::/0 route, never lo", () => {
    const z = "0".repeat(32);
    const line = (iface: string) =>
      `${z} 00 ${z} 00 fd000000000000000000000000000001 00000400 00000002 00000000 00000003 ${iface}`;
    expect(defaultRouteInterfaceV6(line("eth0") + "\n")).toBe("eth0");
    expect(defaultRouteInterfaceV6(line("lo") + "\n")).toBeUndefined();
  });
});

describe("CPU list formatting", () => {
  it("compacts runs into ranges, the inverse of parsing", () => {
    expect(formatCpuList([5, 0, 1, 2, 8, 9])).toBe("0-2,5,8-9");
    expect(formatCpuList([])).toBe("");
    expect(parseCpuList(formatCpuList([0, 1, 2, 5, 8, 9]))).toEqual([0, 1, 2, 5, 8, 9]);
  });
});
