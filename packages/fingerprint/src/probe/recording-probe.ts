// Wraps a probe and keeps what it answered, to turn a real host into a fixture
// (scripts/record-fixture.ts). Files that could not be read are simply not recorded,
// which replays as "absent", the same answer.

import type { HostProbe, ProbeMemInfo, ProbeNetworkAddress, ProbeStatfs, ProbeUname } from "./host-probe.js";
import type { HostDescription } from "./memory-probe.js";

export class RecordingProbe implements HostProbe {
  private readonly files: Record<string, string> = {};
  private readonly statfsByPath: Record<string, ProbeStatfs> = {};
  private readonly dirs = new Set<string>();

  constructor(private readonly inner: HostProbe) {}

  async readText(p: string): Promise<string> {
    const text = await this.inner.readText(p);
    this.files[p] = text;
    return text;
  }

  async realpath(p: string): Promise<string> {
    const r = await this.inner.realpath(p);
    this.dirs.add(r);
    return r;
  }

  async statfs(p: string): Promise<ProbeStatfs> {
    const s = await this.inner.statfs(p);
    this.statfsByPath[p] = s;
    return s;
  }

  async memInfo(): Promise<ProbeMemInfo> {
    const m = await this.inner.memInfo();
    // Replayed from /proc/meminfo by MemoryHostProbe.
    if (this.files["/proc/meminfo"] === undefined)
      this.files["/proc/meminfo"] = `MemTotal: ${m.totalBytes / 1024} kB\n`;
    return m;
  }

  networkInterfaces(): Record<string, ProbeNetworkAddress[]> {
    return this.inner.networkInterfaces();
  }

  hostname(): string {
    return this.inner.hostname();
  }

  uname(): ProbeUname {
    return this.inner.uname();
  }

  availableParallelism(): number {
    return this.inner.availableParallelism();
  }

  uid(): number {
    return this.inner.uid();
  }

  async writeTextDurable(p: string, text: string): Promise<void> {
    await this.inner.writeTextDurable(p, text);
  }

  async mkdirp(p: string): Promise<void> {
    await this.inner.mkdirp(p);
  }

  randomUUID(): string {
    return this.inner.randomUUID();
  }

  /** Everything seen so far as a host description. */
  description(): HostDescription {
    return {
      files: { ...this.files },
      hostname: this.inner.hostname(),
      uname: this.inner.uname(),
      availableParallelism: this.inner.availableParallelism(),
      uid: this.inner.uid(),
      networkInterfaces: this.inner.networkInterfaces(),
      statfs: { ...this.statfsByPath },
      dirs: [...this.dirs].sort(),
    };
  }
}
