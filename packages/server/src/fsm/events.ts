// What the FSM tells the leader's subsystems after each applied entry (broker enqueue of
// pending evals, blocked-evals unblock on node/alloc changes, heartbeat timers on register).
import type { Allocation, Evaluation, Job, Node } from "@nomad/structs";

export type FsmEvent =
  | { type: "evals"; evals: Evaluation[]; index: number }
  | { type: "node"; node: Node; previous?: Node; index: number }
  | { type: "allocs"; allocs: Allocation[]; index: number }
  | { type: "job"; job: Job; index: number }
  | { type: "restored"; index: number };

export type FsmEventListener = (e: FsmEvent) => void;

/**
 * A plain synchronous subscriber list. Listeners run inside apply, in subscription order; a
 * listener that throws is isolated (counted, never breaks apply or the other listeners).
 */
export class FsmEvents {
  private readonly listeners = new Set<FsmEventListener>();
  private listenerErrors = 0;

  subscribe(listener: FsmEventListener): () => void {
    // Wrap so the same function subscribed twice gets two independent subscriptions.
    const entry: FsmEventListener = (e) => listener(e);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  emit(e: FsmEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        this.listenerErrors++;
      }
    }
  }

  /** Listener exceptions swallowed so far. */
  errors(): number {
    return this.listenerErrors;
  }

  size(): number {
    return this.listeners.size;
  }
}
