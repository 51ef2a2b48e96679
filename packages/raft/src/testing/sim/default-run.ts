// The standard run that both the `sim` command and the CI test use, so that a seed printed by
// either replays identically with `pnpm --filter @nomad/raft sim --seed S`.
import { RaftCore } from "../../core/raft-core.js";
import type { CoreFactory, SimFeatures, SimOptions } from "./options.js";
import { nodesForSeed, simOptions, STANDARD_SAFETY_MS } from "./options.js";

export const raftCoreFactory: CoreFactory = (config, restore) => new RaftCore(config, restore);

/** Features the current RaftCore supports in the simulation. */
export const STANDARD_FEATURES: SimFeatures = {
  membership: true,
  snapshots: true,
  leaseReads: true,
  transfers: true,
};

export function standardRun(seed: number, overrides: Partial<Omit<SimOptions, "seed">> = {}): SimOptions {
  return simOptions({
    seed,
    nodes: overrides.nodes ?? nodesForSeed(seed),
    createCore: raftCoreFactory,
    features: STANDARD_FEATURES,
    // Five virtual seconds of faults: about 10 leader changes and 300 client operations a seed.
    safetyMs: STANDARD_SAFETY_MS,
    ...overrides,
  });
}
