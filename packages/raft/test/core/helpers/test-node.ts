// One RaftCore plus what a driver keeps for it: the persisted log, term and vote, a snapshot and
// a trivial FSM (the list of applied commands). It follows the Ready contract literally.
import type { CoreConfig, RaftEvent, ReadState, Ready, SnapshotSource } from "../../../src/core/api.js";
import type { Message } from "../../../src/core/messages.js";
import { decodeConfiguration } from "../../../src/core/configuration.js";
import { RaftCore } from "../../../src/core/raft-core.js";
import type { HardState, LogEntry, NodeId, SnapshotMeta } from "../../../src/core/types.js";
import { seededRandom } from "./prng.js";

export type ConfigOverrides = Partial<Omit<CoreConfig, "id" | "random" | "snapshots">>;

export const TEST_CONFIG: Omit<CoreConfig, "id" | "random" | "snapshots"> = {
  heartbeatTicks: 1,
  electionTicks: 10,
  electionJitterTicks: 10,
  leaderLeaseTicks: 8,
  commitTicks: 1,
  preVote: false,
  checkQuorum: false,
  leaseReads: false,
  maxAppendEntries: 64,
  maxInflightAppends: 16,
  maxInflightBytes: 1 << 20,
  snapshotChunkBytes: 1 << 16,
  maxSnapshotBytes: 1 << 24,
};

const text = new TextDecoder();

export class TestNode {
  core!: RaftCore;
  /** Durable state, as a LogStore/StableStore/SnapshotStore would hold it. */
  log: LogEntry[] = [];
  hardState: HardState = { term: 0, vote: "" };
  snapshot: { meta: SnapshotMeta; data: Uint8Array } | undefined;
  /** Every snapshot this node held, by index (a SnapshotStore retaining them all). */
  readonly snapshots = new Map<number, Uint8Array>();
  /** The FSM: commands applied, in order. */
  applied: string[] = [];
  appliedIndex = 0;
  events: RaftEvent[] = [];
  readStates: ReadState[] = [];
  private readonly random: () => number;
  private readonly source: SnapshotSource;

  constructor(
    readonly id: NodeId,
    seed: number,
    private readonly overrides: ConfigOverrides,
  ) {
    this.random = seededRandom(seed);
    this.source = {
      latest: () => this.snapshot?.meta,
      read: (meta, offset, maxBytes) => {
        // Serve the snapshot asked for, even if a newer one was taken since the transfer began.
        const data = this.snapshots.get(meta.index) ?? new Uint8Array(0);
        return { data: data.subarray(offset, offset + maxBytes), totalBytes: data.byteLength };
      },
    };
    this.start();
  }

  config(): CoreConfig {
    return { ...TEST_CONFIG, ...this.overrides, id: this.id, random: this.random, snapshots: this.source };
  }

  /** (Re)creates the core from durable state only, as after a crash. */
  start(): void {
    const after = this.snapshot?.meta.index ?? 0;
    this.core = new RaftCore(this.config(), {
      hardState: this.hardState,
      snapshot: this.snapshot?.meta,
      entries: this.log.filter((e) => e.index > after),
    });
    this.applied = this.snapshot ? decodeFsm(this.snapshot.data) : [];
    this.appliedIndex = after;
  }

  /** Runs one Ready through the driver's duties; returns the messages to send. */
  handleReady(): Message[] {
    if (!this.core.hasReady()) return [];
    const rd: Ready = this.core.ready();
    if (rd.hardState) this.hardState = rd.hardState;
    if (rd.snapshot) {
      this.snapshot = rd.snapshot;
      this.snapshots.set(rd.snapshot.meta.index, rd.snapshot.data);
      this.applied = decodeFsm(rd.snapshot.data);
      this.appliedIndex = rd.snapshot.meta.index;
      this.log = this.log.filter((e) => e.index > rd.snapshot!.meta.index);
    }
    if (rd.entries.length > 0) {
      const first = rd.entries[0]!.index;
      const last = this.log[this.log.length - 1];
      if (last !== undefined && last.index >= first) this.log = this.log.filter((e) => e.index < first);
      for (const e of rd.entries) this.log.push(e);
    }
    for (const e of rd.committed) {
      if (e.index !== this.appliedIndex + 1)
        throw new Error(`${this.id}: applied ${e.index} after ${this.appliedIndex}`);
      this.appliedIndex = e.index;
      if (e.type === "command") this.applied.push(text.decode(e.data));
    }
    this.events.push(...rd.events);
    this.readStates.push(...rd.readStates);
    this.core.advance(rd);
    return [...rd.messages];
  }

  /** Takes a snapshot of the FSM at the applied index and compacts the core's log. */
  takeSnapshot(trailingLogs: number): SnapshotMeta | undefined {
    const index = this.appliedIndex;
    if (index <= (this.snapshot?.meta.index ?? 0)) return undefined;
    const term = this.log.find((e) => e.index === index)?.term ?? this.snapshot?.meta.term ?? 0;
    const confEntry = this.log.filter((e) => e.type === "configuration" && e.index <= index).pop();
    const meta: SnapshotMeta = {
      index,
      term,
      configuration: confEntry ? decodeConfiguration(confEntry.data) : this.snapshot!.meta.configuration,
      configurationIndex: confEntry ? confEntry.index : this.snapshot!.meta.configurationIndex,
    };
    this.snapshot = { meta, data: encodeFsm(this.applied) };
    this.snapshots.set(index, this.snapshot.data);
    this.log = this.log.filter((e) => e.index > index - trailingLogs - 1);
    this.core.compact(meta, trailingLogs);
    return meta;
  }
}

function encodeFsm(applied: string[]): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(applied));
}

function decodeFsm(data: Uint8Array): string[] {
  return data.byteLength === 0 ? [] : (JSON.parse(text.decode(data)) as string[]);
}
