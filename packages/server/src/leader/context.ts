import type { FsmCommand } from "../fsm/commands.js";
import type { FsmEvent } from "../fsm/events.js";
import type { Logger } from "../logger.js";
import type { StateSnapshot, TableName } from "../state/types.js";
import type { LeaderClock } from "./clock.js";
import type { LeaderConfigInput } from "./config.js";

/** What the leader reads of the state store (the real `StateStore` fits). */
export interface LeaderStateStore {
  snapshot(): StateSnapshot;
  latestIndex(): number;
  waitForChange(
    tables: readonly TableName[],
    minIndex: number,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<number>;
}

export interface LeaderEventSource {
  subscribe(listener: (e: FsmEvent) => void): () => void;
}

/** Everything the leader's subsystems need from the server, injected. */
export interface LeaderContext {
  state: LeaderStateStore;
  events: LeaderEventSource;
  /** Propose through Raft; resolves after the entry is applied locally. Rejects if leadership is lost. */
  apply(cmd: FsmCommand): Promise<{ index: number; error?: unknown }>;
  config?: LeaderConfigInput;
  /** Defaults to the system clock. */
  clock?: LeaderClock;
  /** Uniform in [0, 1); defaults to Math.random. */
  random?: () => number;
  /** Fresh UUIDs; defaults to crypto.randomUUID. */
  newID?: () => string;
  logger?: Logger;
}
