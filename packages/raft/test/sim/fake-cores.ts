// Deliberately broken "cores" for proving that the simulator's checkers fire. Each one implements
// the RaftCoreApi contract mechanically (Ready/advance bookkeeping is right) but breaks one rule
// of Raft on purpose. Nodes of one fake cluster share a `FakeWorld`, which stands in for replication.
import { pack } from "msgpackr";
import type {
  Configuration,
  CoreConfig,
  CoreRestore,
  CoreStatus,
  HardState,
  LogEntry,
  ProposeResult,
  RaftCoreApi,
  Ready,
  ReadState,
} from "@nomad/raft";
import type { CoreFactory } from "@nomad/raft/testing";

export interface FakeRules {
  /** Which nodes claim leadership, and in which term. */
  leaderTerm(id: string): number | undefined;
  /** true: all nodes share one log (the leader's); false: each leader keeps its own. */
  readonly sharedLog: boolean;
  /** A follower sees the shared log only every this many ticks (stale followers). */
  readonly followerLagTicks: number;
  /** Followers answer reads at once from whatever they applied (no ReadIndex). */
  readonly followerReads: boolean;
}

export class FakeWorld {
  readonly shared: LogEntry[] = [];
}

class FakeCore implements RaftCoreApi {
  private readonly own: LogEntry[] = [];
  /** Entries handed out to persist, and to apply. */
  private persistedTo = 0;
  private appliedTo = 0;
  private visible = 0;
  private ticks = 0;
  private hardStateSent = false;
  private reads: ReadState[] = [];

  constructor(
    private readonly config: CoreConfig,
    restore: CoreRestore,
    private readonly world: FakeWorld,
    private readonly rules: FakeRules,
  ) {
    this.hardStateSent = restore.hardState.term > 0;
    for (const e of restore.entries) this.own.push(e);
    this.persistedTo = restore.entries.length;
    this.visible = this.persistedTo;
  }

  private get id(): string {
    return this.config.id;
  }

  private log(): LogEntry[] {
    return this.rules.sharedLog ? this.world.shared : this.own;
  }

  private term(): number {
    return this.rules.leaderTerm(this.id) ?? 1;
  }

  bootstrap(configuration: Configuration): void {
    const log = this.log();
    if (log.length > 0) return;
    log.push({ index: 1, term: 1, type: "configuration", data: pack(configuration) });
  }

  tick(): void {
    this.ticks++;
  }

  step(): void {}

  propose(data: Uint8Array): ProposeResult {
    if (this.rules.leaderTerm(this.id) === undefined) return { ok: false, code: "NOT_LEADER" };
    const log = this.log();
    const entry: LogEntry = { index: log.length + 1, term: this.term(), type: "command", data };
    log.push(entry);
    return { ok: true, index: entry.index, term: entry.term };
  }

  proposeBarrier(): ProposeResult {
    return { ok: false, code: "BUSY" };
  }

  proposeMembership(): ProposeResult {
    return { ok: false, code: "BUSY" };
  }

  readIndex(requestId: number): void {
    const isLeader = this.rules.leaderTerm(this.id) !== undefined;
    if (isLeader || this.rules.followerReads) this.reads.push({ requestId, index: 0 });
  }

  transferLeadership(): ProposeResult {
    return { ok: false, code: "BUSY" };
  }

  campaign(): void {}

  private target(): number {
    const log = this.log();
    const isLeader = this.rules.leaderTerm(this.id) !== undefined;
    if (isLeader || this.ticks % this.rules.followerLagTicks === 0) this.visible = log.length;
    return this.visible;
  }

  hasReady(): boolean {
    const upTo = this.target();
    return !this.hardStateSent || this.reads.length > 0 || upTo > this.persistedTo || upTo > this.appliedTo;
  }

  ready(): Ready {
    const upTo = this.target();
    const entries = this.log().slice(this.persistedTo, upTo);
    const hardState: HardState | undefined = this.hardStateSent ? undefined : { term: this.term(), vote: "" };
    const rd: Ready = {
      hardState,
      entries,
      snapshot: undefined,
      // Commits what it sees at once: no quorum, no replication.
      committed: this.log().slice(this.appliedTo, upTo),
      messages: [],
      readStates: this.reads,
      events: [],
    };
    this.reads = [];
    return rd;
  }

  advance(rd: Ready): void {
    if (rd.hardState !== undefined) this.hardStateSent = true;
    const last = rd.entries[rd.entries.length - 1];
    if (last !== undefined) this.persistedTo = last.index;
    const applied = rd.committed[rd.committed.length - 1];
    if (applied !== undefined) this.appliedTo = applied.index;
  }

  compact(): void {}

  status(): CoreStatus {
    const leaderTerm = this.rules.leaderTerm(this.id);
    return {
      id: this.id,
      role: leaderTerm === undefined ? "follower" : "leader",
      term: this.term(),
      vote: "",
      leader: leaderTerm === undefined ? undefined : this.id,
      commitIndex: this.appliedTo,
      appliedIndex: this.appliedTo,
      lastLogIndex: this.log().length,
      lastLogTerm: this.log()[this.log().length - 1]?.term ?? 0,
      snapshotIndex: 0,
      configuration: { servers: [] },
      progress: undefined,
    };
  }
}

/** A fresh world per run: the factory is called once per node start. */
export function fakeCluster(rules: FakeRules): CoreFactory {
  const world = new FakeWorld();
  return (config, restore) => new FakeCore(config, restore, world, rules);
}
