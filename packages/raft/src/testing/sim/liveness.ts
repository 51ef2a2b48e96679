// The liveness phase's yardstick: once every fault is healed, some node must become leader, a
// proposal made through it must commit, and every member of the configuration must apply it.
// The probe polls; the simulator enforces the time bound.
import type { LogEntry } from "../../core/types.js";
import { encodeCommand } from "./kv-fsm.js";
import type { SimNode } from "./sim-node.js";

const POLL_MS = 10;
/** A key no client uses, so the probe's writes stay out of the checked history. */
export const PROBE_KEY = "__liveness";

export class LivenessProbe {
  doneAt: number | undefined;
  private startedAt = 0;
  private pending: { node: string; index: number; term: number } | undefined;
  private committed: { index: number } | undefined;
  private attempts = 0;

  constructor(
    private readonly now: () => number,
    private readonly nodes: () => readonly SimNode[],
    private readonly log: (line: string) => void,
    /** Called with the leader before probing; the probe waits until it returns true. */
    private readonly prepare: (leader: SimNode) => boolean,
  ) {}

  start(schedule: (delayMs: number, run: () => void) => void): void {
    this.startedAt = this.now();
    const loop = (): void => {
      if (this.doneAt !== undefined) return;
      this.poll();
      schedule(POLL_MS, loop);
    };
    schedule(0, loop);
  }

  private poll(): void {
    if (this.committed !== undefined) {
      if (this.everyMemberApplied(this.committed.index)) {
        this.doneAt = this.now();
        this.log(
          `liveness: probe applied everywhere ${Math.round(this.now() - this.startedAt)}ms after healing`,
        );
      }
      return;
    }
    const leader = this.leader();
    if (leader === undefined || !this.prepare(leader)) return;
    const status = leader.status();
    if (status === undefined) return;
    const p = this.pending;
    if (p !== undefined && p.node === leader.id && p.term === status.term) return;
    const core = leader.core;
    if (core === undefined) return;
    const result = core.propose(encodeCommand({ op: "put", key: PROBE_KEY, value: `p${++this.attempts}` }));
    if (result.ok) this.pending = { node: leader.id, index: result.index, term: result.term };
    leader.afterEvent();
  }

  applied(node: SimNode, entry: LogEntry): void {
    const p = this.pending;
    if (p === undefined || this.committed !== undefined || node.id !== p.node || entry.index !== p.index)
      return;
    if (entry.term === p.term) this.committed = { index: p.index };
    else this.pending = undefined;
  }

  private leader(): SimNode | undefined {
    let best: SimNode | undefined;
    let bestTerm = -1;
    for (const node of this.nodes()) {
      const s = node.status();
      if (s?.role === "leader" && s.term > bestTerm) {
        best = node;
        bestTerm = s.term;
      }
    }
    return best;
  }

  private everyMemberApplied(index: number): boolean {
    const nodes = this.nodes();
    const leader = this.leader();
    const members = leader?.status()?.configuration.servers.map((s) => s.id);
    for (const node of nodes) {
      if (members !== undefined && !members.includes(node.id)) continue;
      if (node.appliedIndex < index) return false;
    }
    return true;
  }

  describe(): string {
    const parts = this.nodes().map((n) => {
      const s = n.status();
      return s === undefined
        ? `${n.id}: down`
        : `${n.id}: ${s.role} term ${s.term} leader ${s.leader ?? "-"} commit ${s.commitIndex} applied ${n.appliedIndex} last ${s.lastLogIndex}`;
    });
    const stage =
      this.committed !== undefined
        ? `probe committed at ${this.committed.index}, not applied everywhere`
        : this.pending !== undefined
          ? `probe proposed at ${this.pending.index} (term ${this.pending.term}) by ${this.pending.node}, not committed`
          : "no leader accepted the probe";
    return `${stage}; ${parts.join("; ")}`;
  }
}
