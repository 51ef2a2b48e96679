// The host as fingerprinters see it. Everything a fingerprinter learns goes through this
// seam, so tests replay recorded /proc and /sys trees (FixtureProbe) and the real host is
// one implementation among others (LinuxProbe). No method may spawn a process: the
// periodic refresh must stay cheap (see README, Performance).

export interface ProbeNetworkAddress {
  address: string;
  netmask: string;
  family: "IPv4" | "IPv6";
  mac: string;
  internal: boolean;
  cidr: string | null;
}

export interface ProbeStatfs {
  /** Fundamental block size in bytes. */
  bsize: number;
  blocks: number;
  bfree: number;
  /** Blocks free for unprivileged users (df's "Available"). */
  bavail: number;
}

export interface ProbeUname {
  /** Node's process.platform: "linux", "darwin", "win32"... */
  platform: string;
  /** Kernel release, e.g. "6.8.0-45-generic" (uname -r). */
  release: string;
  /** Machine hardware name, e.g. "x86_64" (uname -m). */
  machine: string;
  /** Node's process.arch: "x64", "arm64"... */
  nodeArch: string;
}

export interface ProbeMemInfo {
  totalBytes: number;
}

export interface HostProbe {
  /** Reads a text file such as /proc/cpuinfo; rejects when absent or unreadable. */
  readText(path: string): Promise<string>;
  /** Resolves symlinks of an existing path. */
  realpath(path: string): Promise<string>;
  statfs(path: string): Promise<ProbeStatfs>;
  /** Physical memory as the OS reports it (cgroup limits are applied by the caller). */
  memInfo(): Promise<ProbeMemInfo>;
  networkInterfaces(): Record<string, ProbeNetworkAddress[]>;
  hostname(): string;
  uname(): ProbeUname;
  /** CPUs this process may run on (sched_getaffinity), i.e. os.availableParallelism(). */
  availableParallelism(): number;
  /** Effective user ID, or -1 where the platform has none. */
  uid(): number;
  /** Writes a file durably: temp file, fsync, rename, fsync of the directory. */
  writeTextDurable(path: string, text: string): Promise<void>;
  mkdirp(path: string): Promise<void>;
  /** A fresh RFC 4122 v4 UUID (injected so tests are deterministic). */
  randomUUID(): string;
}
