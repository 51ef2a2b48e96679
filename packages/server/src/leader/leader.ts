import { randomUUID } from "node:crypto";
import { CORE_JOB_FORCE_GC, CoreGcSchedule, coreJobEval, type CoreJobName } from "@nomad/gc";
import { nodeClassOf } from "@nomad/scheduler";
import {
  allocIsTerminal,
  nodeAcceptsPlacements,
  parseEvaluation,
  type Evaluation,
  type Job,
} from "@nomad/structs";
import type { FsmCommand } from "../fsm/commands.js";
import type { FsmEvent } from "../fsm/events.js";
import { silentLogger, type Logger } from "../logger.js";
import { BlockedEvals, type BlockedStats } from "./blocked-evals.js";
import { systemClock, type LeaderClock, type TimerHandle } from "./clock.js";
import { parseLeaderConfig, type LeaderConfig } from "./config.js";
import type { LeaderContext, LeaderStateStore } from "./context.js";
import { BrokerError, EvalBroker, FAILED_QUEUE, type BrokerStats } from "./eval-broker.js";
import { HeartbeatTimers } from "./heartbeat.js";
import { planJob, type JobPlanResult } from "./job-plan.js";
import { createNodeEvals } from "./node-evals.js";
import { PlanApplier } from "./plan-apply.js";
import { PlanQueue } from "./plan-queue.js";
import { Worker } from "./worker.js";

export const NODE_HEARTBEAT_MISSED = "Node heartbeat missed";
const CANCELED_SUPERSEDED = "canceled after more recent eval was processed";

export interface LeaderBrokerStats extends BrokerStats {
  TotalBlocked: number;
  Blocked: BlockedStats;
  PlanQueueDepth: number;
}

/**
 * The leader's duties, composed: eval broker, blocked evals, plan queue and applier,
 * scheduling workers, client heartbeat timers, the failed-eval and cancelable-eval reapers and
 * the periodic `_core` GC evals. Created once per server; `start()` on gaining leadership,
 * `stop()` on losing it. Everything it decides goes through `ctx.apply` (Raft).
 */
export class Leader {
  readonly config: LeaderConfig;
  readonly broker: EvalBroker;
  readonly blocked: BlockedEvals;
  readonly planQueue: PlanQueue;
  readonly planApplier: PlanApplier;
  readonly heartbeats: HeartbeatTimers;
  private readonly state: LeaderStateStore;
  private readonly clock: LeaderClock;
  private readonly random: () => number;
  private readonly newID: () => string;
  private readonly logger: Logger;
  private running = false;
  private workers: Worker[] = [];
  private unsubscribe: (() => void) | null = null;
  private gcSchedule: CoreGcSchedule | null = null;
  private gcTimer: TimerHandle | null = null;
  private reapTimer: TimerHandle | null = null;
  private unblockFailedTimer: TimerHandle | null = null;
  private reaping: Promise<void> | null = null;
  private reapAgain = false;
  /** Blocked evals made obsolete by a successful eval or a stopped job: canceled by the reaper. */
  private obsoleteBlocked: { eval: Evaluation; reason: string }[] = [];
  private failedLoop: Promise<void> | null = null;
  private failedAbort: AbortController | null = null;
  private background = new Set<Promise<unknown>>();

  constructor(private readonly ctx: LeaderContext) {
    this.config = parseLeaderConfig(ctx.config ?? {});
    this.state = ctx.state;
    this.clock = ctx.clock ?? systemClock;
    this.random = ctx.random ?? Math.random;
    this.newID = ctx.newID ?? randomUUID;
    this.logger = ctx.logger ?? silentLogger;
    const cfg = this.config;
    this.broker = new EvalBroker({
      clock: this.clock,
      random: this.random,
      newID: this.newID,
      logger: this.logger.named("eval_broker"),
      nackTimeoutMs: cfg.evalNackTimeoutMs,
      deliveryLimit: cfg.evalDeliveryLimit,
      initialNackDelayMs: cfg.evalNackInitialReenqueueDelayMs,
      subsequentNackDelayMs: cfg.evalNackSubsequentReenqueueDelayMs,
      maxEvals: cfg.maxBrokerEvals,
    });
    this.broker.onCancelable = () => this.kickReaper();
    this.blocked = new BlockedEvals({
      logger: this.logger.named("blocked_evals"),
      onUnblock: (evals) => this.requeueUnblocked(evals),
      onDuplicate: () => this.kickReaper(),
    });
    this.planQueue = new PlanQueue(cfg.maxPlanQueue, () => this.clock.nowMs());
    this.planApplier = new PlanApplier({
      queue: this.planQueue,
      snapshot: () => this.state.snapshot(),
      apply: (cmd) => this.ctx.apply(cmd),
      nowNs: () => this.clock.nowNs(),
      logger: this.logger.named("plan_apply"),
    });
    this.heartbeats = new HeartbeatTimers({
      clock: this.clock,
      random: this.random,
      minHeartbeatTtlMs: cfg.minHeartbeatTtlMs,
      maxHeartbeatsPerSecond: cfg.maxHeartbeatsPerSecond,
      heartbeatGraceMs: cfg.heartbeatGraceMs,
      onExpire: (nodeID) => this.track(this.nodeExpired(nodeID)),
    });
  }

  isRunning(): boolean {
    return this.running;
  }

  /** Gains leadership: restores evals from state, arms heartbeats at the failover TTL, starts workers. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.broker.setEnabled(true);
    this.blocked.setEnabled(true);
    this.planQueue.setEnabled(true);
    // Subscribe before reading state: an eval applied in between is seen twice, never missed.
    this.unsubscribe = this.ctx.events.subscribe((e) => this.onEvent(e));
    const snap = this.state.snapshot();
    this.restoreEvals(snap.evals());
    for (const node of snap.nodes()) {
      if (node.Status !== "down")
        this.heartbeats.resetWithTimeout(node.ID, this.config.failoverHeartbeatTtlMs);
    }
    this.planApplier.start();
    const types = this.config.enabledSchedulers;
    for (let i = 0; i < this.config.numSchedulers; i++) {
      const w = new Worker({
        id: i,
        types,
        broker: this.broker,
        planQueue: this.planQueue,
        state: this.state,
        apply: (cmd) => this.ctx.apply(cmd),
        clock: this.clock,
        random: this.random,
        newID: this.newID,
        gcConfig: this.config.gc,
        dequeueTimeoutMs: this.config.workerDequeueTimeoutMs,
        snapshotWaitMs: this.config.workerSnapshotWaitMs,
        logger: this.logger,
      });
      w.start();
      this.workers.push(w);
    }
    this.failedAbort = new AbortController();
    this.failedLoop = this.reapFailed(this.failedAbort.signal);
    this.armReapTimer();
    this.armUnblockFailedTimer();
    this.gcSchedule = new CoreGcSchedule(this.config.gc, this.clock.nowNs());
    this.armGcTimer();
    this.logger.info("leader duties started", {
      workers: this.workers.length,
      nodes: this.heartbeats.count(),
    });
  }

  /** Loses leadership: stops every timer, worker and queue; in-memory queues are forgotten. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.gcTimer !== null) this.clock.clearTimeout(this.gcTimer);
    if (this.reapTimer !== null) this.clock.clearTimeout(this.reapTimer);
    if (this.unblockFailedTimer !== null) this.clock.clearTimeout(this.unblockFailedTimer);
    this.gcTimer = null;
    this.reapTimer = null;
    this.unblockFailedTimer = null;
    this.gcSchedule = null;
    this.heartbeats.clearAll();
    this.failedAbort?.abort();
    this.planQueue.setEnabled(false);
    this.broker.setEnabled(false);
    this.blocked.setEnabled(false);
    this.obsoleteBlocked = [];
    await Promise.all(this.workers.map((w) => w.stop()));
    this.workers = [];
    await this.planApplier.stopped();
    await this.failedLoop;
    this.failedLoop = null;
    await Promise.allSettled([...this.background]);
  }

  /** Resets a node's heartbeat timer; returns the TTL to give the client (ms). */
  resetHeartbeat(nodeID: string): number {
    return this.heartbeats.reset(nodeID);
  }

  clearHeartbeat(nodeID: string): void {
    this.heartbeats.clear(nodeID);
  }

  /** Job.Plan: a dry run of the scheduler on the current state with `job` registered. */
  planJob(job: Job): Promise<JobPlanResult> {
    return planJob(this.state.snapshot(), job, {
      random: this.random,
      nowNs: () => this.clock.nowNs(),
      newID: this.newID,
    });
  }

  /** System.GarbageCollect: writes a `force-gc` core eval; resolves with its ID once applied. */
  async forceGC(): Promise<string> {
    const [e] = await this.writeCoreEvals([CORE_JOB_FORCE_GC]);
    return e!.ID;
  }

  brokerStats(): LeaderBrokerStats {
    const b = this.blocked.stats();
    return {
      ...this.broker.stats(),
      TotalBlocked: b.TotalBlocked,
      Blocked: b,
      PlanQueueDepth: this.planQueue.size(),
    };
  }

  stats(): Record<string, string> {
    const s = this.brokerStats();
    return {
      eval_broker_ready: String(s.TotalReady),
      eval_broker_unacked: String(s.TotalUnacked),
      eval_broker_pending: String(s.TotalPending),
      eval_broker_waiting: String(s.TotalWaiting),
      eval_broker_blocked: String(s.TotalBlocked),
      plan_queue_depth: String(s.PlanQueueDepth),
      heartbeat_timers: String(this.heartbeats.count()),
      num_workers: String(this.workers.length),
    };
  }

  // ------------------------------------------------------------ events

  private onEvent(e: FsmEvent): void {
    if (!this.running) return;
    switch (e.type) {
      case "evals":
        for (const ev of e.evals) this.onEval(ev);
        return;
      case "node": {
        const node = e.node;
        if (node.Status === "down") this.heartbeats.clear(node.ID);
        else if (!this.heartbeats.has(node.ID)) this.heartbeats.reset(node.ID);
        if (nodeAcceptsPlacements(node)) {
          this.blocked.unblock(nodeClassOf(node), e.index);
          this.blocked.unblockNode(node.ID);
        }
        return;
      }
      case "allocs": {
        const freed = new Set<string>();
        for (const a of e.allocs) if (allocIsTerminal(a) && a.NodeID !== "") freed.add(a.NodeID);
        if (freed.size === 0) return;
        const snap = this.state.snapshot();
        const classes = new Set<string>();
        for (const id of freed) {
          const node = snap.nodeByID(id);
          if (node !== undefined) classes.add(nodeClassOf(node));
          this.blocked.unblockNode(id);
        }
        for (const c of classes) this.blocked.unblock(c, e.index);
        return;
      }
      case "job":
        if (e.job.Stop) this.obsolete(this.blocked.untrack(e.job.Namespace, e.job.ID), "job was stopped");
        return;
      case "restored":
        this.broker.setEnabled(false);
        this.blocked.setEnabled(false);
        this.broker.setEnabled(true);
        this.blocked.setEnabled(true);
        this.restoreEvals(this.state.snapshot().evals());
        return;
    }
  }

  private onEval(ev: Evaluation): void {
    if (ev.Status === "pending") this.broker.enqueue(ev);
    else if (ev.Status === "blocked") this.blocked.block(ev);
    else if (ev.Status === "complete" && Object.keys(ev.FailedTGAllocs).length === 0) {
      const old = this.blocked.untrack(ev.Namespace, ev.JobID);
      if (old !== undefined && old.ID !== ev.ID)
        this.obsolete(old, `evaluation ${ev.ID} placed every allocation of the job`);
    }
  }

  private obsolete(e: Evaluation | undefined, reason: string): void {
    if (e === undefined) return;
    this.obsoleteBlocked.push({ eval: e, reason });
    this.kickReaper();
  }

  private restoreEvals(evals: readonly Evaluation[]): void {
    for (const ev of evals) {
      if (ev.Status === "pending") this.broker.enqueue(ev);
      else if (ev.Status === "blocked") this.blocked.block(ev);
    }
  }

  // ------------------------------------------------------------ writes

  private track(p: Promise<unknown>): void {
    const q = p.catch((e: unknown) => {
      if (this.running) this.logger.error("leader write failed", { error: String(e) });
    });
    this.background.add(q);
    void q.finally(() => this.background.delete(q));
  }

  private apply(cmd: FsmCommand): Promise<{ index: number }> {
    return this.ctx.apply(cmd);
  }

  /** Unblocked evals go back to `pending` through Raft; the FSM event puts them in the broker. */
  private requeueUnblocked(evals: Evaluation[]): void {
    const now = this.clock.nowNs();
    const max = this.config.cancelableEvalBatchSize;
    for (let i = 0; i < evals.length; i += max) {
      const batch = evals.slice(i, i + max);
      this.track(
        this.apply({
          type: "EvalUpdate",
          Evals: batch.map((e) => ({ ...e, Status: "pending", StatusDescription: "", ModifyTime: now })),
        }),
      );
    }
  }

  private async writeCoreEvals(names: readonly CoreJobName[]): Promise<Evaluation[]> {
    const now = this.clock.nowNs();
    const index = this.state.latestIndex();
    const evals = names.map((name) => ({
      ...coreJobEval(name, { id: this.newID(), modifyIndex: index }),
      CreateTime: now,
      ModifyTime: now,
    }));
    await this.apply({ type: "EvalUpdate", Evals: evals });
    return evals;
  }

  private armGcTimer(): void {
    const schedule = this.gcSchedule;
    if (schedule === null || !this.running) return;
    const delayMs = Math.max(0, (schedule.nextDueNs() - this.clock.nowNs()) / 1_000_000);
    this.gcTimer = this.clock.setTimeout(() => {
      this.gcTimer = null;
      if (!this.running || this.gcSchedule !== schedule) return;
      const due = schedule.due(this.clock.nowNs());
      if (due.length > 0) this.track(this.writeCoreEvals(due));
      this.armGcTimer();
    }, Math.ceil(delayMs));
  }

  private armReapTimer(): void {
    if (!this.running) return;
    this.reapTimer = this.clock.setTimeout(() => {
      this.reapTimer = null;
      this.kickReaper();
      this.armReapTimer();
    }, this.config.cancelableEvalReapIntervalMs);
  }

  private armUnblockFailedTimer(): void {
    if (!this.running) return;
    this.unblockFailedTimer = this.clock.setTimeout(() => {
      this.unblockFailedTimer = null;
      this.blocked.unblockFailed();
      this.armUnblockFailedTimer();
    }, this.config.failedEvalUnblockIntervalMs);
  }

  /** Cancels superseded pending evals, duplicate and obsolete blocked evals, in bounded batches. */
  private kickReaper(): void {
    if (!this.running) return;
    if (this.reaping !== null) {
      this.reapAgain = true;
      return;
    }
    const run = async (): Promise<void> => {
      do {
        this.reapAgain = false;
        // Let the apply that triggered us finish first (we may be inside an FSM listener).
        await Promise.resolve();
        for (;;) {
          if (!this.running) return;
          const max = this.config.cancelableEvalBatchSize;
          const now = this.clock.nowNs();
          const batch: Evaluation[] = [];
          for (const e of this.broker.takeCancelable(max))
            batch.push({ ...e, Status: "canceled", StatusDescription: CANCELED_SUPERSEDED, ModifyTime: now });
          for (const e of this.blocked.takeDuplicates(max - batch.length)) {
            batch.push({
              ...e,
              Status: "canceled",
              StatusDescription: `existing blocked evaluation exists for job ${JSON.stringify(e.JobID)}`,
              ModifyTime: now,
            });
          }
          for (const o of this.obsoleteBlocked.splice(0, max - batch.length))
            batch.push({ ...o.eval, Status: "canceled", StatusDescription: o.reason, ModifyTime: now });
          if (batch.length === 0) break;
          await this.apply({ type: "EvalUpdate", Evals: batch });
        }
      } while (this.reapAgain && this.running);
    };
    const p = run().finally(() => {
      this.reaping = null;
    });
    this.reaping = p;
    this.track(p);
  }

  /** Evals past the delivery limit: marked failed, with a delayed `failed-follow-up` eval. */
  private async reapFailed(signal: AbortSignal): Promise<void> {
    while (this.running && !signal.aborted) {
      let d;
      try {
        d = await this.broker.dequeue([FAILED_QUEUE], this.config.workerDequeueTimeoutMs, signal);
      } catch (e) {
        if (e instanceof BrokerError) return;
        throw e;
      }
      if (d === null) continue;
      const now = this.clock.nowNs();
      const waitMs =
        this.config.failedEvalFollowupBaselineDelayMs +
        this.random() * this.config.failedEvalFollowupDelayRangeMs;
      const followup = parseEvaluation({
        ID: this.newID(),
        Namespace: d.eval.Namespace,
        Priority: d.eval.Priority,
        Type: d.eval.Type,
        TriggeredBy: "failed-follow-up",
        JobID: d.eval.JobID,
        JobModifyIndex: d.eval.JobModifyIndex,
        Status: "pending",
        Wait: Math.round(waitMs * 1_000_000),
        PreviousEval: d.eval.ID,
        CreateTime: now,
        ModifyTime: now,
      });
      const failed: Evaluation = {
        ...d.eval,
        Status: "failed",
        StatusDescription: `evaluation reached delivery limit (${this.config.evalDeliveryLimit})`,
        NextEval: followup.ID,
        ModifyTime: now,
      };
      try {
        await this.apply({ type: "EvalUpdate", Evals: [failed, followup] });
        this.logger.warn("eval reached delivery limit, marking as failed", { eval_id: d.eval.ID });
        this.broker.ack(d.eval.ID, d.token);
      } catch (e) {
        if (!this.running) return;
        this.logger.error("failed to mark eval as failed", { eval_id: d.eval.ID, error: String(e) });
        try {
          this.broker.nack(d.eval.ID, d.token);
        } catch {
          // Already redelivered or the broker was disabled.
        }
      }
    }
  }

  /** A node missed its TTL: mark it down through Raft, with node-update evals for its jobs. */
  private async nodeExpired(nodeID: string): Promise<void> {
    if (!this.running) return;
    const snap = this.state.snapshot();
    const node = snap.nodeByID(nodeID);
    if (node === undefined || node.Status === "down") return;
    this.logger.warn("node TTL expired", { node_id: nodeID });
    const nowMs = this.clock.nowMs();
    const evals = createNodeEvals(snap, nodeID, { nowNs: this.clock.nowNs(), newID: this.newID });
    try {
      await this.apply({
        type: "NodeUpdateStatus",
        NodeID: nodeID,
        Status: "down",
        NodeEvent: {
          Message: NODE_HEARTBEAT_MISSED,
          Subsystem: "Cluster",
          Details: null,
          Timestamp: new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, "Z"),
          CreateIndex: 0,
        },
        UpdatedAt: Math.floor(nowMs / 1000),
        Evals: evals,
      });
    } catch (e) {
      // Try again later rather than leave a dead node without a timer.
      if (this.running) this.heartbeats.resetWithTimeout(nodeID, this.config.minHeartbeatTtlMs);
      throw e;
    }
  }
}
