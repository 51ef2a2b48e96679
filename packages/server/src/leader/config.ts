import { ServerGcConfigSchema } from "@nomad/gc";
import { z } from "zod";

/** Every scheduler type a worker can run; `_core` (GC) is always enabled, as in Nomad. */
export const SCHEDULER_TYPES = ["service", "batch", "system", "sysbatch", "_core"] as const;

const ms = (fallback: number) => z.number().nonnegative().default(fallback);
const positive = (fallback: number) => z.number().int().positive().default(fallback);

/**
 * The leader's settings. Durations are milliseconds (the agent converts Nomad's `"10s"` forms);
 * GC thresholds stay in @nomad/gc's nanosecond form because that package decides with them.
 */
export const LeaderConfigSchema = z
  .object({
    // Nomad defaults to one worker per CPU core; 0 means this server schedules nothing.
    numSchedulers: z.number().int().nonnegative().default(2),
    // Nomad's default: every scheduler. `_core` is added even when omitted.
    enabledSchedulers: z
      .array(z.enum(SCHEDULER_TYPES))
      .default(["service", "batch", "system", "sysbatch", "_core"]),
    // Floor of the client TTL: keeps small clusters from heartbeating too often.
    minHeartbeatTtlMs: ms(10_000),
    // Slack on the server side so a client that heartbeats on time is never marked down.
    heartbeatGraceMs: ms(10_000),
    // Target aggregate heartbeat rate: TTLs grow with the node count to hold it.
    maxHeartbeatsPerSecond: z.number().positive().default(50),
    // After an election every node gets this long to find the new leader before it is marked down.
    failoverHeartbeatTtlMs: ms(300_000),
    // An unacked eval is redelivered after this long (a worker can reset it while busy).
    evalNackTimeoutMs: ms(60_000),
    // Deliveries before an eval goes to the failed queue: a poison eval must not loop forever.
    evalDeliveryLimit: positive(3),
    // First redelivery is quick (a transient error), later ones back off.
    evalNackInitialReenqueueDelayMs: ms(1_000),
    evalNackSubsequentReenqueueDelayMs: ms(20_000),
    // A failed eval's follow-up waits 1m plus up to 5m of jitter so failures do not stampede.
    failedEvalFollowupBaselineDelayMs: ms(60_000),
    failedEvalFollowupDelayRangeMs: ms(300_000),
    // Superseded pending evals are canceled in batches this often (Nomad: 5s).
    cancelableEvalReapIntervalMs: ms(5_000),
    // Evals blocked after running out of plan attempts are retried this often (Nomad: 1m).
    failedEvalUnblockIntervalMs: ms(60_000),
    // Evals canceled (or unblocked) per Raft write: keeps one entry well under the Raft size limit.
    cancelableEvalBatchSize: positive(728),
    // Bound on evals the broker tracks at once (ready, unacked, pending, waiting); beyond it new
    // evals are refused and counted. They stay pending in state and come back on the next restore.
    maxBrokerEvals: positive(1_000_000),
    // Bound on plans waiting for the applier; one per worker is the steady state.
    maxPlanQueue: positive(4_096),
    // How long a worker blocks in one dequeue before re-checking it should still run (Nomad: 500ms).
    workerDequeueTimeoutMs: ms(500),
    // How long a worker waits for its state to reach an eval's index before nacking it.
    workerSnapshotWaitMs: ms(5_000),
    gc: ServerGcConfigSchema.prefault({}),
    // Millisecond shorthands of the agent's server keys; when given they override `gc`.
    nodeGcThresholdMs: z.number().nonnegative().optional(),
    jobGcThresholdMs: z.number().nonnegative().optional(),
    evalGcThresholdMs: z.number().nonnegative().optional(),
    batchEvalGcThresholdMs: z.number().nonnegative().optional(),
    deploymentGcThresholdMs: z.number().nonnegative().optional(),
    /** Every periodic core GC (job_gc_interval; the others are hard-coded 5m in Nomad). */
    gcIntervalMs: z.number().positive().optional(),
  })
  .strict();

export type LeaderConfig = z.output<typeof LeaderConfigSchema>;
export type LeaderConfigInput = z.input<typeof LeaderConfigSchema>;

export class LeaderConfigError extends Error {
  readonly code = "INVALID_CONFIG" as const;
  constructor(readonly issues: readonly { key: string; message: string }[]) {
    super(`invalid leader config: ${issues.map((i) => `${i.key}: ${i.message}`).join("; ")}`);
    this.name = "LeaderConfigError";
  }
}

/** Parses leader settings, filling Nomad's defaults; errors name the offending key. */
export function parseLeaderConfig(input: LeaderConfigInput = {}): LeaderConfig {
  const r = LeaderConfigSchema.safeParse(input);
  if (!r.success) {
    throw new LeaderConfigError(
      r.error.issues.map((i) => ({ key: i.path.map(String).join(".") || "(root)", message: i.message })),
    );
  }
  const cfg = r.data;
  const ns = (v: number | undefined): number | undefined => (v === undefined ? undefined : v * 1_000_000);
  const over = {
    node_gc_threshold: ns(cfg.nodeGcThresholdMs),
    job_gc_threshold: ns(cfg.jobGcThresholdMs),
    eval_gc_threshold: ns(cfg.evalGcThresholdMs),
    batch_eval_gc_threshold: ns(cfg.batchEvalGcThresholdMs),
    deployment_gc_threshold: ns(cfg.deploymentGcThresholdMs),
    job_gc_interval: ns(cfg.gcIntervalMs),
    eval_gc_interval: ns(cfg.gcIntervalMs),
    node_gc_interval: ns(cfg.gcIntervalMs),
    deployment_gc_interval: ns(cfg.gcIntervalMs),
  };
  for (const [k, v] of Object.entries(over)) if (v !== undefined) (cfg.gc as Record<string, number>)[k] = v;
  if (!cfg.enabledSchedulers.includes("_core")) cfg.enabledSchedulers = [...cfg.enabledSchedulers, "_core"];
  return cfg;
}
