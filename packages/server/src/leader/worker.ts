import { computeGcPlan, type GcBatch, type ServerGcConfig } from "@nomad/gc";
import { process as schedule, type Planner, type SubmitResult } from "@nomad/scheduler";
import { evalIsTerminal, type Evaluation, type Plan } from "@nomad/structs";
import type { FsmCommand } from "../fsm/commands.js";
import type { Logger } from "../logger.js";
import { silentLogger } from "../logger.js";
import type { StateSnapshot } from "../state/types.js";
import type { LeaderClock } from "./clock.js";
import type { LeaderStateStore } from "./context.js";
import { BrokerError, type Dequeued, type EvalBroker } from "./eval-broker.js";
import { gcView } from "../state/gc-view.js";
import type { PlanQueue } from "./plan-queue.js";

export interface WorkerDeps {
  id: number;
  /** Scheduler types this worker dequeues. */
  types: readonly string[];
  broker: EvalBroker;
  planQueue: PlanQueue;
  state: LeaderStateStore;
  apply(cmd: FsmCommand): Promise<{ index: number }>;
  clock: LeaderClock;
  random(): number;
  newID(): string;
  gcConfig: ServerGcConfig;
  dequeueTimeoutMs: number;
  snapshotWaitMs: number;
  logger?: Logger;
}

const ALL_TABLES = ["jobs", "nodes", "evals", "allocs", "index"] as const;

/** Resolves with a snapshot at or after `index`; throws after `timeoutMs` without one. */
export async function snapshotAtLeast(
  state: LeaderStateStore,
  index: number,
  timeoutMs: number,
  clock: LeaderClock,
  signal?: AbortSignal,
): Promise<StateSnapshot> {
  const deadline = clock.nowMs() + timeoutMs;
  for (;;) {
    const latest = state.latestIndex();
    if (latest >= index) return state.snapshot();
    const left = deadline - clock.nowMs();
    if (left <= 0) throw new Error(`timed out waiting for state index ${index} (at ${latest})`);
    if (signal?.aborted === true) throw new Error(`stopped while waiting for state index ${index}`);
    // Bounded real wait so a stalled clock (or a stop) is noticed.
    await state.waitForChange(ALL_TABLES, latest, Math.min(left, 1_000), signal);
  }
}

/**
 * A scheduling worker: dequeues evals of its enabled types, runs @nomad/scheduler (or
 * @nomad/gc for `_core`) on a snapshot at least as new as the eval, sends plans through the
 * plan queue and eval updates through Raft, then acks (or nacks on failure).
 */
export class Worker {
  private readonly logger: Logger;
  private running = false;
  private loop: Promise<void> | null = null;
  private abort: AbortController | null = null;
  private processed = 0;
  private failures = 0;

  constructor(private readonly deps: WorkerDeps) {
    this.logger = (deps.logger ?? silentLogger).named(`worker.${deps.id}`);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.loop = this.run().finally(() => {
      this.loop = null;
    });
  }

  /** Stops dequeuing; resolves when the eval in hand (if any) is finished or abandoned. */
  async stop(): Promise<void> {
    this.running = false;
    this.abort?.abort();
    await this.loop;
  }

  stats(): { processed: number; failures: number } {
    return { processed: this.processed, failures: this.failures };
  }

  private async run(): Promise<void> {
    const { broker } = this.deps;
    while (this.running) {
      let d: Dequeued | null;
      try {
        d = await broker.dequeue(this.deps.types, this.deps.dequeueTimeoutMs, this.abort?.signal);
      } catch (e) {
        if (e instanceof BrokerError && e.code === "DISABLED") return;
        throw e;
      }
      if (d === null) continue;
      try {
        await this.processEval(d);
        broker.ack(d.eval.ID, d.token);
        this.processed++;
      } catch (e) {
        this.failures++;
        this.logger.error("error processing eval", {
          eval_id: d.eval.ID,
          type: d.eval.Type,
          error: String(e),
        });
        try {
          broker.nack(d.eval.ID, d.token);
        } catch {
          // Not outstanding any more (nack timeout, or the broker was disabled): nothing to give back.
        }
      }
    }
  }

  /** Runs one delivered eval to completion (exposed for tests). */
  async processEval(d: Dequeued): Promise<void> {
    const { deps } = this;
    const evaluation = d.eval;
    const snap = await snapshotAtLeast(
      deps.state,
      evaluation.ModifyIndex,
      deps.snapshotWaitMs,
      deps.clock,
      this.abort?.signal,
    );
    const stored = snap.evalByID(evaluation.ID);
    // Completed meanwhile (e.g. a stale re-announcement): nothing left to do.
    if (stored !== undefined && evalIsTerminal(stored)) return;
    if (evaluation.Type === "_core") {
      await this.runCore(evaluation, snap);
      return;
    }
    const planner = new RaftPlanner(deps, d, snap.latestIndex(), this.abort?.signal);
    await schedule(evaluation, snap, planner, {
      random: deps.random,
      nowNs: () => deps.clock.nowNs(),
      newID: deps.newID,
      evalToken: d.token,
    });
  }

  private async runCore(evaluation: Evaluation, snap: StateSnapshot): Promise<void> {
    const { deps } = this;
    const plan = computeGcPlan(evaluation.JobID, gcView(snap), deps.gcConfig, {
      nowUnixNs: () => deps.clock.nowNs(),
    });
    for (const batch of plan.batches) {
      const cmd = gcCommand(batch);
      if (cmd !== null) await deps.apply(cmd);
    }
    if (plan.batches.length > 0)
      this.logger.debug("core gc applied", { core_job: evaluation.JobID, ...plan.counts });
    const now = deps.clock.nowNs();
    await deps.apply({
      type: "EvalUpdate",
      Evals: [
        {
          ...evaluation,
          Status: "complete",
          StatusDescription: "",
          ModifyTime: now,
          SnapshotIndex: snap.latestIndex(),
        },
      ],
    });
  }
}

/** One @nomad/gc batch as the Raft write Nomad uses for it; deployments are not modelled yet. */
export function gcCommand(batch: GcBatch): FsmCommand | null {
  switch (batch.kind) {
    case "eval-reap":
      return { type: "EvalDelete", Evals: [...batch.evalIDs], Allocs: [...batch.allocIDs] };
    case "job-purge":
      return {
        type: "JobBatchDeregister",
        Jobs: batch.jobs.map((j) => ({ Namespace: j.Namespace, ID: j.ID })),
        Evals: [],
      };
    case "node-deregister":
      return { type: "NodeBatchDeregister", NodeIDs: [...batch.nodeIDs] };
    case "deployment-reap":
      return null;
  }
}

/** The scheduler's sink on the leader: plans to the plan queue, evals through Raft. */
class RaftPlanner implements Planner {
  constructor(
    private readonly deps: WorkerDeps,
    private readonly delivery: Dequeued,
    private snapshotIndex: number,
    private readonly signal: AbortSignal | undefined,
  ) {}

  async submitPlan(plan: Plan): Promise<SubmitResult> {
    const { broker } = this.deps;
    const { eval: evaluation, token } = this.delivery;
    // A delivery that timed out (or was re-delivered elsewhere) must not commit anything.
    broker.outstandingReset(evaluation.ID, token);
    plan.EvalToken = token;
    plan.SnapshotIndex = this.snapshotIndex;
    broker.pauseNackTimeout(evaluation.ID, token);
    let result;
    try {
      result = await this.deps.planQueue.enqueue(plan);
    } finally {
      try {
        broker.resumeNackTimeout(evaluation.ID, token);
      } catch {
        // The broker was disabled meanwhile; the caller finds out on ack.
      }
    }
    if (result.RefreshIndex === 0) return { result, state: null };
    const fresh = await snapshotAtLeast(
      this.deps.state,
      result.RefreshIndex,
      this.deps.snapshotWaitMs,
      this.deps.clock,
      this.signal,
    );
    this.snapshotIndex = fresh.latestIndex();
    return { result, state: fresh };
  }

  async updateEval(evaluation: Evaluation): Promise<void> {
    await this.write(evaluation);
  }

  async createEval(evaluation: Evaluation): Promise<void> {
    await this.write(evaluation);
  }

  async reblockEval(evaluation: Evaluation): Promise<void> {
    this.deps.broker.outstandingReset(this.delivery.eval.ID, this.delivery.token);
    await this.write({ ...evaluation, Status: "blocked" });
  }

  private async write(evaluation: Evaluation): Promise<void> {
    await this.deps.apply({
      type: "EvalUpdate",
      Evals: [{ ...evaluation, SnapshotIndex: this.snapshotIndex }],
    });
  }
}
