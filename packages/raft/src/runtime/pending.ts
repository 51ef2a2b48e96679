// A call waiting on the Ready loop (apply, barrier, membership change, read, transfer): settled
// exactly once, by its outcome, its deadline (TIMEOUT) or shutdown (SHUTDOWN).
import type { Deadline } from "./deadline-queue.js";
import { RaftError } from "./errors.js";

export type PendingKind = "apply" | "barrier" | "membership" | "read" | "verify" | "transfer";

export class Pending<T> implements Deadline {
  done = false;
  /** Term of the proposed entry (index-keyed calls): a different term at that index means it was lost. */
  term = 0;
  /** ReadIndex answer, once confirmed by the leader. */
  readIndex = 0;
  readonly promise: Promise<T>;
  private resolveFn!: (value: T) => void;
  private rejectFn!: (error: Error) => void;

  constructor(
    readonly kind: PendingKind,
    readonly deadline: number,
  ) {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolveFn = resolve;
      this.rejectFn = reject;
    });
  }

  succeed(value: T): void {
    if (this.done) return;
    this.done = true;
    this.resolveFn(value);
  }

  fail(error: Error): void {
    if (this.done) return;
    this.done = true;
    this.rejectFn(error);
  }

  expire(): void {
    // DeadlineQueue sets `done` before calling; reject directly.
    this.rejectFn(new RaftError("TIMEOUT", `${this.kind} timed out`));
  }
}
