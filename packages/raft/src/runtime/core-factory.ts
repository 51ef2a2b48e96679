// How RaftNode builds its core: the library's RaftCore by default; tests may pass another factory
// (a wrapper that records Readies, a core with a fault injected).
import type { CoreConfig, CoreRestore, RaftCoreApi } from "../core/api.js";
import { RaftCore } from "../core/raft-core.js";

export type CoreFactory = (config: CoreConfig, restore: CoreRestore) => RaftCoreApi;

export const defaultCoreFactory: CoreFactory = (config, restore) => new RaftCore(config, restore);
