import type { Plan, PlanResult } from "@nomad/structs";
import { Heap } from "./heap.js";

export class PlanQueueError extends Error {
  constructor(
    readonly code: "DISABLED" | "FULL",
    message: string,
  ) {
    super(message);
    this.name = "PlanQueueError";
  }
}

/** A plan waiting for the applier, with the way to answer its submitter. */
export interface PendingPlan {
  readonly plan: Plan;
  readonly enqueuedAtMs: number;
  respond(result: PlanResult): void;
  fail(error: Error): void;
}

interface Entry {
  pending: PendingPlan;
  seq: number;
}

/**
 * Nomad's plan queue: submitted plans in priority order (FIFO within a priority), drained by
 * the single plan applier. Bounded; enabled only on the leader (disabling fails every waiter).
 */
export class PlanQueue {
  private enabled = false;
  private seq = 0;
  private heap = new Heap<Entry>((a, b) =>
    a.pending.plan.Priority !== b.pending.plan.Priority
      ? a.pending.plan.Priority > b.pending.plan.Priority
      : a.seq < b.seq,
  );
  private waiter: ((p: PendingPlan | null) => void) | null = null;

  constructor(
    private readonly maxSize: number,
    private readonly nowMs: () => number = () => 0,
  ) {}

  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    if (enabled) return;
    for (const e of this.heap.drain())
      e.pending.fail(new PlanQueueError("DISABLED", "plan queue is disabled"));
    const w = this.waiter;
    this.waiter = null;
    w?.(null);
  }

  isEnabled(): boolean {
    return this.enabled;
  }

  size(): number {
    return this.heap.size;
  }

  /** Queues a plan; resolves with the applier's result. */
  enqueue(plan: Plan): Promise<PlanResult> {
    if (!this.enabled) return Promise.reject(new PlanQueueError("DISABLED", "plan queue is disabled"));
    if (this.heap.size >= this.maxSize)
      return Promise.reject(new PlanQueueError("FULL", `plan queue is full (${this.maxSize} plans)`));
    return new Promise((resolve, reject) => {
      const pending: PendingPlan = { plan, enqueuedAtMs: this.nowMs(), respond: resolve, fail: reject };
      const w = this.waiter;
      if (w !== null) {
        this.waiter = null;
        w(pending);
        return;
      }
      this.heap.push({ pending, seq: this.seq++ });
    });
  }

  /** The next plan for the (single) applier; null once the queue is disabled. */
  dequeue(): Promise<PendingPlan | null> {
    if (!this.enabled) return Promise.resolve(null);
    const e = this.heap.pop();
    if (e !== undefined) return Promise.resolve(e.pending);
    if (this.waiter !== null)
      return Promise.reject(new Error("plan queue has one consumer: the plan applier"));
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }
}
