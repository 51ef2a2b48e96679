// RaftNode configuration: a zod schema whose defaults carry Nomad's meaning (hashicorp/raft's
// DefaultConfig as Nomad uses it), each with its reason in `.describe()`, so the README table and
// error messages come from the same data. Every *Ms timeout is multiplied by `multiplier`
// (Nomad's raft_multiplier) before it is turned into core ticks.
import { z } from "zod";
import type { CoreConfig } from "../core/api.js";

const ms = (min: number) => z.number().int().min(min);

/** The one base; profiles below only override it. */
export const raftConfigSchema = z
  .object({
    multiplier: z
      .number()
      .int()
      .min(1)
      .max(10)
      .default(1)
      .describe(
        "Nomad's raft_multiplier: 1 for production LANs, up to 10 to trade failover speed for fewer elections",
      ),
    tickMs: ms(1)
      .max(1000)
      .default(10)
      .describe(
        "timer resolution: a tenth of the heartbeat interval keeps timeouts within 10% at ~100 wakeups/s",
      ),
    heartbeatTimeoutMs: ms(5)
      .default(1000)
      .describe(
        "hashicorp/raft default; a leader heartbeats every tenth of it, so a follower misses ~10 before worrying",
      ),
    electionTimeoutMs: ms(5)
      .default(1000)
      .describe(
        "hashicorp/raft default: a follower that heard from no leader this long campaigns (plus jitter)",
      ),
    leaderLeaseTimeoutMs: ms(5)
      .default(500)
      .describe(
        "hashicorp/raft default: a leader not heard from a quorum this long steps down (check quorum)",
      ),
    commitTimeoutMs: ms(1)
      .default(50)
      .describe("hashicorp/raft default: followers learn a new commit index within this even when idle"),
    maxAppendEntries: z
      .number()
      .int()
      .min(1)
      .max(1024)
      .default(64)
      .describe(
        "hashicorp/raft default: entries per AppendEntries; bounds message size and follower fsync batch",
      ),
    snapshotThreshold: z
      .number()
      .int()
      .min(1)
      .default(8192)
      .describe(
        "hashicorp/raft default: snapshot once this many entries were applied since the last snapshot",
      ),
    snapshotIntervalMs: ms(10)
      .default(120_000)
      .describe(
        "hashicorp/raft default: how often the threshold is checked (randomly 1x..2x so servers stagger)",
      ),
    trailingLogs: z
      .number()
      .int()
      .min(0)
      .default(10_240)
      .describe(
        "hashicorp/raft default: entries kept after a snapshot so a slightly lagging follower needs no snapshot",
      ),
    preVote: z
      .boolean()
      .default(true)
      .describe(
        "a partitioned node rejoining does not bump the term and depose a healthy leader (thesis 9.6)",
      ),
    checkQuorum: z
      .boolean()
      .default(true)
      .describe(
        "a leader cut off from a quorum steps down instead of accepting writes that can never commit",
      ),
    leaseReads: z
      .boolean()
      .default(false)
      .describe("off: reads pay one heartbeat round but stay linearizable even if clocks misbehave"),
    maxInflightAppends: z
      .number()
      .int()
      .min(1)
      .max(4096)
      .default(128)
      .describe(
        "pipelined AppendEntries per follower, as hashicorp/raft's rpcMaxPipeline; bounds leader memory",
      ),
    maxInflightBytes: z
      .number()
      .int()
      .min(1024)
      .default(16 * 1024 * 1024)
      .describe(
        "bytes of unacknowledged entries per follower: a slow follower cannot make the leader buffer more",
      ),
    snapshotChunkBytes: z
      .number()
      .int()
      .min(1024)
      .max(16 * 1024 * 1024)
      .default(256 * 1024)
      .describe("snapshot chunk per message: small enough that heartbeats are not stuck behind a chunk"),
    maxSnapshotBytes: z
      .number()
      .int()
      .min(1024)
      .default(1024 * 1024 * 1024)
      .describe("largest snapshot a follower buffers in memory while receiving it"),
    retainSnapshots: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(2)
      .describe("Nomad keeps 2: the newest plus one fallback if the newest turns out corrupt"),
    maxPendingOps: z
      .number()
      .int()
      .min(1)
      .default(65_536)
      .describe(
        "outstanding apply/read/barrier calls per node; beyond it calls fail fast instead of queueing forever",
      ),
    defaultApplyTimeoutMs: ms(1)
      .default(10_000)
      .describe("as the Go benchmark's Apply(cmd, 10s): long enough to ride out one election"),
  })
  .superRefine((c, ctx) => {
    // Rules checked on the configured values; the multiplier scales all of them alike.
    if (c.electionTimeoutMs < c.heartbeatTimeoutMs) {
      ctx.addIssue({
        code: "custom",
        path: ["electionTimeoutMs"],
        message: `must be >= heartbeatTimeoutMs (${c.heartbeatTimeoutMs})`,
      });
    }
    if (c.leaderLeaseTimeoutMs > c.heartbeatTimeoutMs) {
      ctx.addIssue({
        code: "custom",
        path: ["leaderLeaseTimeoutMs"],
        message: `must be <= heartbeatTimeoutMs (${c.heartbeatTimeoutMs})`,
      });
    }
    if (c.leaderLeaseTimeoutMs >= c.electionTimeoutMs) {
      ctx.addIssue({
        code: "custom",
        path: ["leaderLeaseTimeoutMs"],
        message: `must be < electionTimeoutMs (${c.electionTimeoutMs}) so a deposed leader steps down first`,
      });
    }
    if (c.tickMs * 10 > c.heartbeatTimeoutMs) {
      ctx.addIssue({
        code: "custom",
        path: ["tickMs"],
        message: `must be <= heartbeatTimeoutMs / 10 (${c.heartbeatTimeoutMs / 10}), the heartbeat interval`,
      });
    }
  });

export type RaftConfig = z.output<typeof raftConfigSchema>;
export type RaftConfigInput = z.input<typeof raftConfigSchema>;

/**
 * Profiles derived from the one base. `test`: tiny timeouts so in-process and multi-process tests
 * elect in ~100-300 ms, yet loose enough not to flap on a loaded 2-core machine.
 */
export const raftConfigProfiles = {
  default: {},
  test: {
    tickMs: 5,
    heartbeatTimeoutMs: 200,
    electionTimeoutMs: 200,
    leaderLeaseTimeoutMs: 100,
    commitTimeoutMs: 10,
    snapshotIntervalMs: 2_000,
    defaultApplyTimeoutMs: 5_000,
  },
} as const satisfies Record<string, RaftConfigInput>;

export type RaftConfigProfile = keyof typeof raftConfigProfiles;

/** Parses `input` over a profile; a RaftConfigError names every offending field. */
export function parseRaftConfig(
  input: RaftConfigInput = {},
  profile: RaftConfigProfile = "default",
): RaftConfig {
  const result = raftConfigSchema.safeParse({ ...raftConfigProfiles[profile], ...input });
  if (!result.success) {
    throw new RaftConfigError(z.prettifyError(result.error));
  }
  return result.data;
}

export class RaftConfigError extends Error {
  override readonly name = "RaftConfigError";
}

/** The tick-based knobs the core needs, derived from a parsed config. */
export type CoreTiming = Pick<
  CoreConfig,
  | "heartbeatTicks"
  | "electionTicks"
  | "electionJitterTicks"
  | "leaderLeaseTicks"
  | "commitTicks"
  | "preVote"
  | "checkQuorum"
  | "leaseReads"
  | "maxAppendEntries"
  | "maxInflightAppends"
  | "maxInflightBytes"
  | "snapshotChunkBytes"
  | "maxSnapshotBytes"
>;

/**
 * ms -> ticks. A leader heartbeats every heartbeatTimeout/10 (as hashicorp/raft). A follower
 * campaigns after electionTimeout plus a jitter of up to half of it: with two followers racing, the
 * first fires after about electionTimeout + 0.15 * electionTimeout on median, so failover with the
 * 1 s defaults lands near 1.1 s (target: median < 1.5 s), while a 0.5 s spread keeps split votes rare.
 */
export function coreTiming(c: RaftConfig): CoreTiming {
  const scaled = (v: number) => v * c.multiplier;
  const ticks = (v: number) => Math.max(1, Math.ceil(scaled(v) / c.tickMs));
  const electionTicks = ticks(c.electionTimeoutMs);
  return {
    heartbeatTicks: Math.max(1, Math.round(scaled(c.heartbeatTimeoutMs) / 10 / c.tickMs)),
    electionTicks,
    electionJitterTicks: Math.max(1, Math.round(electionTicks / 2)),
    leaderLeaseTicks: Math.min(electionTicks - 1, ticks(c.leaderLeaseTimeoutMs)),
    commitTicks: ticks(c.commitTimeoutMs),
    preVote: c.preVote,
    checkQuorum: c.checkQuorum,
    leaseReads: c.leaseReads,
    maxAppendEntries: c.maxAppendEntries,
    maxInflightAppends: c.maxInflightAppends,
    maxInflightBytes: c.maxInflightBytes,
    snapshotChunkBytes: c.snapshotChunkBytes,
    maxSnapshotBytes: c.maxSnapshotBytes,
  };
}

/** Scaled snapshot interval in ms (1x; the runtime randomizes each wait to 1x..2x). */
export function snapshotIntervalMs(c: RaftConfig): number {
  return c.snapshotIntervalMs * c.multiplier;
}
