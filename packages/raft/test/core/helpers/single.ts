// Helpers for driving one RaftCore by hand: build it from a given durable state, feed it
// messages, and take what its Ready hands out.
import type { CoreConfig, Ready } from "../../../src/core/api.js";
import { encodeConfiguration } from "../../../src/core/configuration.js";
import type { AppendRequest, Message } from "../../../src/core/messages.js";
import { RaftCore } from "../../../src/core/raft-core.js";
import type { Configuration, HardState, LogEntry, NodeId, SnapshotMeta } from "../../../src/core/types.js";
import { seededRandom } from "./prng.js";
import { TEST_CONFIG, type ConfigOverrides } from "./test-node.js";

export function voters(...ids: NodeId[]): Configuration {
  return { servers: ids.map((id) => ({ id, address: `${id}:7000`, suffrage: "voter" as const })) };
}

export function confEntry(index: number, term: number, configuration: Configuration): LogEntry {
  return { index, term, type: "configuration", data: encodeConfiguration(configuration) };
}

export function cmd(index: number, term: number, text = `e${index}`): LogEntry {
  return { index, term, type: "command", data: new TextEncoder().encode(text) };
}

/** A log whose entry i has term terms[i-1]; entry 1 is the configuration of `ids`. */
export function logWithTerms(ids: NodeId[], terms: number[]): LogEntry[] {
  return terms.map((t, i) => (i === 0 ? confEntry(1, t, voters(...ids)) : cmd(i + 1, t)));
}

export interface CoreOptions {
  overrides?: ConfigOverrides;
  hardState?: HardState;
  entries?: LogEntry[];
  snapshot?: SnapshotMeta;
  seed?: number;
  snapshots?: CoreConfig["snapshots"];
}

export function makeCore(id: NodeId, opts: CoreOptions = {}): RaftCore {
  const config: CoreConfig = {
    ...TEST_CONFIG,
    ...opts.overrides,
    id,
    random: seededRandom(opts.seed ?? 7),
    snapshots: opts.snapshots ?? {
      latest: () => undefined,
      read: () => ({ data: new Uint8Array(0), totalBytes: 0 }),
    },
  };
  return new RaftCore(config, {
    hardState: opts.hardState ?? { term: 0, vote: "" },
    snapshot: opts.snapshot,
    entries: opts.entries ?? [],
  });
}

/** Takes one Ready, acknowledges it at once (as if persisted and applied), and returns it. */
export function drain(core: RaftCore): Ready {
  const rd = core.ready();
  core.advance(rd);
  return rd;
}

/** All messages the core wants to send now (after persisting everything). */
export function outbox(core: RaftCore): Message[] {
  const out: Message[] = [];
  while (core.hasReady()) out.push(...drain(core).messages);
  return out;
}

export function appendMsg(
  from: NodeId,
  to: NodeId,
  fields: Partial<AppendRequest> & { term: number },
): AppendRequest {
  return {
    type: "append",
    from,
    to,
    prevLogIndex: 0,
    prevLogTerm: 0,
    entries: [],
    leaderCommit: 0,
    readRound: 0,
    ...fields,
  };
}

export function ofType<T extends Message["type"]>(
  messages: Message[],
  type: T,
): Extract<Message, { type: T }>[] {
  return messages.filter((m): m is Extract<Message, { type: T }> => m.type === type);
}

/** Ticks a core until it sends messages of `type` (or gives up), returning the tick count. */
export function ticksUntil(core: RaftCore, type: Message["type"], max = 1000): number {
  for (let i = 1; i <= max; i++) {
    core.tick();
    if (outbox(core).some((m) => m.type === type)) return i;
  }
  throw new Error(`no ${type} within ${max} ticks`);
}
