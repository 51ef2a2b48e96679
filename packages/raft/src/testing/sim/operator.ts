// The operator: what a human (or autopilot) does to a running cluster, drawn from the seed.
// Removes a server and adds it back (directly as a voter, or as a nonvoter promoted later),
// and transfers leadership. During the liveness phase it restores the full membership, so that
// the liveness bound applies to the cluster as it was configured at the start.
import type { MembershipChange } from "../../core/api.js";
import type { NodeId } from "../../core/types.js";
import type { Prng } from "../prng.js";
import type { SimNode } from "./sim-node.js";

export interface OperatorHost {
  schedule(delayMs: number, run: () => void): void;
  nodes(): readonly SimNode[];
  leader(): SimNode | undefined;
  log(line: string): void;
}

export interface OperatorTuning {
  readonly membership: boolean;
  readonly transfers: boolean;
  readonly gapMinMs: number;
  readonly gapMaxMs: number;
}

export class Operator {
  private active = false;
  changes = 0;
  transfers = 0;

  constructor(
    private readonly host: OperatorHost,
    private readonly rng: Prng,
    private readonly tuning: OperatorTuning,
  ) {}

  start(): void {
    if (!this.tuning.membership && !this.tuning.transfers) return;
    this.active = true;
    this.scheduleNext();
  }

  stop(): void {
    this.active = false;
  }

  private scheduleNext(): void {
    this.host.schedule(this.rng.between(this.tuning.gapMinMs, this.tuning.gapMaxMs), () => {
      if (!this.active) return;
      this.act();
      this.scheduleNext();
    });
  }

  private act(): void {
    const leader = this.host.leader();
    if (leader === undefined || leader.paused) return;
    const doTransfer = this.tuning.transfers && (!this.tuning.membership || this.rng.chance(0.4));
    if (doTransfer) this.transfer(leader);
    else this.changeMembership(leader);
  }

  private transfer(leader: SimNode): void {
    const core = leader.core;
    const status = core?.status();
    if (core === undefined || status === undefined) return;
    const voters = status.configuration.servers.filter((s) => s.suffrage === "voter" && s.id !== leader.id);
    if (voters.length === 0) return;
    const target = this.rng.pick(voters).id;
    const result = core.transferLeadership(target);
    this.host.log(
      `operator: transfer leadership ${leader.id} -> ${target}: ${result.ok ? "started" : result.code}`,
    );
    if (result.ok) this.transfers++;
    leader.afterEvent();
  }

  private changeMembership(leader: SimNode): void {
    const change = this.pickChange(leader);
    if (change !== undefined) this.propose(leader, change);
  }

  private pickChange(leader: SimNode): MembershipChange | undefined {
    const status = leader.status();
    if (status === undefined) return undefined;
    const servers = status.configuration.servers;
    const all = this.host.nodes().map((n) => n.id);
    const missing = all.filter((id) => !servers.some((s) => s.id === id));
    const nonvoters = servers.filter((s) => s.suffrage === "nonvoter").map((s) => s.id);
    const voters = servers.filter((s) => s.suffrage === "voter").map((s) => s.id);
    if (nonvoters.length > 0 && this.rng.chance(0.7)) {
      return { type: "addVoter", id: this.rng.pick(nonvoters), address: "" };
    }
    if (missing.length > 0 && this.rng.chance(0.7)) {
      const id = this.rng.pick(missing);
      return this.rng.chance(0.5)
        ? { type: "addVoter", id, address: id }
        : { type: "addNonvoter", id, address: id };
    }
    // Never below two voters: one voter is a legal but uninteresting cluster.
    if (voters.length <= 2) return undefined;
    // Removing the leader itself is allowed (it steps down once the change commits).
    const victim = this.rng.chance(0.2) ? leader.id : this.rng.pick(voters.filter((v) => v !== leader.id));
    return { type: "removeServer", id: victim };
  }

  private propose(leader: SimNode, change: MembershipChange): void {
    const core = leader.core;
    if (core === undefined) return;
    const withAddress: MembershipChange =
      change.type === "removeServer" ? change : { ...change, address: change.address || change.id };
    const result = core.proposeMembership(withAddress);
    this.host.log(
      `operator: ${change.type} ${change.id} via ${leader.id}: ${result.ok ? `index ${result.index}` : result.code}`,
    );
    if (result.ok) this.changes++;
    leader.afterEvent();
  }

  /**
   * Liveness phase: adds back every server missing from the leader's configuration, as a voter.
   * Returns true once the configuration is complete.
   */
  restoreMembership(leader: SimNode): boolean {
    if (!this.tuning.membership) return true;
    const status = leader.status();
    if (status === undefined) return false;
    const servers = status.configuration.servers;
    const incomplete: NodeId[] = this.host
      .nodes()
      .map((n) => n.id)
      .filter((id) => !servers.some((s) => s.id === id && s.suffrage === "voter"));
    const next = incomplete[0];
    if (next === undefined) return true;
    this.propose(leader, { type: "addVoter", id: next, address: next });
    return false;
  }
}
