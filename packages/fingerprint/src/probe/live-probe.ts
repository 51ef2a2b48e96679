// The real host. Sources were chosen per fact (../shared/TOOLCHAIN.md):
// - node-os-utils `memory.info()`: correct here and reads /proc/meminfo without a shell;
// - node:os for interfaces, hostname, kernel release, CPU affinity: direct syscalls;
// - fs.statfs for volumes: node-os-utils' disk functions shell out to `df` and report
//   wrong mount points here;
// - plain reads of /proc and /sys for CPUs, cgroups and routes: node-os-utils reports CPU
//   frequency 0 and spawns processes for several of these.
// Nothing here spawns a child process.

import { randomUUID } from "node:crypto";
import { promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { OSUtils } from "node-os-utils";
import type { HostProbe, ProbeMemInfo, ProbeNetworkAddress, ProbeStatfs, ProbeUname } from "./host-probe.js";

export class LiveHostProbe implements HostProbe {
  // One instance: node-os-utils keeps a small cache per monitor, created lazily so that a
  // caller that never asks for memory never loads it.
  private osUtils: OSUtils | undefined;

  async readText(file: string): Promise<string> {
    return fsp.readFile(file, "utf8");
  }

  async readDir(dir: string): Promise<string[]> {
    return fsp.readdir(dir);
  }

  async realpath(p: string): Promise<string> {
    return fsp.realpath(p);
  }

  async statfs(p: string): Promise<ProbeStatfs> {
    const s = await fsp.statfs(p);
    return { bsize: s.bsize, blocks: s.blocks, bfree: s.bfree, bavail: s.bavail };
  }

  async memInfo(): Promise<ProbeMemInfo> {
    this.osUtils ??= new OSUtils({ cacheEnabled: false });
    const result = await this.osUtils.memory.info();
    if (result.success && result.data.total.bytes > 0) return { totalBytes: result.data.total.bytes };
    // node-os-utils answers with a result object rather than throwing; os.totalmem() reads
    // the same kernel figure through sysinfo(2).
    return { totalBytes: os.totalmem() };
  }

  networkInterfaces(): Record<string, ProbeNetworkAddress[]> {
    const out: Record<string, ProbeNetworkAddress[]> = {};
    for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
      if (addrs === undefined) continue;
      out[name] = addrs.map((a) => ({
        address: a.address,
        netmask: a.netmask,
        family: a.family,
        mac: a.mac,
        internal: a.internal,
        cidr: a.cidr,
      }));
    }
    return out;
  }

  hostname(): string {
    return os.hostname();
  }

  uname(): ProbeUname {
    return {
      platform: process.platform,
      release: os.release(),
      machine: os.machine(),
      nodeArch: process.arch,
    };
  }

  availableParallelism(): number {
    return os.availableParallelism();
  }

  uid(): number {
    return typeof process.geteuid === "function" ? process.geteuid() : -1;
  }

  async writeTextDurable(file: string, text: string): Promise<void> {
    const dir = path.dirname(file);
    const tmp = `${file}.tmp-${process.pid}`;
    const fh = await fsp.open(tmp, "w", 0o600);
    try {
      await fh.writeFile(text, "utf8");
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, file);
    // The rename is only durable once the directory entry is on disk.
    const dh = await fsp.open(dir, "r");
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  }

  async mkdirp(dir: string): Promise<void> {
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  }

  randomUUID(): string {
    return randomUUID();
  }
}
