// Sanity of the fingerprint of the machine running the tests, against Node's and the
// kernel's own answers. Values that other processes change while we run (free bytes) are
// compared loosely; everything else exactly.

import { promises as fsp, mkdtempSync, rmSync, statSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fingerprintHost, goArch, type HostFingerprint } from "@nomad/fingerprint";

const dataDir = mkdtempSync(path.join(os.tmpdir(), "fp-live-"));
let fp: HostFingerprint;

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function cgroupCpusetSize(): Promise<number | undefined> {
  for (const f of ["/sys/fs/cgroup/cpuset.cpus.effective", "/sys/fs/cgroup/cpuset/cpuset.effective_cpus"]) {
    try {
      const text = (await fsp.readFile(f, "utf8")).trim();
      let n = 0;
      for (const part of text.split(",")) {
        const [lo, hi] = part.split("-").map(Number);
        n += hi === undefined ? 1 : hi - (lo ?? 0) + 1;
      }
      return n;
    } catch {
      // not this layout
    }
  }
  return undefined;
}

describe("fingerprint of this host", () => {
  it("completes with every core fingerprinter ok", async () => {
    fp = await fingerprintHost({ config: { data_dir: dataDir } });
    for (const name of ["arch", "cpu", "memory", "storage", "host", "nomad", "node_id"]) {
      expect(fp.fingerprinters[name], name).toMatchObject({ state: "ok" });
    }
  });

  it("cpu.numcores equals os.availableParallelism() (or the cgroup cpuset)", async () => {
    const cores = Number(fp.node.Attributes["cpu.numcores"]);
    const expected = [os.availableParallelism(), await cgroupCpusetSize()].filter((n) => n !== undefined);
    expect(expected).toContain(cores);
    expect(Number(fp.node.Attributes["cpu.totalcompute"])).toBeGreaterThan(0);
    expect(fp.node.NodeResources.Cpu.CpuShares).toBe(Number(fp.node.Attributes["cpu.totalcompute"]));
  });

  it("storage matches fs.statfs of the data dir's volume", async () => {
    const s = await fsp.statfs(dataDir);
    expect(fp.node.Attributes["unique.storage.bytestotal"]).toBe(String(s.blocks * s.bsize));
    const free = Number(fp.node.Attributes["unique.storage.bytesfree"]);
    // Other processes write meanwhile: within 1 GiB.
    expect(Math.abs(free - s.bavail * s.bsize)).toBeLessThan(2 ** 30);
    expect(fp.node.NodeResources.Disk.DiskMB).toBe(Math.floor((s.blocks * s.bsize) / 2 ** 20));
  });

  it("memory is the physical total unless a cgroup limit is lower", () => {
    const total = Number(fp.node.Attributes["memory.totalbytes"]);
    expect(total).toBeLessThanOrEqual(os.totalmem());
    expect(total).toBeGreaterThan(0);
    expect(fp.node.NodeResources.Memory.MemoryMB).toBe(Math.floor(total / 2 ** 20));
  });

  it("kernel, arch and hostname agree with node:os", () => {
    expect(fp.node.Attributes).toMatchObject({
      "kernel.name": process.platform,
      "kernel.version": os.release(),
      "kernel.arch": os.machine(),
      "cpu.arch": goArch(process.arch),
      "unique.hostname": os.hostname(),
    });
  });

  it("unique.network.ip-address, when present, is an address of this host", () => {
    const ip = fp.node.Attributes["unique.network.ip-address"];
    const all = Object.values(os.networkInterfaces()).flatMap((a) => (a ?? []).map((x) => x.address));
    if (ip === undefined) expect(fp.fingerprinters["network"]?.state).not.toBe("ok");
    else expect(all).toContain(ip);
  });

  it("the node ID is written once, privately, and read back by the next run", async () => {
    const file = path.join(dataDir, "client", "client-id");
    expect((await fsp.readFile(file, "utf8")).trim()).toBe(fp.node.ID);
    expect(statSync(file).mode & 0o077).toBe(0);
    const again = await fingerprintHost({ config: { data_dir: dataDir } });
    expect(again.node.ID).toBe(fp.node.ID);
  });
});
