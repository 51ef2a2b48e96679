// In-memory twin of the host: files, interfaces, volumes and identity given as data.
// Tests (and the fixture loader) describe a host with it; it can be changed between
// refreshes (a new cgroup limit, a driver turning unhealthy) and made to fail on chosen
// paths, so degraded reporting is testable. Writes (the node ID file) stay in memory.

import * as path from "node:path";
import type { HostProbe, ProbeMemInfo, ProbeNetworkAddress, ProbeStatfs, ProbeUname } from "./host-probe.js";
import { parseMemTotalBytes } from "../parse/meminfo.js";

export interface HostDescription {
  /** Absolute path -> contents, e.g. {"/proc/cpuinfo": "..."}. */
  files: Record<string, string>;
  hostname: string;
  uname: ProbeUname;
  availableParallelism: number;
  uid: number;
  networkInterfaces: Record<string, ProbeNetworkAddress[]>;
  /** Mount point -> statfs answer; a path gets the answer of its longest prefix. */
  statfs: Record<string, ProbeStatfs>;
  /** Directories that exist beyond those implied by `files` (e.g. a data dir). */
  dirs?: string[];
}

export class ProbeFailure extends Error {
  readonly code: string;
  constructor(message: string, code = "EIO") {
    super(message);
    this.name = "ProbeFailure";
    this.code = code;
  }
}

function notFound(p: string): ProbeFailure {
  return new ProbeFailure(`ENOENT: no such file or directory, '${p}'`, "ENOENT");
}

export class MemoryHostProbe implements HostProbe {
  readonly host: HostDescription;
  /** Calls per probe method, so tests can see what a refresh touched. */
  readonly calls = new Map<string, number>();
  /** Files written through writeTextDurable. */
  readonly written = new Map<string, string>();
  private readonly failures: Array<{ match: (what: string) => boolean; error: () => Error }> = [];
  private uuidCounter = 0;

  constructor(host: HostDescription) {
    this.host = structuredClone(host);
  }

  /** Makes every access whose path or method name starts with `prefix` fail. */
  failOn(prefix: string, error: () => Error = () => new ProbeFailure(`injected failure on ${prefix}`)): void {
    this.failures.push({ match: (what) => what.startsWith(prefix), error });
  }

  clearFailures(): void {
    this.failures.length = 0;
  }

  setFile(p: string, contents: string): void {
    this.host.files[p] = contents;
  }

  deleteFile(p: string): void {
    delete this.host.files[p];
  }

  private touch(method: string, what?: string): void {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
    for (const f of this.failures) {
      if (f.match(method) || (what !== undefined && f.match(what))) throw f.error();
    }
  }

  private exists(p: string): boolean {
    if (p === "/") return true;
    if (this.written.has(p) || this.host.files[p] !== undefined) return true;
    const dirPrefix = p.endsWith("/") ? p : `${p}/`;
    if ((this.host.dirs ?? []).some((d) => d === p || d.startsWith(dirPrefix))) return true;
    return [...Object.keys(this.host.files), ...this.written.keys()].some((f) => f.startsWith(dirPrefix));
  }

  async readText(p: string): Promise<string> {
    this.touch("readText", p);
    const written = this.written.get(p);
    if (written !== undefined) return written;
    const text = this.host.files[p];
    if (text === undefined) throw notFound(p);
    return text;
  }

  async realpath(p: string): Promise<string> {
    this.touch("realpath", p);
    const abs = path.posix.resolve(p);
    if (!this.exists(abs)) throw notFound(abs);
    return abs;
  }

  async statfs(p: string): Promise<ProbeStatfs> {
    this.touch("statfs", p);
    let best: string | undefined;
    for (const mp of Object.keys(this.host.statfs)) {
      const within = mp === "/" || p === mp || p.startsWith(`${mp}/`);
      if (within && (best === undefined || mp.length > best.length)) best = mp;
    }
    const s = best === undefined ? undefined : this.host.statfs[best];
    if (s === undefined) throw notFound(p);
    return { ...s };
  }

  async memInfo(): Promise<ProbeMemInfo> {
    this.touch("memInfo");
    return { totalBytes: parseMemTotalBytes(await this.readText("/proc/meminfo")) };
  }

  networkInterfaces(): Record<string, ProbeNetworkAddress[]> {
    this.touch("networkInterfaces");
    return structuredClone(this.host.networkInterfaces);
  }

  hostname(): string {
    this.touch("hostname");
    return this.host.hostname;
  }

  uname(): ProbeUname {
    this.touch("uname");
    return { ...this.host.uname };
  }

  availableParallelism(): number {
    this.touch("availableParallelism");
    return this.host.availableParallelism;
  }

  uid(): number {
    this.touch("uid");
    return this.host.uid;
  }

  async writeTextDurable(p: string, text: string): Promise<void> {
    this.touch("writeTextDurable", p);
    this.written.set(p, text);
  }

  async mkdirp(p: string): Promise<void> {
    this.touch("mkdirp", p);
    this.host.dirs = [...(this.host.dirs ?? []), p];
  }

  /** Deterministic UUIDs: 00000000-0000-4000-8000-00000000000N. */
  randomUUID(): string {
    this.uuidCounter++;
    return `00000000-0000-4000-8000-${this.uuidCounter.toString(16).padStart(12, "0")}`;
  }
}
