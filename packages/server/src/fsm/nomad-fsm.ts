// The replicated state machine of the Nomad server over @nomad/raft. apply() decodes the
// entry, writes the state store in one transaction at the entry's index, then tells the
// leader's subsystems what changed. It never throws: a command that cannot be decoded or is
// refused by the state store yields `{ index, error }` and leaves the state as it was, the
// same way on every server (the refusal is a function of the log alone).
import type { FSM, FSMSnapshot, LogEntry, SnapshotSink } from "@nomad/raft";
import { StateStore, type StateSnapshot, type StateTxn } from "../state/index.js";
import { applyCommand } from "./apply-command.js";
import { decodeCommand } from "./commands.js";
import { FsmEvents } from "./events.js";

export interface FsmResult {
  /** The Raft index of the entry. */
  index: number;
  /** Why the command was refused; absent when it was applied. */
  error?: string;
}

export interface NomadFsmStats {
  applied: number;
  rejected: number;
  lastAppliedIndex: number;
}

export class NomadFsm implements FSM<FsmResult> {
  readonly events = new FsmEvents();
  private readonly stats_: NomadFsmStats = { applied: 0, rejected: 0, lastAppliedIndex: 0 };

  constructor(readonly state: StateStore = new StateStore()) {}

  stats(): Readonly<NomadFsmStats> {
    return { ...this.stats_ };
  }

  apply(entry: LogEntry): FsmResult {
    const index = entry.index;
    this.stats_.lastAppliedIndex = index;
    if (entry.type !== "command") return { index };
    const decoded = decodeCommand(entry.data);
    if (!decoded.ok) return this.reject(index, decoded.error);
    let txn: StateTxn;
    try {
      txn = this.state.write(index, (t) => applyCommand(t, decoded.command)).txn;
    } catch (err) {
      return this.reject(index, err instanceof Error ? err.message : String(err));
    }
    this.stats_.applied++;
    this.emitChanges(txn, index);
    return { index };
  }

  private reject(index: number, error: string): FsmResult {
    this.stats_.rejected++;
    return { index, error };
  }

  private emitChanges(txn: StateTxn, index: number): void {
    const c = txn.changes;
    for (const job of c.jobs.values()) this.events.emit({ type: "job", job, index });
    for (const { node, previous } of c.nodes.values())
      this.events.emit(
        previous === undefined ? { type: "node", node, index } : { type: "node", node, previous, index },
      );
    if (c.allocs.size > 0) this.events.emit({ type: "allocs", allocs: [...c.allocs.values()], index });
    if (c.evals.size > 0) this.events.emit({ type: "evals", evals: [...c.evals.values()], index });
  }

  /** Captures the state now (O(1)); serialisation happens in persist, off the apply path. */
  snapshot(): FSMSnapshot {
    const snap: StateSnapshot = this.state.snapshot();
    return {
      persist: async (sink: SnapshotSink): Promise<void> => {
        sink.write(StateStore.serializeSnapshot(snap));
        await sink.close();
      },
    };
  }

  /** Replaces the whole state; throws on bytes that are not a state snapshot (Raft checksums them first). */
  restore(data: Uint8Array): void {
    this.state.restoreFrom(data);
    this.stats_.lastAppliedIndex = this.state.latestIndex();
    this.events.emit({ type: "restored", index: this.state.latestIndex() });
  }
}
