// The cluster-wide safety properties of Raft (Figure 3 of the paper), checked as the run goes:
//   election safety     at most one leader per term;
//   log matching        checked by DiskState on durable logs through the shared prefix registry;
//   leader completeness a leader's log holds every entry committed before it was elected;
//   state machine safety no two nodes apply different entries at one index;
//   commit monotonicity a node's commit index never goes back (a restart resets the baseline).
import type { LogEntry, NodeId, Role } from "../../core/types.js";
import type { DiskState, PrefixRegistry } from "./disk.js";
import { entryHash } from "./hash.js";
import { SimViolation } from "./violation.js";

interface CommittedEntry {
  readonly term: number;
  readonly hash: number;
  readonly firstAppliedBy: NodeId;
  /**
   * An upper bound on the term in which the entry was committed: the lowest current term of any
   * node when it applied the entry (a node learns of a commit in the committing leader's term or
   * later). Leader completeness binds leaders of terms above the commit term only.
   */
  commitTerm: number;
}

export interface ObservedStatus {
  readonly role: Role;
  readonly term: number;
  readonly commitIndex: number;
}

export class InvariantChecker {
  readonly prefixes: PrefixRegistry = new Map();
  private readonly leaderOfTerm = new Map<number, NodeId>();
  private readonly committed = new Map<number, CommittedEntry>();
  private maxCommitted = 0;
  private readonly lastCommit = new Map<NodeId, number>();
  private readonly lastLeaderTerm = new Map<NodeId, number>();
  leaderElections = 0;

  get highestCommitted(): number {
    return this.maxCommitted;
  }

  /**
   * Checks one node's status after a step. Returns true when the node has just become leader of
   * a term (the caller then checks its log once the core has handed out all its entries).
   */
  observe(node: NodeId, status: ObservedStatus): boolean {
    const previousCommit = this.lastCommit.get(node) ?? 0;
    if (status.commitIndex < previousCommit) {
      throw new SimViolation(
        "commit-monotonic",
        `${node}'s commit index went back from ${previousCommit} to ${status.commitIndex} without a restart`,
      );
    }
    this.lastCommit.set(node, status.commitIndex);
    if (status.role !== "leader") return false;
    const holder = this.leaderOfTerm.get(status.term);
    if (holder === undefined) {
      this.leaderOfTerm.set(status.term, node);
    } else if (holder !== node) {
      throw new SimViolation(
        "election-safety",
        `${holder} and ${node} are both leader of term ${status.term}`,
      );
    }
    if (this.lastLeaderTerm.get(node) === status.term) return false;
    this.lastLeaderTerm.set(node, status.term);
    this.leaderElections++;
    return true;
  }

  /** A restarted node recovers its commit index from durable state: that is its new baseline. */
  restarted(node: NodeId, commitIndex: number): void {
    this.lastCommit.set(node, commitIndex);
    this.lastLeaderTerm.delete(node);
  }

  /** State machine safety: every node applies the same entry at a given index. */
  applied(node: NodeId, entry: LogEntry, nodeTerm: number): void {
    const hash = entryHash(entry);
    const known = this.committed.get(entry.index);
    if (known === undefined) {
      this.committed.set(entry.index, { term: entry.term, hash, firstAppliedBy: node, commitTerm: nodeTerm });
      if (entry.index > this.maxCommitted) this.maxCommitted = entry.index;
      return;
    }
    if (known.term !== entry.term || known.hash !== hash) {
      throw new SimViolation(
        "state-machine-safety",
        `${node} applied entry ${entry.index} of term ${entry.term}, but ${known.firstAppliedBy} applied a ` +
          `different entry (term ${known.term}) at that index`,
      );
    }
    if (nodeTerm < known.commitTerm) known.commitTerm = nodeTerm;
  }

  /** A node restored its state machine from a snapshot: it must cover the committed entry at that index. */
  restoredSnapshot(node: NodeId, index: number, term: number): void {
    const known = this.committed.get(index);
    if (known !== undefined && known.term !== term) {
      throw new SimViolation(
        "state-machine-safety",
        `${node} restored a snapshot at ${index} of term ${term}, but the entry committed there has term ${known.term}`,
      );
    }
  }

  /**
   * Leader completeness (5.4.1): the log of the leader of `term` (all of it, handed out by the
   * core) holds every entry committed in an earlier term. (A leader of a lower term may still be
   * elected after a higher-term leader committed something: that binds only later terms.)
   */
  checkLeaderLog(node: NodeId, term: number, log: DiskState): void {
    for (let index = log.firstIndex; index <= this.maxCommitted; index++) {
      const want = this.committed.get(index);
      if (want === undefined || want.commitTerm >= term) continue;
      const have = log.entryAt(index);
      if (have === undefined) {
        throw new SimViolation(
          "leader-completeness",
          `${node} became leader of term ${term} without entry ${index}, committed by term ${want.commitTerm} ` +
            `(its log ends at ${log.lastIndex})`,
        );
      }
      if (have.term !== want.term || entryHash(have) !== want.hash) {
        throw new SimViolation(
          "leader-completeness",
          `${node} became leader of term ${term} with entry ${index} of term ${have.term}, ` +
            `but the entry committed there (by term ${want.commitTerm}) has term ${want.term}`,
        );
      }
    }
  }
}
