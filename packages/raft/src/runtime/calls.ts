// The calls a RaftNode has in flight, by what will settle them: an applied log index (apply,
// barrier, membership), a ReadIndex answer then an applied index (reads), a leader change
// (transfer), or a retry once the core has room again (parked proposals). Every call also has a
// deadline (TIMEOUT) and is rejected at shutdown.
import type { ProposeResult } from "../core/api.js";
import type { NodeId } from "../core/types.js";
import { DeadlineQueue } from "./deadline-queue.js";
import type { RaftError } from "./errors.js";
import { Pending, type PendingKind } from "./pending.js";

interface Parked {
  readonly pending: Pending<unknown>;
  readonly attempt: () => ProposeResult;
}

export class Calls {
  private readonly byIndex = new Map<number, Pending<unknown>>();
  private readonly reads = new Map<number, Pending<void>>();
  private readWaiters: Pending<void>[] = [];
  private parked: Parked[] = [];
  private transfer: { target: NodeId; pending: Pending<void> } | undefined;
  private readonly deadlines = new DeadlineQueue();
  private nextRequestId = 1;

  /** Calls not yet settled (bounded by maxPendingOps). */
  get size(): number {
    return this.deadlines.size;
  }

  get transferTarget(): NodeId | undefined {
    return this.transfer?.target;
  }

  track<T>(kind: PendingKind, timeoutMs: number, now: number): Pending<T> {
    const pending = new Pending<T>(kind, now + timeoutMs);
    this.deadlines.push(pending);
    return pending;
  }

  expire(now: number): void {
    this.deadlines.expire(now);
  }

  // ---------------------------------------------------------------- log-index calls

  /** The proposal was appended at `index` in `term`; it settles when that index is applied. */
  awaitIndex(index: number, term: number, pending: Pending<unknown>): void {
    pending.term = term;
    this.byIndex.set(index, pending);
  }

  /** An entry was applied: its caller learns the FSM's result, or that another leader's entry won. */
  applied(index: number, term: number, result: unknown, lost: () => RaftError): void {
    if (this.byIndex.size === 0) return;
    const p = this.byIndex.get(index);
    if (p === undefined) return;
    this.byIndex.delete(index);
    if (p.term === term) p.succeed(result);
    else p.fail(lost());
  }

  /** A snapshot replaced the FSM up to `index`: callers waiting on those entries cannot get a result. */
  failIndexesUpTo(index: number, error: RaftError): void {
    for (const [i, p] of this.byIndex) {
      if (i <= index) {
        this.byIndex.delete(i);
        p.fail(error);
      }
    }
  }

  park(pending: Pending<unknown>, attempt: () => ProposeResult): void {
    this.parked.push({ pending, attempt });
  }

  /** Retries parked proposals in order; `tryPropose` returns false while the core is still busy. */
  retryParked(tryPropose: (pending: Pending<unknown>, attempt: () => ProposeResult) => boolean): void {
    while (this.parked.length > 0) {
      const head = this.parked[0]!;
      if (!head.pending.done && !tryPropose(head.pending, head.attempt)) return;
      this.parked.shift();
    }
  }

  // ---------------------------------------------------------------- reads

  startRead(pending: Pending<void>): number {
    const requestId = this.nextRequestId++;
    this.reads.set(requestId, pending);
    return requestId;
  }

  /** The leader confirmed read `requestId` at `index`: a read is served once applied >= index. */
  readConfirmed(requestId: number, index: number, applied: number): void {
    const p = this.reads.get(requestId);
    if (p === undefined) return;
    this.reads.delete(requestId);
    if (p.kind === "verify" || applied >= index) {
      p.succeed();
      return;
    }
    p.readIndex = index;
    this.readWaiters.push(p);
  }

  readFailed(requestId: number, error: RaftError): void {
    const p = this.reads.get(requestId);
    if (p === undefined) return;
    this.reads.delete(requestId);
    p.fail(error);
  }

  appliedTo(applied: number): void {
    if (this.readWaiters.length === 0) return;
    const still: Pending<void>[] = [];
    for (const p of this.readWaiters) {
      if (p.done) continue;
      if (applied >= p.readIndex) p.succeed();
      else still.push(p);
    }
    this.readWaiters = still;
  }

  // ---------------------------------------------------------------- transfer

  startTransfer(target: NodeId, pending: Pending<void>): void {
    this.transfer = { target, pending };
    const clear = () => {
      if (this.transfer?.pending === pending) this.transfer = undefined;
    };
    void pending.promise.then(clear, clear);
  }

  leaderChanged(leader: NodeId | undefined): void {
    if (this.transfer !== undefined && leader === this.transfer.target) this.transfer.pending.succeed();
  }

  transferFailed(target: NodeId, error: RaftError): void {
    if (this.transfer !== undefined && this.transfer.target === target) this.transfer.pending.fail(error);
  }

  // ---------------------------------------------------------------- ending

  /**
   * This node stopped leading (hashicorp/raft's ErrLeadershipLost): it cannot tell the outcome of
   * its proposals and unconfirmed reads. Reads already confirmed are still served once applied.
   * A transfer is not failed: stepping down is how it begins.
   */
  leadershipLost(error: RaftError): void {
    for (const p of this.byIndex.values()) p.fail(error);
    this.byIndex.clear();
    for (const { pending } of this.parked) pending.fail(error);
    this.parked = [];
    for (const p of this.reads.values()) p.fail(error);
    this.reads.clear();
  }

  failAll(error: RaftError): void {
    for (const d of this.deadlines.drain()) (d as Pending<unknown>).fail(error);
    this.byIndex.clear();
    this.reads.clear();
    this.readWaiters = [];
    this.parked = [];
    this.transfer = undefined;
  }
}
