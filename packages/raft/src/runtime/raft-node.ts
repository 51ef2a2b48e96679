// RaftNode: drives a pure RaftCore with real timers, a Transport and the stores (the driver duties
// listed in core/api.ts). One Ready is handled at a time, with one awaited store call for it, so
// proposals that arrive while a sync is in flight form the next batch (group commit).
import type {
  CoreConfig,
  CoreStatus,
  MembershipChange,
  ProposeResult,
  RaftCoreApi,
  RaftEvent,
  Ready,
} from "../core/api.js";
import { decodeConfiguration } from "../core/configuration.js";
import type { Message } from "../core/messages.js";
import type { Configuration, LogEntry, NodeId, Role, ServerAddress, SnapshotMeta } from "../core/types.js";
import type { FSM, LogStore, SnapshotStore, StableStore } from "../storage/types.js";
import type { Transport } from "../transport/types.js";
import { Calls } from "./calls.js";
import type { RaftConfig, RaftConfigInput } from "./config.js";
import { coreTiming, parseRaftConfig, snapshotIntervalMs } from "./config.js";
import { defaultCoreFactory } from "./core-factory.js";
import { RaftError } from "./errors.js";
import type { Pending, PendingKind } from "./pending.js";
import type { CallOptions, RaftNodeEvent, RaftNodeOptions, RaftNodeStats } from "./raft-node-types.js";
import { recover } from "./recovery.js";
import { SnapshotCache } from "./snapshot-cache.js";
import { writeFsmSnapshot, writeReceivedSnapshot } from "./snapshot-writer.js";
import { maxCatchUpTicks, TickClock } from "./tick-clock.js";

export type { CallOptions, RaftNodeEvent, RaftNodeOptions, RaftNodeStats } from "./raft-node-types.js";

export class RaftNode<R = unknown> {
  readonly id: NodeId;
  readonly config: RaftConfig;
  private readonly core: RaftCoreApi;
  private readonly transport: Transport;
  private readonly logStore: LogStore;
  private readonly stableStore: StableStore;
  private readonly snapshotStore: SnapshotStore;
  private readonly fsm: FSM<R>;
  private readonly snapshots: SnapshotCache;
  private readonly random: () => number;
  /** Monotonic milliseconds (performance.now unless a test injects a clock). */
  private readonly now: () => number;
  private readonly ticks: TickClock;

  private readonly addresses = new Map<NodeId, ServerAddress>();
  private readonly calls = new Calls();
  private readonly listeners = new Set<(e: RaftNodeEvent) => void>();

  private role: Role;
  private leaderId: NodeId | undefined;
  private applied: number;
  private appliedTerm: number;
  private appliedConfig: { configuration: Configuration; index: number };
  private lastSnapshotIndex: number;
  /** Applies past the last snapshot that trigger the next one: the threshold plus a per-snapshot jitter. */
  private snapshotTrigger: number;

  private scheduled = false;
  private running: Promise<void> | undefined;
  private snapshotting: Promise<void> | undefined;
  private closed = false;
  private shutdownPromise: Promise<void> | undefined;
  private tickTimer: ReturnType<typeof setInterval> | undefined;
  private snapshotTimer: ReturnType<typeof setTimeout> | undefined;

  private counters = {
    readyBatches: 0,
    entriesPersisted: 0,
    messagesSent: 0,
    messagesUnroutable: 0,
    snapshots: 0,
  };

  /** Recovers from the stores (newest snapshot into the FSM, then the log), bootstraps if empty, starts timers. */
  static async start<R>(options: RaftNodeOptions<R>): Promise<RaftNode<R>> {
    const config = parseRaftConfig(options.config as RaftConfigInput, options.profile ?? "default");
    const recovered = await recover(
      options.logStore,
      options.stableStore,
      options.snapshotStore,
      options.fsm,
    );
    const snapshots = new SnapshotCache();
    const meta = recovered.restore.snapshot;
    if (meta !== undefined && recovered.snapshotData !== undefined)
      snapshots.set(meta, recovered.snapshotData);
    const random = options.random ?? Math.random;
    const coreConfig: CoreConfig = { ...coreTiming(config), id: options.id, random, snapshots };
    const core = (options.createCore ?? defaultCoreFactory)(coreConfig, recovered.restore);
    const r = recovered.restore;
    const empty = r.hardState.term === 0 && r.snapshot === undefined && r.entries.length === 0;
    if (options.bootstrap !== undefined && empty) core.bootstrap(options.bootstrap);
    const node = new RaftNode<R>(options, config, core, snapshots, random);
    node.begin(options.bootstrap !== undefined && empty);
    return node;
  }

  private constructor(
    options: RaftNodeOptions<R>,
    config: RaftConfig,
    core: RaftCoreApi,
    snapshots: SnapshotCache,
    random: () => number,
  ) {
    this.id = options.id;
    this.config = config;
    this.core = core;
    this.transport = options.transport;
    this.logStore = options.logStore;
    this.stableStore = options.stableStore;
    this.snapshotStore = options.snapshotStore;
    this.fsm = options.fsm;
    this.snapshots = snapshots;
    this.random = random;
    this.now = options.clock ?? (() => performance.now());
    this.ticks = new TickClock(config.tickMs, maxCatchUpTicks(coreTiming(config)), this.now);
    const status = core.status();
    this.role = status.role;
    this.leaderId = status.leader;
    const snap = snapshots.latest();
    this.applied = snap?.index ?? 0;
    this.appliedTerm = snap?.term ?? 0;
    this.lastSnapshotIndex = snap?.index ?? 0;
    this.snapshotTrigger = this.nextSnapshotTrigger();
    this.appliedConfig = snap
      ? { configuration: snap.configuration, index: snap.configurationIndex }
      : { configuration: status.configuration, index: 0 };
    for (const p of options.peers ?? []) this.addresses.set(p.id, p.address);
    this.learnAddresses(status.configuration);
    if (options.bootstrap !== undefined) this.learnAddresses(options.bootstrap);
  }

  private begin(bootstrapped: boolean): void {
    this.transport.onMessage((m) => this.onMessage(m));
    this.tickTimer = setInterval(() => this.onTick(), this.config.tickMs);
    this.armSnapshotTimer();
    // A freshly bootstrapped single voter need not wait an election timeout to lead itself.
    const voters = this.core.status().configuration.servers.filter((s) => s.suffrage === "voter");
    if (bootstrapped && voters.length === 1 && voters[0]?.id === this.id) this.core.campaign();
    this.kick();
  }

  // ---------------------------------------------------------------- public API

  /**
   * Tells the node where a server it may have to answer lives, before (or without) a
   * configuration naming it: a server started empty must reply to the leader that adds it.
   * Configurations the node learns later override it. (The `peers` start option, at run time.)
   */
  setPeerAddress(id: NodeId, address: ServerAddress): void {
    if (id !== this.id) this.addresses.set(id, address);
  }

  /**
   * Bootstraps a running node that was started without a configuration (Nomad's
   * `bootstrap_expect`: servers start empty and bootstrap once enough peers are known).
   * Returns false, changing nothing, when the node already has a term, entries or a snapshot.
   */
  bootstrap(configuration: Configuration): boolean {
    const s = this.core.status();
    if (s.term !== 0 || s.lastLogIndex !== 0 || this.lastSnapshotIndex !== 0) return false;
    this.core.bootstrap(configuration);
    this.learnAddresses(configuration);
    const voters = configuration.servers.filter((v) => v.suffrage === "voter");
    if (voters.length === 1 && voters[0]?.id === this.id) this.core.campaign();
    this.kick();
    return true;
  }

  /** Replicates `command`; resolves with the FSM's result once committed and applied here (the leader). */
  apply(command: Uint8Array, options: CallOptions = {}): Promise<R> {
    return this.propose<R>("apply", () => this.core.propose(command), options);
  }

  /** Resolves once every entry before it is applied on this leader (hashicorp/raft's Barrier). */
  barrier(options: CallOptions = {}): Promise<void> {
    return this.propose<void>("barrier", () => this.core.proposeBarrier(), options);
  }

  addVoter(id: NodeId, address: ServerAddress, options: CallOptions = {}): Promise<void> {
    this.addresses.set(id, address);
    return this.changeMembership({ type: "addVoter", id, address }, options);
  }

  addNonvoter(id: NodeId, address: ServerAddress, options: CallOptions = {}): Promise<void> {
    this.addresses.set(id, address);
    return this.changeMembership({ type: "addNonvoter", id, address }, options);
  }

  removeServer(id: NodeId, options: CallOptions = {}): Promise<void> {
    return this.changeMembership({ type: "removeServer", id }, options);
  }

  /** Confirms with a quorum that this node is still the leader (one ReadIndex round). */
  verifyLeader(options: CallOptions = {}): Promise<void> {
    return this.readRound("verify", options);
  }

  /** ReadIndex: resolves once this leader is confirmed and has applied everything committed before the call. */
  linearizableRead(options: CallOptions = {}): Promise<void> {
    return this.readRound("read", options);
  }

  /** Hands leadership to `target` (default: the most up-to-date voter); resolves when it leads. */
  transferLeadership(target?: NodeId, options: CallOptions = {}): Promise<void> {
    const guard = this.guard();
    if (guard !== undefined) return Promise.reject(guard);
    const to = target ?? this.bestTransferTarget();
    if (to === undefined)
      return Promise.reject(new RaftError("TIMEOUT", "no voter to transfer leadership to"));
    const busy = this.calls.transferTarget;
    if (busy !== undefined)
      return Promise.reject(new RaftError("TIMEOUT", `a transfer to ${busy} is in progress`));
    const pending = this.track<void>("transfer", options);
    const r = this.core.transferLeadership(to);
    if (!r.ok) {
      pending.fail(this.rejection(r));
      return pending.promise;
    }
    this.calls.startTransfer(to, pending);
    this.kick();
    return pending.promise;
  }

  state(): Role {
    return this.role;
  }

  leader(): { id: NodeId; address: ServerAddress | undefined } | undefined {
    return this.leaderId === undefined
      ? undefined
      : { id: this.leaderId, address: this.addresses.get(this.leaderId) };
  }

  status(): CoreStatus {
    return { ...this.core.status(), appliedIndex: this.applied };
  }

  /** The configuration as of the last applied entry. */
  configuration(): Configuration {
    return this.appliedConfig.configuration;
  }

  appliedIndex(): number {
    return this.applied;
  }

  stats(): RaftNodeStats {
    const s = this.core.status();
    return {
      id: this.id,
      role: s.role,
      term: s.term,
      leader: s.leader,
      commitIndex: s.commitIndex,
      appliedIndex: this.applied,
      lastLogIndex: s.lastLogIndex,
      lastSnapshotIndex: this.lastSnapshotIndex,
      snapshotsTaken: this.counters.snapshots,
      readyBatches: this.counters.readyBatches,
      entriesPersisted: this.counters.entriesPersisted,
      messagesSent: this.counters.messagesSent,
      messagesUnroutable: this.counters.messagesUnroutable,
      pendingOps: this.calls.size,
      transport: this.transport.stats(),
    };
  }

  /** Subscribes to events (leader change, role change, snapshots...); returns the unsubscribe function. */
  observe(listener: (event: RaftNodeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Takes a snapshot now if anything was applied since the last one; resolves with its index. */
  async snapshot(): Promise<number> {
    if (this.snapshotting !== undefined) await this.snapshotting;
    if (this.applied > this.lastSnapshotIndex) await this.takeSnapshot();
    return this.lastSnapshotIndex;
  }

  /**
   * Stops timers and the loop (an in-flight store call completes first), rejects pending calls with
   * SHUTDOWN. The transport and stores were passed in and stay the caller's to close.
   */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.doShutdown();
    return this.shutdownPromise;
  }

  // ---------------------------------------------------------------- calls

  private guard(): RaftError | undefined {
    if (this.closed) return new RaftError("SHUTDOWN");
    if (this.calls.size >= this.config.maxPendingOps) {
      return new RaftError("TIMEOUT", `too many pending calls (maxPendingOps=${this.config.maxPendingOps})`);
    }
    return undefined;
  }

  private track<T>(kind: PendingKind, options: CallOptions): Pending<T> {
    return this.calls.track<T>(kind, options.timeoutMs ?? this.config.defaultApplyTimeoutMs, this.now());
  }

  private propose<T>(kind: PendingKind, attempt: () => ProposeResult, options: CallOptions): Promise<T> {
    const guard = this.guard();
    if (guard !== undefined) return Promise.reject(guard);
    const pending = this.track<T>(kind, options) as Pending<unknown>;
    if (!this.tryPropose(pending, attempt)) this.calls.park(pending, attempt);
    return pending.promise as Promise<T>;
  }

  /** false = the core is busy (flow control, a membership change in progress): retried after the next advance. */
  private readonly tryPropose = (pending: Pending<unknown>, attempt: () => ProposeResult): boolean => {
    const r = attempt();
    if (r.ok) {
      this.calls.awaitIndex(r.index, r.term, pending);
      this.kick();
      return true;
    }
    if (r.code === "BUSY") return false;
    pending.fail(this.rejection(r));
    return true;
  };

  private changeMembership(change: MembershipChange, options: CallOptions): Promise<void> {
    return this.propose<void>("membership", () => this.core.proposeMembership(change), options);
  }

  private readRound(kind: "read" | "verify", options: CallOptions): Promise<void> {
    const guard = this.guard();
    if (guard !== undefined) return Promise.reject(guard);
    if (this.role !== "leader") return Promise.reject(this.notLeader());
    const pending = this.track<void>(kind, options);
    this.core.readIndex(this.calls.startRead(pending));
    this.kick();
    return pending.promise;
  }

  private rejection(r: Extract<ProposeResult, { ok: false }>): RaftError {
    if (r.code === "BUSY") return new RaftError("TIMEOUT", "raft is busy");
    return this.notLeader(r.leader ?? this.leaderId);
  }

  /** For a call whose entry was replaced by another leader's. */
  private readonly lostError = (): RaftError => this.notLeader();

  private notLeader(leader: NodeId | undefined = this.leaderId): RaftError {
    if (leader === undefined || leader === this.id) return new RaftError("NO_LEADER");
    return new RaftError("NOT_LEADER", undefined, { id: leader, address: this.addresses.get(leader) });
  }

  private bestTransferTarget(): NodeId | undefined {
    const s = this.core.status();
    let best: NodeId | undefined;
    let bestMatch = -1;
    for (const server of s.configuration.servers) {
      if (server.id === this.id || server.suffrage !== "voter") continue;
      const match = s.progress?.get(server.id)?.matchIndex ?? 0;
      if (match > bestMatch) {
        best = server.id;
        bestMatch = match;
      }
    }
    return best;
  }

  // ---------------------------------------------------------------- driving the core

  private onMessage(message: Message): void {
    if (this.closed || message.to !== this.id) return;
    try {
      // Time first: input that waited out a stall is judged after the timeouts that ran out during it.
      this.catchUpTicks();
      this.core.step(message);
    } catch (e) {
      this.fatal(e);
      return;
    }
    this.kick();
  }

  private onTick(): void {
    if (this.closed) return;
    try {
      this.catchUpTicks();
    } catch (e) {
      this.fatal(e);
      return;
    }
    this.calls.expire(this.now());
    if (this.core.hasReady()) this.kick();
  }

  /** One core tick per elapsed tickMs since the last one (bounded, see TickClock). */
  private catchUpTicks(): void {
    for (let n = this.ticks.due(); n > 0; n--) this.core.tick();
  }

  /** Schedules the Ready loop; setImmediate lets everything that arrived in this I/O phase join the batch. */
  private kick(): void {
    if (this.scheduled || this.running !== undefined || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.running !== undefined || this.closed) return;
      this.running = this.loop().finally(() => {
        this.running = undefined;
      });
    });
  }

  private async loop(): Promise<void> {
    try {
      while (!this.closed && this.core.hasReady()) {
        const ready = this.core.ready();
        await this.handleReady(ready);
        this.core.advance(ready);
        this.calls.retryParked(this.tryPropose);
      }
    } catch (e) {
      this.fatal(e);
    }
  }

  private async handleReady(rd: Ready): Promise<void> {
    this.counters.readyBatches++;
    // 1. A snapshot from the leader is durable and in the FSM before anything after it is applied.
    if (rd.snapshot !== undefined) await this.installSnapshot(rd.snapshot.meta, rd.snapshot.data);
    // 2. A leader's appends may leave while its own entries sync (thesis 10.2.1): it counts itself
    //    towards commit only after advance(). Not when its term/vote changed in this Ready.
    const early = this.role === "leader" && rd.hardState === undefined;
    if (early) this.sendMessages(rd.messages, true);
    // 3. One awaited store call for the whole Ready (group commit).
    const persist = this.persist(rd);
    // 4. Committed entries are on a quorum's disks already, so the FSM can apply them while our own
    //    sync is in flight: CPU work overlaps the fsync.
    this.applyCommitted(rd.committed);
    if (persist !== undefined) await persist;
    if (this.closed) return;
    this.sendMessages(rd.messages, early ? false : undefined);
    for (const rs of rd.readStates) this.calls.readConfirmed(rs.requestId, rs.index, this.applied);
    for (const ev of rd.events) this.onEvent(ev);
  }

  private persist(rd: Ready): Promise<unknown> | undefined {
    const hs = rd.hardState;
    const n = rd.entries.length;
    this.counters.entriesPersisted += n;
    if (hs !== undefined && n > 0)
      return Promise.all([this.stableStore.save(hs), this.logStore.append(rd.entries)]);
    if (hs !== undefined) return this.stableStore.save(hs);
    if (n > 0) return this.logStore.append(rd.entries);
    return undefined;
  }

  /** appendsOnly: true = only "append" messages, false = all but those, undefined = all. */
  private sendMessages(messages: readonly Message[], appendsOnly: boolean | undefined): void {
    for (const m of messages) {
      if (appendsOnly !== undefined && (m.type === "append") !== appendsOnly) continue;
      const address = this.addresses.get(m.to);
      if (address === undefined) {
        this.counters.messagesUnroutable++;
        continue;
      }
      this.counters.messagesSent++;
      this.transport.send(m.to, address, m);
    }
  }

  private applyCommitted(committed: readonly LogEntry[]): void {
    if (committed.length === 0) return;
    for (const e of committed) {
      if (e.index <= this.applied) continue;
      let result: unknown;
      if (e.type === "command") {
        result = this.fsm.apply(e);
      } else if (e.type === "configuration") {
        this.onConfigurationApplied(e);
      }
      this.applied = e.index;
      this.appliedTerm = e.term;
      this.calls.applied(e.index, e.term, result, this.lostError);
    }
    this.calls.appliedTo(this.applied);
    this.maybeSnapshot(this.snapshotTrigger);
  }

  private onConfigurationApplied(e: LogEntry): void {
    let configuration: Configuration;
    try {
      configuration = decodeConfiguration(e.data);
    } catch {
      configuration = this.core.status().configuration;
    }
    this.appliedConfig = { configuration, index: e.index };
    this.learnAddresses(configuration);
  }

  private onEvent(ev: RaftEvent): void {
    switch (ev.type) {
      case "roleChange": {
        const wasLeader = this.role === "leader";
        this.role = ev.role;
        if (wasLeader && ev.role !== "leader") this.calls.leadershipLost(this.notLeader());
        break;
      }
      case "leaderChange":
        this.leaderId = ev.leader;
        this.calls.leaderChanged(ev.leader);
        break;
      case "configurationChange":
        this.learnAddresses(ev.configuration);
        break;
      case "readFailed":
        this.calls.readFailed(
          ev.requestId,
          ev.code === "NOT_LEADER" ? this.notLeader() : new RaftError("NO_LEADER"),
        );
        break;
      case "transferFailed":
        this.calls.transferFailed(
          ev.target,
          new RaftError("TIMEOUT", `leadership transfer to ${ev.target} failed`),
        );
        break;
      case "peerUnreachable":
        break;
    }
    this.emit(ev);
  }

  private learnAddresses(configuration: Configuration): void {
    for (const s of configuration.servers) this.addresses.set(s.id, s.address);
  }

  private emit(ev: RaftNodeEvent): void {
    for (const l of this.listeners) {
      try {
        l(ev);
      } catch {
        // An observer's bug must not stop replication.
      }
    }
  }

  // ---------------------------------------------------------------- snapshots

  private async installSnapshot(meta: SnapshotMeta, data: Uint8Array): Promise<void> {
    await writeReceivedSnapshot(this.snapshotStore, meta, data);
    this.fsm.restore(data);
    this.snapshots.set(meta, data);
    this.applied = meta.index;
    this.appliedTerm = meta.term;
    this.appliedConfig = { configuration: meta.configuration, index: meta.configurationIndex };
    this.lastSnapshotIndex = meta.index;
    this.learnAddresses(meta.configuration);
    await this.logStore.compact(meta.index);
    // Calls waiting for an index the snapshot covers can no longer learn their FSM result.
    this.calls.failIndexesUpTo(meta.index, this.notLeader());
    this.calls.appliedTo(this.applied);
    this.emit({ type: "snapshotRestored", index: meta.index });
  }

  private armSnapshotTimer(): void {
    const base = snapshotIntervalMs(this.config);
    this.snapshotTimer = setTimeout(
      () => {
        this.maybeSnapshot(this.config.snapshotThreshold);
        this.snapshots.release();
        if (!this.closed) this.armSnapshotTimer();
      },
      base * (1 + this.random()),
    );
    this.snapshotTimer.unref();
  }

  /**
   * The timer checks the plain threshold (as hashicorp/raft); the check after applies, which bounds
   * memory under sustained load, waits for a jittered trigger so that servers (and nodes sharing a
   * process) do not all snapshot at the same index.
   */
  private maybeSnapshot(threshold: number): void {
    if (this.snapshotting !== undefined || this.closed) return;
    if (this.applied - this.lastSnapshotIndex < threshold) return;
    void this.takeSnapshot().catch((e: unknown) => this.fatal(e));
  }

  private nextSnapshotTrigger(): number {
    return Math.round(this.config.snapshotThreshold * (1 + 0.5 * this.random()));
  }

  private takeSnapshot(): Promise<void> {
    const meta: SnapshotMeta = {
      index: this.applied,
      term: this.appliedTerm,
      configuration: this.appliedConfig.configuration,
      configurationIndex: this.appliedConfig.index,
    };
    // The FSM captures its state synchronously here; the write happens off the apply path.
    const fsmSnapshot = this.fsm.snapshot();
    const run = (async () => {
      const data = await writeFsmSnapshot(this.snapshotStore, meta, fsmSnapshot);
      if (this.closed) return;
      this.snapshots.set(meta, data);
      this.lastSnapshotIndex = meta.index;
      this.snapshotTrigger = this.nextSnapshotTrigger();
      this.counters.snapshots++;
      this.core.compact(meta, this.config.trailingLogs);
      const keepFrom = meta.index - this.config.trailingLogs;
      if (keepFrom > 0 && keepFrom >= this.logStore.firstIndex()) await this.logStore.compact(keepFrom);
      this.emit({ type: "snapshot", index: meta.index, sizeBytes: data.length });
    })();
    this.snapshotting = run.finally(() => {
      this.snapshotting = undefined;
    });
    return this.snapshotting;
  }

  // ---------------------------------------------------------------- stopping

  private fatal(e: unknown): void {
    if (this.closed) return;
    const error = e instanceof Error ? e : new Error(String(e));
    this.emit({ type: "fatal", error });
    void this.shutdown();
  }

  private async doShutdown(): Promise<void> {
    this.closed = true;
    if (this.tickTimer !== undefined) clearInterval(this.tickTimer);
    if (this.snapshotTimer !== undefined) clearTimeout(this.snapshotTimer);
    this.calls.failAll(new RaftError("SHUTDOWN"));
    // Let an in-flight store call finish, so the caller can close the stores right after.
    await this.running?.catch(() => undefined);
    await this.snapshotting?.catch(() => undefined);
    this.emit({ type: "shutdown" });
  }
}
