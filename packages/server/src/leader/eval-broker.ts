import type { Evaluation } from "@nomad/structs";
import type { Logger } from "../logger.js";
import { silentLogger } from "../logger.js";
import type { LeaderClock, TimerHandle } from "./clock.js";
import { Heap } from "./heap.js";

/** Evals that reached the delivery limit wait here until the leader marks them failed. */
export const FAILED_QUEUE = "_failed";

export type BrokerErrorCode = "NOT_OUTSTANDING" | "TOKEN_MISMATCH" | "DISABLED";

export class BrokerError extends Error {
  constructor(
    readonly code: BrokerErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "BrokerError";
  }
}

export interface EvalBrokerOptions {
  clock: LeaderClock;
  /** Uniform in [0, 1): breaks priority ties between scheduler types. */
  random(): number;
  /** Fresh delivery tokens. */
  newID(): string;
  logger?: Logger;
  nackTimeoutMs: number;
  deliveryLimit: number;
  initialNackDelayMs: number;
  subsequentNackDelayMs: number;
  /** Evals tracked at once (every state); beyond it enqueue refuses and counts. */
  maxEvals: number;
}

export interface Dequeued {
  readonly eval: Evaluation;
  readonly token: string;
}

export interface BrokerStats {
  TotalReady: number;
  TotalUnacked: number;
  /** Evals waiting behind another eval of the same job. */
  TotalPending: number;
  /** Evals waiting on a timer: nack redelivery delay, Wait, or WaitUntil. */
  TotalWaiting: number;
  TotalCancelable: number;
  /** In the failed queue, not yet marked failed by the leader. */
  TotalFailedQueue: number;
  /** Enqueues refused because the broker was at maxEvals. */
  DroppedEvals: number;
  ByScheduler: Record<string, { Ready: number; Unacked: number }>;
}

interface Unacked {
  eval: Evaluation;
  token: string;
  timer: TimerHandle | null;
}

interface Waiter {
  types: readonly string[];
  resolve(d: Dequeued | null): void;
  timer: TimerHandle | null;
  onAbort: (() => void) | null;
  signal: AbortSignal | undefined;
}

const jobKey = (e: Evaluation): string => `${e.Namespace}\u0000${e.JobID}`;

// Ready: highest priority first, then oldest (lowest CreateIndex) first.
const readyLess = (a: Evaluation, b: Evaluation): boolean =>
  a.Priority !== b.Priority ? a.Priority > b.Priority : a.CreateIndex < b.CreateIndex;
// Pending behind a job's outstanding eval: highest priority, then the newest, which is kept.
const pendingLess = (a: Evaluation, b: Evaluation): boolean => {
  if (a.Priority !== b.Priority) return a.Priority > b.Priority;
  if (a.ModifyIndex !== b.ModifyIndex) return a.ModifyIndex > b.ModifyIndex;
  // Written in the same Raft entry: the later-stamped one is the newer decision.
  return a.ModifyTime > b.ModifyTime;
};

/**
 * Nomad's eval broker, on an injected clock: per-scheduler-type ready heaps, at most one
 * ready-or-unacked eval per job (the rest wait in a per-job pending heap; superseded ones
 * become cancelable), at-least-once delivery with tokens, nack timeouts, redelivery delays,
 * a delivery limit feeding the `_failed` queue, and delayed evals (`Wait`, `WaitUntil`).
 * Enabled only on the leader; disabling forgets everything (the state store is the truth).
 */
export class EvalBroker {
  private readonly opts: EvalBrokerOptions;
  private readonly logger: Logger;
  private enabled = false;
  /** Every tracked eval ID -> how many times it was dequeued. */
  private evals = new Map<string, number>();
  /** The eval of each job that is ready, unacked or waiting for redelivery. */
  private jobEvals = new Map<string, string>();
  private pending = new Map<string, Heap<Evaluation>>();
  private ready = new Map<string, Heap<Evaluation>>();
  private unack = new Map<string, Unacked>();
  /** Evals re-announced while outstanding: enqueued again after the ack (keyed by token). */
  private requeue = new Map<string, Evaluation>();
  /** Evals waiting on a timer (nack delay or `Wait`), by ID. */
  private timeWait = new Map<string, { eval: Evaluation; timer: TimerHandle }>();
  private delayHeap = new Heap<Evaluation>((a, b) => a.WaitUntil < b.WaitUntil);
  private delayTimer: TimerHandle | null = null;
  private delayTimerAtNs = 0;
  private cancelable: Evaluation[] = [];
  private waiters: Waiter[] = [];
  private dropped = 0;
  /** Called when evals become cancelable, so the leader can reap them without waiting a period. */
  onCancelable: (() => void) | null = null;

  constructor(opts: EvalBrokerOptions) {
    this.opts = opts;
    this.logger = opts.logger ?? silentLogger;
  }

  isEnabled(): boolean {
    return this.enabled;
  }

  /** Enable on gaining leadership; disabling flushes every queue and wakes waiting dequeues with null. */
  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    if (!enabled) this.flush();
  }

  /**
   * Tracks a pending eval. An eval already tracked is ignored, except one that is outstanding
   * (dequeued, unacked): its new version is enqueued again once the current delivery is acked,
   * so a re-announcement (e.g. an unblock) during processing is not lost.
   */
  enqueue(evaluation: Evaluation): void {
    if (!this.enabled) return;
    if (this.evals.has(evaluation.ID)) {
      const u = this.unack.get(evaluation.ID);
      if (u !== undefined) this.requeue.set(u.token, evaluation);
      return;
    }
    if (this.evals.size >= this.opts.maxEvals) {
      this.dropped++;
      this.logger.warn("eval broker full, eval left pending in state", {
        eval_id: evaluation.ID,
        max_evals: this.opts.maxEvals,
      });
      return;
    }
    this.evals.set(evaluation.ID, 0);
    if (evaluation.Wait > 0) {
      this.waitThenEnqueue(evaluation, evaluation.Wait / 1_000_000);
      return;
    }
    if (evaluation.WaitUntil > 0 && evaluation.WaitUntil > this.opts.clock.nowNs()) {
      this.delayHeap.push(evaluation);
      this.armDelayTimer();
      return;
    }
    this.enqueueReady(evaluation, evaluation.Type);
  }

  enqueueAll(evals: Iterable<Evaluation>): void {
    for (const e of evals) this.enqueue(e);
  }

  /**
   * The highest-priority ready eval among `types` with a fresh delivery token; waits up to
   * `timeoutMs` for one (0 polls). Resolves null on timeout, abort, or when the broker is disabled.
   */
  dequeue(types: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<Dequeued | null> {
    if (!this.enabled) return Promise.reject(new BrokerError("DISABLED", "eval broker disabled"));
    const now = this.scan(types);
    if (now !== null) return Promise.resolve(now);
    if (signal?.aborted === true || timeoutMs <= 0) return Promise.resolve(null);
    return new Promise((resolve) => {
      const w: Waiter = { types, resolve, timer: null, onAbort: null, signal };
      const finish = (d: Dequeued | null): void => {
        this.removeWaiter(w);
        resolve(d);
      };
      w.resolve = finish;
      w.timer = this.opts.clock.setTimeout(() => finish(null), timeoutMs);
      if (signal !== undefined) {
        w.onAbort = () => finish(null);
        signal.addEventListener("abort", w.onAbort, { once: true });
      }
      this.waiters.push(w);
    });
  }

  /** The token of an outstanding eval, or undefined. */
  outstanding(evalID: string): string | undefined {
    return this.unack.get(evalID)?.token;
  }

  /** Restarts an outstanding eval's nack timer (a worker still busy with it). */
  outstandingReset(evalID: string, token: string): void {
    const u = this.checkOutstanding(evalID, token);
    this.armNackTimer(u);
  }

  /** Stops the nack timer while the worker waits on something outside its control (plan apply). */
  pauseNackTimeout(evalID: string, token: string): void {
    const u = this.checkOutstanding(evalID, token);
    if (u.timer !== null) this.opts.clock.clearTimeout(u.timer);
    u.timer = null;
  }

  resumeNackTimeout(evalID: string, token: string): void {
    const u = this.checkOutstanding(evalID, token);
    this.armNackTimer(u);
  }

  /** Completes a delivery: frees the job for its next pending eval (the rest become cancelable). */
  ack(evalID: string, token: string): void {
    const u = this.checkOutstanding(evalID, token);
    if (u.timer !== null) this.opts.clock.clearTimeout(u.timer);
    this.unack.delete(evalID);
    this.evals.delete(evalID);
    const key = jobKey(u.eval);
    if (this.jobEvals.get(key) === evalID) this.jobEvals.delete(key);
    const pending = this.pending.get(key);
    if (pending !== undefined) {
      this.pending.delete(key);
      const next = pending.pop();
      const superseded = pending.drain();
      if (superseded.length > 0) {
        for (const e of superseded) this.evals.delete(e.ID);
        this.cancelable.push(...superseded);
        this.onCancelable?.();
      }
      if (next !== undefined) this.enqueueReady(next, next.Type);
    }
    const again = this.requeue.get(token);
    if (again !== undefined) {
      this.requeue.delete(token);
      this.enqueue(again);
    }
  }

  /** Gives a delivery back: redelivered after a delay, or to the failed queue at the delivery limit. */
  nack(evalID: string, token: string): void {
    const u = this.checkOutstanding(evalID, token);
    if (u.timer !== null) this.opts.clock.clearTimeout(u.timer);
    this.unack.delete(evalID);
    this.requeue.delete(token);
    const deliveries = this.evals.get(evalID) ?? 0;
    if (deliveries >= this.opts.deliveryLimit) {
      this.enqueueReady(u.eval, FAILED_QUEUE);
      return;
    }
    const delayMs = deliveries <= 1 ? this.opts.initialNackDelayMs : this.opts.subsequentNackDelayMs;
    this.waitThenEnqueue(u.eval, delayMs);
  }

  /** Removes and returns up to `max` superseded evals for the leader to cancel through Raft. */
  takeCancelable(max: number): Evaluation[] {
    return this.cancelable.splice(0, max);
  }

  stats(): BrokerStats {
    const by: Record<string, { Ready: number; Unacked: number }> = {};
    const slot = (t: string) => (by[t] ??= { Ready: 0, Unacked: 0 });
    let ready = 0;
    let failed = 0;
    for (const [t, h] of this.ready) {
      if (t === FAILED_QUEUE) {
        failed += h.size;
        continue;
      }
      ready += h.size;
      if (h.size > 0) slot(t).Ready += h.size;
    }
    for (const u of this.unack.values()) slot(u.eval.Type).Unacked++;
    let pending = 0;
    for (const h of this.pending.values()) pending += h.size;
    return {
      TotalReady: ready,
      TotalUnacked: this.unack.size,
      TotalPending: pending,
      TotalWaiting: this.timeWait.size + this.delayHeap.size,
      TotalCancelable: this.cancelable.length,
      TotalFailedQueue: failed,
      DroppedEvals: this.dropped,
      ByScheduler: by,
    };
  }

  private checkOutstanding(evalID: string, token: string): Unacked {
    const u = this.unack.get(evalID);
    if (u === undefined) throw new BrokerError("NOT_OUTSTANDING", "evaluation is not outstanding");
    if (u.token !== token) throw new BrokerError("TOKEN_MISMATCH", "evaluation token does not match");
    return u;
  }

  private armNackTimer(u: Unacked): void {
    if (u.timer !== null) this.opts.clock.clearTimeout(u.timer);
    u.timer = this.opts.clock.setTimeout(() => {
      u.timer = null;
      if (this.unack.get(u.eval.ID) !== u) return;
      this.logger.warn("eval nack timeout reached", { eval_id: u.eval.ID });
      this.nack(u.eval.ID, u.token);
    }, this.opts.nackTimeoutMs);
  }

  private waitThenEnqueue(evaluation: Evaluation, delayMs: number): void {
    const timer = this.opts.clock.setTimeout(() => {
      if (this.timeWait.get(evaluation.ID)?.timer !== timer) return;
      this.timeWait.delete(evaluation.ID);
      this.enqueueReady(evaluation, evaluation.Type);
    }, delayMs);
    this.timeWait.set(evaluation.ID, { eval: evaluation, timer });
  }

  private armDelayTimer(): void {
    const head = this.delayHeap.peek();
    if (head === undefined) {
      if (this.delayTimer !== null) this.opts.clock.clearTimeout(this.delayTimer);
      this.delayTimer = null;
      return;
    }
    if (this.delayTimer !== null && this.delayTimerAtNs <= head.WaitUntil) return;
    if (this.delayTimer !== null) this.opts.clock.clearTimeout(this.delayTimer);
    const delayMs = Math.max(0, Math.ceil((head.WaitUntil - this.opts.clock.nowNs()) / 1_000_000));
    this.delayTimerAtNs = head.WaitUntil;
    this.delayTimer = this.opts.clock.setTimeout(() => {
      this.delayTimer = null;
      const now = this.opts.clock.nowNs();
      for (let e = this.delayHeap.peek(); e !== undefined && e.WaitUntil <= now; e = this.delayHeap.peek()) {
        this.delayHeap.pop();
        this.enqueueReady(e, e.Type);
      }
      this.armDelayTimer();
    }, delayMs);
  }

  /** Makes an eval ready under `queue`, unless another eval of its job is already in flight. */
  private enqueueReady(evaluation: Evaluation, queue: string): void {
    if (!this.enabled) return;
    const key = jobKey(evaluation);
    const holder = this.jobEvals.get(key);
    if (holder === undefined) {
      this.jobEvals.set(key, evaluation.ID);
    } else if (holder !== evaluation.ID) {
      let p = this.pending.get(key);
      if (p === undefined) {
        p = new Heap(pendingLess);
        this.pending.set(key, p);
      }
      p.push(evaluation);
      return;
    }
    let h = this.ready.get(queue);
    if (h === undefined) {
      h = new Heap(readyLess);
      this.ready.set(queue, h);
    }
    h.push(evaluation);
    this.serveWaiters();
  }

  private serveWaiters(): void {
    for (const w of [...this.waiters]) {
      const d = this.scan(w.types);
      if (d === null) continue;
      w.resolve(d);
    }
  }

  /** Picks the highest-priority head among `types` (ties broken at random) and hands it out. */
  private scan(types: readonly string[]): Dequeued | null {
    let best: string[] = [];
    let bestPriority = -Infinity;
    for (const t of types) {
      const head = this.ready.get(t)?.peek();
      if (head === undefined) continue;
      if (head.Priority > bestPriority) {
        bestPriority = head.Priority;
        best = [t];
      } else if (head.Priority === bestPriority) {
        best.push(t);
      }
    }
    if (best.length === 0) return null;
    const type = best.length === 1 ? best[0]! : best[Math.floor(this.opts.random() * best.length)]!;
    const evaluation = this.ready.get(type)!.pop()!;
    const token = this.opts.newID();
    const u: Unacked = { eval: evaluation, token, timer: null };
    this.unack.set(evaluation.ID, u);
    this.evals.set(evaluation.ID, (this.evals.get(evaluation.ID) ?? 0) + 1);
    this.armNackTimer(u);
    return { eval: evaluation, token };
  }

  private removeWaiter(w: Waiter): void {
    const i = this.waiters.indexOf(w);
    if (i >= 0) this.waiters.splice(i, 1);
    if (w.timer !== null) this.opts.clock.clearTimeout(w.timer);
    w.timer = null;
    if (w.onAbort !== null) w.signal?.removeEventListener("abort", w.onAbort);
    w.onAbort = null;
  }

  private flush(): void {
    const clock = this.opts.clock;
    for (const u of this.unack.values()) if (u.timer !== null) clock.clearTimeout(u.timer);
    for (const w of this.timeWait.values()) clock.clearTimeout(w.timer);
    if (this.delayTimer !== null) clock.clearTimeout(this.delayTimer);
    this.delayTimer = null;
    this.evals = new Map();
    this.jobEvals = new Map();
    this.pending = new Map();
    this.ready = new Map();
    this.unack = new Map();
    this.requeue = new Map();
    this.timeWait = new Map();
    this.delayHeap = new Heap<Evaluation>((a, b) => a.WaitUntil < b.WaitUntil);
    this.cancelable = [];
    for (const w of [...this.waiters]) w.resolve(null);
  }
}
