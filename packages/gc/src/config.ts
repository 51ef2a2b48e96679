import { z } from "zod";
import { durationNs } from "./duration.js";

/** Nomad caps one Raft write at 256 KiB of UUIDs: (1024 * 256) / 36 (structs.MaxUUIDsPerWriteRequest). */
export const MAX_UUIDS_PER_WRITE_REQUEST = 7281;
/** Nomad's core scheduler purges jobs 2048 per Job.BatchDeregister request. */
export const MAX_JOBS_PER_DEREGISTER_REQUEST = 2048;

/**
 * Server-side GC settings: the `server { … }` keys of Nomad's agent config plus the
 * intervals Nomad hard-codes in nomad/config.go. Durations come out in nanoseconds.
 */
export const ServerGcConfigSchema = z
  .object({
    // A down node may still come back (network partition, reboot); a day covers a
    // weekend-free outage and keeps it visible in `nomad node status` meanwhile.
    node_gc_threshold: durationNs("24h"),
    // Users inspect finished jobs for a while (status, logs of the last run).
    job_gc_threshold: durationNs("4h"),
    // Nomad's only user-settable GC interval; 5m bounds growth without constant scans.
    job_gc_interval: durationNs("5m"),
    // Evaluations are debugging material; an hour is enough for most investigations.
    eval_gc_threshold: durationNs("1h"),
    // Batch results are often read the next day, and a batch job's terminal allocations
    // are what stops the scheduler from re-running it.
    batch_eval_gc_threshold: durationNs("24h"),
    // Terminal deployments only matter for the latest `nomad job status` output.
    deployment_gc_threshold: durationNs("1h"),
    // Hard-coded in Nomad (nomad/config.go): each core GC every 5 minutes.
    eval_gc_interval: durationNs("5m"),
    // Hard-coded in Nomad (nomad/config.go).
    node_gc_interval: durationNs("5m"),
    // Hard-coded in Nomad (nomad/config.go).
    deployment_gc_interval: durationNs("5m"),
    // Not a Nomad key (Nomad hard-codes it): keeps one Raft entry near 256 KiB of IDs.
    max_ids_per_batch: z.number().int().positive().default(MAX_UUIDS_PER_WRITE_REQUEST),
    // Not a Nomad key (Nomad hard-codes it): a job purge touches versions, summaries
    // and deployments too, so its batches are smaller than plain ID reaps.
    max_jobs_per_batch: z.number().int().positive().default(MAX_JOBS_PER_DEREGISTER_REQUEST),
  })
  .strict();
export type ServerGcConfig = z.output<typeof ServerGcConfigSchema>;
export type ServerGcConfigInput = z.input<typeof ServerGcConfigSchema>;

const percent = (fallback: number) => z.number().min(0).max(100).default(fallback);

/** Client-side allocation directory GC: the `client { … }` keys of Nomad's agent config. */
export const ClientGcConfigSchema = z
  .object({
    // Terminal alloc dirs hold logs users still read; a minute keeps disk pressure
    // checks cheap yet responsive. (`-dev` uses 10m.)
    gc_interval: durationNs("1m"),
    // Leave a fifth of the alloc disk free for running tasks' logs and artifacts.
    gc_disk_usage_threshold: percent(80),
    // Small files (logs, templates) exhaust inodes before bytes on many filesystems.
    gc_inode_usage_threshold: percent(70),
    // Each terminal alloc keeps a runner and state on the client; 50 bounds that cost.
    gc_max_allocs: z.number().int().nonnegative().default(50),
    // Destroying an alloc dir is I/O heavy (unmounts, deletes); two at a time bounds it.
    gc_parallel_destroys: z.number().int().positive().default(2),
  })
  .strict();
export type ClientGcConfig = z.output<typeof ClientGcConfigSchema>;
export type ClientGcConfigInput = z.input<typeof ClientGcConfigSchema>;

/** Typed config failure naming every offending key (ARCHITECTURE rule 6). */
export class GcConfigError extends Error {
  readonly code = "INVALID_CONFIG" as const;
  constructor(readonly issues: readonly { key: string; message: string }[]) {
    super(`invalid gc config: ${issues.map((i) => `${i.key}: ${i.message}`).join("; ")}`);
    this.name = "GcConfigError";
  }
}

function parseWith<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  throw new GcConfigError(
    r.error.issues.map((i) => ({ key: i.path.map(String).join(".") || "(root)", message: i.message })),
  );
}

export function parseServerGcConfig(input?: unknown): ServerGcConfig {
  return parseWith(ServerGcConfigSchema, input);
}

export function parseClientGcConfig(input?: unknown): ClientGcConfig {
  return parseWith(ClientGcConfigSchema, input);
}
