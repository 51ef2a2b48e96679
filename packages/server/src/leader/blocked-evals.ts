import type { Evaluation } from "@nomad/structs";
import type { Logger } from "../logger.js";
import { silentLogger } from "../logger.js";

export interface BlockedStats {
  TotalBlocked: number;
  TotalEscaped: number;
  /** System evals tracked by node. */
  TotalSystem: number;
  /** Superseded blocked evals waiting to be canceled. */
  TotalDuplicates: number;
}

export interface BlockedEvalsOptions {
  logger?: Logger;
  /**
   * Receives evals that capacity changes unblocked. The leader writes them back as `pending`
   * through Raft, which puts them into the broker on every server's view of the state.
   */
  onUnblock(evals: Evaluation[]): void;
  /** Called when a duplicate is recorded, so the leader can cancel it without waiting a period. */
  onDuplicate?: () => void;
}

const jobKey = (namespace: string, jobID: string): string => `${namespace}\u0000${jobID}`;

/** The later of CreateIndex and SnapshotIndex: how recent an eval's view of the cluster is. */
function latestIndex(e: Evaluation): number {
  return Math.max(e.CreateIndex, e.SnapshotIndex);
}

/**
 * Nomad's blocked-evals tracker. Evals that could not place everything wait here, one per job
 * (a newer one supersedes an older one, which is recorded as a duplicate to cancel), until
 * capacity appears: a node of a class they are eligible for (or never saw) becomes usable or
 * frees resources. Evals whose constraints escape computed classes unblock on any change.
 * System evals are also indexed by node. Enabled only on the leader.
 */
export class BlockedEvals {
  private readonly logger: Logger;
  private enabled = false;
  private captured = new Map<string, Evaluation>();
  private escaped = new Map<string, Evaluation>();
  private jobs = new Map<string, string>();
  private systemByNode = new Map<string, Set<string>>();
  /** Computed class -> Raft index of its last unblock; catches evals that were in a scheduler meanwhile. */
  private unblockIndexes = new Map<string, number>();
  private duplicates: Evaluation[] = [];

  constructor(private readonly opts: BlockedEvalsOptions) {
    this.logger = opts.logger ?? silentLogger;
  }

  isEnabled(): boolean {
    return this.enabled;
  }

  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    if (!enabled) this.flush();
  }

  has(evalID: string): boolean {
    return this.captured.has(evalID) || this.escaped.has(evalID);
  }

  /** The blocked eval tracked for a job, if any. */
  blockedFor(namespace: string, jobID: string): Evaluation | undefined {
    const id = this.jobs.get(jobKey(namespace, jobID));
    return id === undefined ? undefined : (this.captured.get(id) ?? this.escaped.get(id));
  }

  /** Tracks an eval with Status `blocked` (a re-announced one refreshes its entry). */
  block(evaluation: Evaluation): void {
    if (!this.enabled) return;
    const existing = this.captured.get(evaluation.ID) ?? this.escaped.get(evaluation.ID);
    if (existing !== undefined) this.remove(existing);
    else if (this.supersede(evaluation)) return;

    if (this.missedUnblock(evaluation)) {
      this.opts.onUnblock([evaluation]);
      return;
    }
    this.jobs.set(jobKey(evaluation.Namespace, evaluation.JobID), evaluation.ID);
    if (evaluation.EscapedComputedClass) {
      this.escaped.set(evaluation.ID, evaluation);
      return;
    }
    if ((evaluation.Type === "system" || evaluation.Type === "sysbatch") && evaluation.NodeID !== "") {
      let s = this.systemByNode.get(evaluation.NodeID);
      if (s === undefined) {
        s = new Set();
        this.systemByNode.set(evaluation.NodeID, s);
      }
      s.add(evaluation.ID);
    }
    this.captured.set(evaluation.ID, evaluation);
  }

  /**
   * Stops tracking a job's blocked eval (a later eval placed everything, or the job stopped).
   * Returns it so the caller can cancel it in state.
   */
  untrack(namespace: string, jobID: string): Evaluation | undefined {
    if (!this.enabled) return undefined;
    const id = this.jobs.get(jobKey(namespace, jobID));
    if (id === undefined) return undefined;
    const e = this.captured.get(id) ?? this.escaped.get(id);
    if (e !== undefined) this.remove(e);
    this.jobs.delete(jobKey(namespace, jobID));
    return e;
  }

  /** Capacity changed on nodes of `computedClass` at Raft `index`. */
  unblock(computedClass: string, index: number): void {
    if (!this.enabled) return;
    this.unblockIndexes.set(computedClass, index);
    const out: Evaluation[] = [...this.escaped.values()];
    for (const e of out) this.remove(e);
    for (const e of [...this.captured.values()]) {
      // Explicitly ineligible for this class: a change there cannot help.
      if (e.ClassEligibility[computedClass] === false) continue;
      this.remove(e);
      out.push(e);
    }
    if (out.length > 0) {
      this.logger.debug("unblocking evals", { computed_class: computedClass, count: out.length });
      this.opts.onUnblock(out);
    }
  }

  /** Capacity changed on one node: its node-specific (system) evals retry. */
  unblockNode(nodeID: string): void {
    if (!this.enabled) return;
    const ids = this.systemByNode.get(nodeID);
    if (ids === undefined) return;
    const out: Evaluation[] = [];
    for (const id of [...ids]) {
      const e = this.captured.get(id);
      if (e !== undefined) {
        this.remove(e);
        out.push(e);
      }
    }
    this.systemByNode.delete(nodeID);
    if (out.length > 0) this.opts.onUnblock(out);
  }

  /** Retries evals blocked because the scheduler ran out of plan attempts (not capacity). */
  unblockFailed(): void {
    if (!this.enabled) return;
    const out: Evaluation[] = [];
    for (const e of [...this.captured.values(), ...this.escaped.values()]) {
      if (e.TriggeredBy !== "max-plan-attempts") continue;
      this.remove(e);
      out.push(e);
    }
    if (out.length > 0) this.opts.onUnblock(out);
  }

  /** Removes and returns up to `max` superseded blocked evals for the leader to cancel. */
  takeDuplicates(max: number): Evaluation[] {
    return this.duplicates.splice(0, max);
  }

  stats(): BlockedStats {
    let system = 0;
    for (const s of this.systemByNode.values()) system += s.size;
    return {
      TotalBlocked: this.captured.size + this.escaped.size,
      TotalEscaped: this.escaped.size,
      TotalSystem: system,
      TotalDuplicates: this.duplicates.length,
    };
  }

  /** Keeps only the newest blocked eval of a job; returns true when `e` itself is the older one. */
  private supersede(e: Evaluation): boolean {
    const key = jobKey(e.Namespace, e.JobID);
    const id = this.jobs.get(key);
    if (id === undefined) return false;
    const existing = this.captured.get(id) ?? this.escaped.get(id);
    if (existing === undefined) {
      this.jobs.delete(key);
      return false;
    }
    if (latestIndex(existing) <= latestIndex(e)) {
      this.remove(existing);
      this.duplicates.push(existing);
      this.opts.onDuplicate?.();
      return false;
    }
    this.duplicates.push(e);
    this.opts.onDuplicate?.();
    return true;
  }

  /** Did a capacity change happen after the snapshot this eval was scheduled against? */
  private missedUnblock(e: Evaluation): boolean {
    let max = 0;
    // Evals written without a snapshot index saw the state as of their creation.
    const seen = e.SnapshotIndex > 0 ? e.SnapshotIndex : e.CreateIndex;
    for (const [cls, index] of this.unblockIndexes) {
      if (index > max) max = index;
      if (seen >= index) continue;
      const elig = e.ClassEligibility[cls];
      // Never saw the class (added later) or eligible for it: the change may help.
      if (elig === undefined || elig) return true;
    }
    return e.EscapedComputedClass && seen < max;
  }

  private remove(e: Evaluation): void {
    this.captured.delete(e.ID);
    this.escaped.delete(e.ID);
    const key = jobKey(e.Namespace, e.JobID);
    if (this.jobs.get(key) === e.ID) this.jobs.delete(key);
    if (e.NodeID !== "") {
      const s = this.systemByNode.get(e.NodeID);
      s?.delete(e.ID);
      if (s !== undefined && s.size === 0) this.systemByNode.delete(e.NodeID);
    }
  }

  private flush(): void {
    this.captured = new Map();
    this.escaped = new Map();
    this.jobs = new Map();
    this.systemByNode = new Map();
    this.unblockIndexes = new Map();
    this.duplicates = [];
  }
}
