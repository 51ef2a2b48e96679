// What a simulation run is made of. Everything not given here is drawn from the seed, so
// `{ seed, nodes }` alone (plus the core factory) replays a run exactly.
import type { CoreConfig, CoreRestore, RaftCoreApi } from "../../core/api.js";
import { Prng } from "../prng.js";
import type { ScriptStep } from "./script.js";

export type CoreFactory = (config: CoreConfig, restore: CoreRestore) => RaftCoreApi;

export interface SimFeatures {
  /** Occasionally remove a voter and add it back (needs proposeMembership in the core). */
  readonly membership: boolean;
  /** Nodes snapshot their FSM and compact the log; lagging followers get InstallSnapshot. */
  readonly snapshots: boolean;
  /** Some seeds' leaders answer reads from their lease instead of a ReadIndex round. */
  readonly leaseReads: boolean;
  /** Occasionally transfer leadership to another voter. */
  readonly transfers: boolean;
}

export interface SimOptions {
  readonly seed: number;
  readonly nodes: number;
  readonly createCore: CoreFactory;
  readonly features: SimFeatures;
  /** Virtual time of the safety phase (faults on). */
  readonly safetyMs: number;
  /** Virtual time within which the healed cluster must elect a leader and commit (liveness phase). */
  readonly livenessBoundMs: number;
  /** Nominal tick period of a node's clock. */
  readonly tickMs: number;
  /** Each node's clock runs at a rate in [1 - clockSkew, 1 + clockSkew] of real (virtual) time. */
  readonly clockSkew: number;
  readonly clients: number;
  readonly keys: number;
  /** Hard cap on processed events: a run that needs more is a livelock and fails. */
  readonly maxEvents: number;
  /** Receives a line per notable event (--verbose). */
  readonly log: ((line: string) => void) | undefined;
  /**
   * Breaks the simulated driver on purpose, to prove the crash model catches durability bugs:
   * `sendBeforeSync` sends every message before the Ready's fsync (votes and acks included);
   * `localReads` has clients read whatever node they talk to, without ReadIndex.
   */
  readonly brokenDriver: { readonly sendBeforeSync: boolean; readonly localReads?: boolean };
  /**
   * How many local snapshots a node's simulated store keeps for streaming to followers. The
   * contract (SnapshotSource.read) says a snapshot must stay readable while a transfer of it runs,
   * so the default keeps them all; a small number models a driver that breaks that rule.
   */
  readonly snapshotRetention: number;
  /** Log every message delivery too (with `log`). */
  readonly traceMessages: boolean;
  /**
   * Scripted faults for the safety phase; when set, the seeded nemesis and operator stay off.
   * The liveness phase still heals everything at `safetyMs`.
   */
  readonly script: readonly ScriptStep[] | undefined;
}

const DEFAULT_SNAPSHOT_RETENTION = 1_000;

/** The safety phase of the standard run (`standardRun`, the `sim` command, CI). */
export const STANDARD_SAFETY_MS = 5_000;

export const DEFAULT_FEATURES: SimFeatures = {
  membership: false,
  snapshots: false,
  leaseReads: false,
  transfers: false,
};

export function simOptions(
  partial: Partial<SimOptions> & Pick<SimOptions, "seed" | "createCore">,
): SimOptions {
  // Long enough for a few dozen elections and hundreds of client operations.
  const safetyMs = partial.safetyMs ?? 3_000;
  // 30 nominal election timeouts: generous, so only a real liveness bug trips it.
  const livenessBoundMs = partial.livenessBoundMs ?? 3_000;
  return {
    nodes: 3,
    features: DEFAULT_FEATURES,
    safetyMs,
    livenessBoundMs,
    tickMs: 10,
    clockSkew: 0.1,
    clients: 3,
    keys: 3,
    // A 5-node run takes ~3 events per virtual ms; 20x that is a message storm or a livelock.
    maxEvents: 60 * (safetyMs + livenessBoundMs),
    log: undefined,
    brokenDriver: { sendBeforeSync: false },
    snapshotRetention: DEFAULT_SNAPSHOT_RETENTION,
    traceMessages: false,
    script: undefined,
    ...partial,
  };
}

/** A seed decides its cluster size too (a third of seeds run 5 nodes), unless --nodes overrides it. */
export function nodesForSeed(seed: number): number {
  return new Prng(seed ^ 0x5eed).int(3) === 0 ? 5 : 3;
}

/** The one command that replays a run (the seed decides the rest). */
export function replayCommand(
  options: Pick<SimOptions, "seed" | "nodes"> & Partial<Pick<SimOptions, "snapshotRetention" | "safetyMs">>,
): string {
  const nodes = options.nodes === nodesForSeed(options.seed) ? "" : ` --nodes ${options.nodes}`;
  const retention =
    options.snapshotRetention === undefined || options.snapshotRetention === DEFAULT_SNAPSHOT_RETENTION
      ? ""
      : ` --snapshot-retention ${options.snapshotRetention}`;
  const safety =
    options.safetyMs === undefined || options.safetyMs === STANDARD_SAFETY_MS
      ? ""
      : ` --safety-ms ${options.safetyMs}`;
  return `pnpm --filter @nomad/raft sim --seed ${options.seed}${nodes}${retention}${safety}`;
}
