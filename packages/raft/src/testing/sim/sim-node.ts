// One simulated server: a RaftCore driven exactly as the runtime must drive it (api.ts's duties),
// over a simulated disk with asynchronous fsync, plus the KV state machine. A crash throws away
// the core and everything in memory; a restart rebuilds the core from the durable disk only.
import { unpack } from "msgpackr";
import type { CoreConfig, RaftCoreApi, Ready, SnapshotSource } from "../../core/api.js";
import type { Message } from "../../core/messages.js";
import type { Configuration, LogEntry, NodeId, SnapshotMeta } from "../../core/types.js";
import type { KvOutput } from "../linearizability/kv-model.js";
import type { Prng } from "../prng.js";
import { SimDisk, type PrefixRegistry, type StoredSnapshot } from "./disk.js";
import type { InvariantChecker } from "./invariants.js";
import { decodeCommand, SimKvFsm } from "./kv-fsm.js";
import type { CoreFactory } from "./options.js";
import { SimViolation } from "./violation.js";

/** What a node needs from the simulation around it. */
export interface NodeHost {
  now(): number;
  schedule(delayMs: number, run: () => void): void;
  send(message: Message): void;
  applied(node: SimNode, entry: LogEntry, output: KvOutput | undefined): void;
  readReady(node: SimNode, requestId: number): void;
  readFailed(node: SimNode, requestId: number): void;
  /** The node wrote a vote or log entries that are not synced yet (a targeted crash may strike). */
  wroteUnsynced(node: SimNode): void;
  log(line: string): void;
}

export interface NodeTuning {
  readonly coreConfig: Omit<CoreConfig, "id" | "random" | "snapshots">;
  readonly bootstrap: Configuration;
  /** Take a local snapshot every this many applied entries (0 = never). */
  readonly snapshotEvery: number;
  readonly trailingLogs: number;
  readonly fsyncMinMs: number;
  readonly fsyncMaxMs: number;
  /** See SimOptions.brokenDriver. */
  readonly sendBeforeSync: boolean;
  /** See SimOptions.snapshotRetention. */
  readonly snapshotRetention: number;
}

interface PendingLeaderCheck {
  readonly term: number;
}

export class SimNode {
  readonly disk: SimDisk;
  core: RaftCoreApi | undefined;
  fsm = new SimKvFsm();
  appliedIndex = 0;
  appliedTerm = 0;
  /** Incremented by every crash: events scheduled by an earlier incarnation are ignored. */
  epoch = 0;
  crashes = 0;
  private inflight: Ready | undefined;
  private deferred: Message[] = [];
  private pendingReads: { requestId: number; index: number }[] = [];
  private configuration: Configuration;
  private configurationIndex = 0;
  private lastSnapshotIndex = 0;
  /** Local snapshots kept for streaming to followers (the newest few, by index). */
  private readonly snapshots = new Map<number, StoredSnapshot>();
  private leaderCheck: PendingLeaderCheck | undefined;
  /** Stopped (SIGSTOP): ticks are counted, messages buffered, until resume(). */
  paused = false;
  private missedTicks = 0;
  private inbox: Message[] = [];
  private syncedWhilePaused: Ready | undefined;

  constructor(
    readonly id: NodeId,
    private readonly host: NodeHost,
    private readonly invariants: InvariantChecker,
    private readonly createCore: CoreFactory,
    private readonly tuning: NodeTuning,
    private readonly rng: Prng,
    registry: PrefixRegistry,
  ) {
    this.disk = new SimDisk(id, registry);
    this.configuration = tuning.bootstrap;
  }

  /** A Ready is written but its fsync has not completed. */
  get persisting(): boolean {
    return this.inflight !== undefined;
  }

  get alive(): boolean {
    return this.core !== undefined;
  }

  /** Boots from the durable disk; an empty disk is bootstrapped with the initial configuration. */
  start(): void {
    const restore = this.disk.restore();
    const snap = this.disk.durable.snapshot;
    this.fsm = SimKvFsm.restore(snap?.data);
    this.appliedIndex = snap?.meta.index ?? 0;
    this.appliedTerm = snap?.meta.term ?? 0;
    this.lastSnapshotIndex = this.appliedIndex;
    this.configuration = snap?.meta.configuration ?? this.tuning.bootstrap;
    this.configurationIndex = snap?.meta.configurationIndex ?? 0;
    this.snapshots.clear();
    if (snap !== undefined) this.snapshots.set(snap.meta.index, snap);
    const config: CoreConfig = {
      ...this.tuning.coreConfig,
      id: this.id,
      random: this.rng.asRandom(),
      snapshots: this.snapshotSource(),
    };
    const core = this.createCore(config, restore);
    // A restarted node cannot know of commits beyond what it durably holds.
    const recovered = core.status().commitIndex;
    const durableLast = Math.max(this.disk.durable.lastIndex, this.disk.durable.snapshot?.meta.index ?? 0);
    if (recovered > durableLast) {
      throw new SimViolation(
        "commit-monotonic",
        `${this.id} restarted with commit index ${recovered} beyond its durable log (${durableLast})`,
      );
    }
    if (this.disk.durable.isEmpty()) core.bootstrap(this.tuning.bootstrap);
    this.core = core;
    this.invariants.restarted(this.id, core.status().commitIndex);
  }

  crash(): void {
    this.paused = false;
    this.missedTicks = 0;
    this.inbox = [];
    this.syncedWhilePaused = undefined;
    const kept = this.disk.crash(this.rng);
    this.core = undefined;
    this.inflight = undefined;
    this.deferred = [];
    this.pendingReads = [];
    this.leaderCheck = undefined;
    this.epoch++;
    this.crashes++;
    this.host.log(`${this.id} crashed (kept ${kept} unsynced writes)`);
  }

  tick(): void {
    if (this.paused) this.missedTicks++;
    else this.core?.tick();
  }

  deliver(message: Message): void {
    if (this.paused) this.inbox.push(message);
    else this.core?.step(message);
  }

  /** SIGSTOP: the process keeps its memory but runs nothing; the kernel buffers its input. */
  pause(): void {
    if (this.core === undefined || this.paused) return;
    this.paused = true;
    this.host.log(`${this.id} paused`);
  }

  /**
   * SIGCONT. The runtime counts time by the monotonic clock, so the ticks missed while stopped
   * fire first (a leader must see that its lease ran out before it serves anything), then the
   * buffered messages arrive, then the fsync that completed meanwhile is handled.
   */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    const core = this.core;
    const missed = this.missedTicks;
    const inbox = this.inbox;
    const synced = this.syncedWhilePaused;
    this.missedTicks = 0;
    this.inbox = [];
    this.syncedWhilePaused = undefined;
    this.host.log(`${this.id} resumed (${missed} missed ticks, ${inbox.length} buffered messages)`);
    if (core === undefined) return;
    for (let i = 0; i < missed; i++) core.tick();
    for (const m of inbox) core.step(m);
    if (synced !== undefined) this.persisted(synced);
    this.afterEvent();
  }

  /** After every event that touched this node: check invariants, then drive the Ready loop. */
  afterEvent(): void {
    const core = this.core;
    if (core === undefined || this.paused) return;
    this.pump(core);
    const status = core.status();
    if (this.invariants.observe(this.id, status)) {
      this.host.log(`${this.id} is leader of term ${status.term}`);
      this.leaderCheck = { term: status.term };
      // All of its log may already be handed out; if not, the next Ready completes the check.
      if (!core.hasReady() && this.inflight === undefined) this.runLeaderCheck();
    }
  }

  private runLeaderCheck(): void {
    const check = this.leaderCheck;
    if (check === undefined) return;
    this.leaderCheck = undefined;
    this.invariants.checkLeaderLog(this.id, check.term, this.disk.written);
  }

  private pump(core: RaftCoreApi): void {
    if (this.inflight !== undefined || !core.hasReady()) return;
    const rd = core.ready();
    this.inflight = rd;
    // Duty 1: write (not yet durable). Snapshot first: the entries continue it.
    if (rd.hardState !== undefined) this.disk.write({ type: "hardState", hardState: rd.hardState });
    if (rd.snapshot !== undefined)
      this.disk.write({ type: "snapshot", meta: rd.snapshot.meta, data: rd.snapshot.data });
    if (rd.entries.length > 0) this.disk.write({ type: "entries", entries: rd.entries });
    if (this.leaderCheck !== undefined) this.runLeaderCheck();
    // Duty 2, with the thesis 10.2.1 exception: a leader's appends may leave before its own fsync.
    this.deferred = [];
    for (const m of rd.messages) {
      if (m.type === "append" || this.tuning.sendBeforeSync) this.host.send(m);
      else this.deferred.push(m);
    }
    const epoch = this.epoch;
    const delay = this.rng.between(this.tuning.fsyncMinMs, this.tuning.fsyncMaxMs);
    if (rd.hardState !== undefined || rd.entries.length > 0) this.host.wroteUnsynced(this);
    this.host.schedule(delay, () => {
      if (this.epoch !== epoch) return;
      if (this.paused) this.syncedWhilePaused = rd;
      else this.persisted(rd);
    });
  }

  /** The fsync of `rd` completed: send, apply, advance. */
  private persisted(rd: Ready): void {
    const core = this.core as RaftCoreApi;
    this.disk.sync();
    for (const m of this.deferred) this.host.send(m);
    this.deferred = [];
    if (rd.snapshot !== undefined) this.restoreSnapshot(rd.snapshot.meta, rd.snapshot.data);
    const term = core.status().term;
    for (const entry of rd.committed) this.apply(entry, term);
    for (const rs of rd.readStates) this.pendingReads.push(rs);
    for (const event of rd.events) {
      if (event.type === "readFailed") this.host.readFailed(this, event.requestId);
      else if (event.type === "leaderChange")
        this.host.log(`${this.id} sees leader ${event.leader} (term ${event.term})`);
    }
    this.answerReads();
    this.inflight = undefined;
    core.advance(rd);
    this.maybeSnapshot(core);
    this.afterEvent();
  }

  private restoreSnapshot(meta: SnapshotMeta, data: Uint8Array): void {
    this.invariants.restoredSnapshot(this.id, meta.index, meta.term);
    this.fsm = SimKvFsm.restore(data);
    this.appliedIndex = meta.index;
    this.appliedTerm = meta.term;
    this.lastSnapshotIndex = meta.index;
    this.configuration = meta.configuration;
    this.configurationIndex = meta.configurationIndex;
    this.snapshots.set(meta.index, { meta, data });
    this.host.log(`${this.id} installed a snapshot at ${meta.index}`);
  }

  private apply(entry: LogEntry, nodeTerm: number): void {
    if (entry.index !== this.appliedIndex + 1) {
      throw new SimViolation(
        "driver-contract",
        `${this.id} was handed committed entry ${entry.index} to apply after ${this.appliedIndex}`,
      );
    }
    this.invariants.applied(this.id, entry, nodeTerm);
    this.appliedIndex = entry.index;
    this.appliedTerm = entry.term;
    let output: KvOutput | undefined;
    if (entry.type === "command") output = this.fsm.apply(decodeCommand(entry.data));
    else if (entry.type === "configuration") {
      this.configuration = unpack(entry.data) as Configuration;
      this.configurationIndex = entry.index;
    }
    this.host.applied(this, entry, output);
  }

  private answerReads(): void {
    if (this.pendingReads.length === 0) return;
    const ready = this.pendingReads.filter((r) => r.index <= this.appliedIndex);
    this.pendingReads = this.pendingReads.filter((r) => r.index > this.appliedIndex);
    for (const r of ready) this.host.readReady(this, r.requestId);
  }

  private maybeSnapshot(core: RaftCoreApi): void {
    const every = this.tuning.snapshotEvery;
    if (every === 0 || this.appliedIndex - this.lastSnapshotIndex < every || this.inflight !== undefined)
      return;
    const meta: SnapshotMeta = {
      index: this.appliedIndex,
      term: this.appliedTerm,
      configuration: this.configuration,
      configurationIndex: this.configurationIndex,
    };
    const data = this.fsm.snapshot();
    const compactTo = Math.max(0, meta.index - this.tuning.trailingLogs);
    this.disk.writeLocalSnapshot(meta, data, compactTo);
    this.snapshots.set(meta.index, { meta, data });
    for (const index of [...this.snapshots.keys()]
      .sort((a, b) => a - b)
      .slice(0, -this.tuning.snapshotRetention)) {
      this.snapshots.delete(index);
    }
    this.lastSnapshotIndex = meta.index;
    core.compact(meta, this.tuning.trailingLogs);
    this.host.log(`${this.id} snapshot at ${meta.index}, log compacted to ${compactTo}`);
  }

  private snapshotSource(): SnapshotSource {
    return {
      latest: () => this.disk.durable.snapshot?.meta,
      read: (meta, offset, maxBytes) => {
        const snap = this.snapshots.get(meta.index);
        if (snap === undefined) throw new Error(`sim: ${this.id} has no snapshot at ${meta.index} any more`);
        return { data: snap.data.subarray(offset, offset + maxBytes), totalBytes: snap.data.length };
      },
    };
  }

  /** The FSM value for a read that the core confirmed (applied >= read index). */
  read(key: string): string | null {
    return this.fsm.get(key);
  }

  status(): ReturnType<RaftCoreApi["status"]> | undefined {
    return this.core?.status();
  }
}
