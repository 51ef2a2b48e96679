// Fingerprint configuration: the subset of Nomad's `client { ... }` block (and agent
// `data_dir`) that fingerprinting reads, with Nomad's key names. Every default carries its
// reason beside it.

import { z } from "zod";

const driverToggle = (enabledByDefault: boolean) =>
  z
    .object({
      enabled: z.boolean().default(enabledByDefault),
    })
    .prefault({});

// Nomad writes reserved cores as a cpuset list ("0-1,4"); an array of IDs is accepted too.
const coreList = z
  .union([z.string(), z.array(z.number().int().nonnegative())])
  .default("")
  .transform((v, ctx) => {
    if (Array.isArray(v)) return [...new Set(v)].sort((a, b) => a - b);
    const out = new Set<number>();
    for (const part of v.split(",").map((p) => p.trim())) {
      if (part === "") continue;
      const m = /^(\d+)(?:-(\d+))?$/.exec(part);
      if (m === null) {
        ctx.addIssue({ code: "custom", message: `not a cpuset range: "${part}"` });
        return z.NEVER;
      }
      const lo = Number(m[1]);
      const hi = m[2] === undefined ? lo : Number(m[2]);
      for (let i = lo; i <= hi; i++) out.add(i);
    }
    return [...out].sort((a, b) => a - b);
  });

export const reservedSchema = z
  .object({
    // Nothing is withheld unless the operator says so (Nomad's default).
    cpu: z.number().int().nonnegative().default(0),
    // No core is withheld from `resources { cores }` by default (Nomad's default).
    cores: coreList,
    // MB kept for the OS and the agent; 0 as in Nomad, operators size it per host.
    memory: z.number().int().nonnegative().default(0),
    // MB of the alloc dir volume kept free; 0 as in Nomad.
    disk: z.number().int().nonnegative().default(0),
    // Host ports tasks may not take; none by default, as in Nomad.
    reserved_ports: z.string().default(""),
  })
  .prefault({});

export const fingerprintConfigSchema = z.object({
  // Where the node ID is kept and whose volume is measured. Unset: the node ID is not
  // persisted and storage measures the working directory (Nomad falls back to CWD too).
  data_dir: z.string().min(1).optional(),
  // Volume measured for disk resources; Nomad's default is <data_dir>/alloc.
  alloc_dir: z.string().min(1).optional(),
  // Holds `client-id`; Nomad's default is <data_dir>/client.
  state_dir: z.string().min(1).optional(),
  // Empty: use the interface of the default route, as Nomad does.
  network_interface: z.string().default(""),
  // 0: detect from /sys/class/net/<dev>/speed, falling back to 1000 Mbit/s like Nomad.
  network_speed: z.number().int().nonnegative().default(0),
  // 0: detect. Overrides exist for hosts whose CPU or memory cannot be read (Nomad keys).
  cpu_total_compute: z.number().int().nonnegative().default(0),
  memory_total_mb: z.number().int().nonnegative().default(0),
  disk_total_mb: z.number().int().nonnegative().default(0),
  reserved: reservedSchema,
  // true: a random node ID rather than the host's UUID, Nomad's default since 0.9.
  no_host_uuid: z.boolean().default(true),
  drivers: z
    .object({
      // No isolation at all: Nomad keeps it off unless the operator (or -dev) enables it.
      raw_exec: driverToggle(false),
      // Isolated; available wherever it is detected (Linux, root, cgroups), as in Nomad.
      exec: driverToggle(true),
      // Test-only driver; never on a real node unless asked for.
      mock_driver: driverToggle(false),
    })
    .prefault({}),
  // Empty allowlist = all allowed; mirrors the client options driver.allowlist/denylist.
  driver_allowlist: z.array(z.string()).default([]),
  driver_denylist: z.array(z.string()).default([]),
  // Same for fingerprinters (fingerprint.allowlist / fingerprint.denylist).
  fingerprint_allowlist: z.array(z.string()).default([]),
  fingerprint_denylist: z.array(z.string()).default([]),
  // The Nomad release whose behaviour this implementation follows, so that job constraints
  // on ${attr.nomad.version} compare as they would against real Nomad.
  nomad_version: z.string().default("2.0.6"),
  // Set by the build that embeds this package; unknown here.
  nomad_revision: z.string().default(""),
  // HTTP address advertised as unique.advertise.address; unset when not known yet.
  http_addr: z.string().optional(),
  // The agent's own service discovery is on by default in Nomad.
  service_discovery: z.boolean().default(true),
  // A source that hangs (NFS statfs, a stuck /proc read) must not stall the others:
  // 5 s is far above a healthy read (< 1 ms) and below Nomad's heartbeat grace.
  fingerprint_timeout_ms: z.number().int().positive().default(5_000),
  // Per-fingerprinter override of the refresh interval, e.g. short intervals in tests and
  // benchmarks. Unset: each fingerprinter's own (Nomad's) interval.
  periodic_intervals_ms: z.record(z.string(), z.number().int().positive()).default({}),
});

export type FingerprintConfig = z.output<typeof fingerprintConfigSchema>;
export type FingerprintConfigInput = z.input<typeof fingerprintConfigSchema>;

/** Thrown with every invalid field named, in zod's readable form. */
export class FingerprintConfigError extends Error {
  readonly code = "INVALID_CONFIG" as const;
  constructor(message: string) {
    super(message);
    this.name = "FingerprintConfigError";
  }
}

export function parseFingerprintConfig(input: unknown = {}): FingerprintConfig {
  // jitless: zod would otherwise compile a fast path for this schema on first use (about
  // 5 ms of a fresh process's first fingerprint) to speed up parses that never come: the
  // config is parsed once per manager.
  const result = fingerprintConfigSchema.safeParse(input, { jitless: true });
  if (!result.success) throw new FingerprintConfigError(z.prettifyError(result.error));
  return result.data;
}

/** Nomad's alloc dir default. */
export function allocDirOf(config: FingerprintConfig): string | undefined {
  if (config.alloc_dir !== undefined) return config.alloc_dir;
  return config.data_dir === undefined ? undefined : `${config.data_dir}/alloc`;
}

/** Nomad's state dir default. */
export function stateDirOf(config: FingerprintConfig): string | undefined {
  if (config.state_dir !== undefined) return config.state_dir;
  return config.data_dir === undefined ? undefined : `${config.data_dir}/client`;
}
