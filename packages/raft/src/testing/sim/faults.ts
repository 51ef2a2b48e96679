// The nemesis: during the safety phase it injects one fault after another, all drawn from the
// seed. Each seed also draws its own fault profile (how lossy the network is, how often nodes
// crash, which kinds of partition), so some seeds are gentle and others brutal.
import type { NodeId } from "../../core/types.js";
import type { Prng } from "../prng.js";
import type { NetworkQuality, SimNetwork } from "./network.js";

export interface FaultProfile {
  readonly network: NetworkQuality;
  readonly faultGapMinMs: number;
  readonly faultGapMaxMs: number;
  /** Relative weights of the nemesis actions. */
  readonly weights: Readonly<Record<FaultKind, number>>;
  /** At most this many nodes are down at once. */
  readonly maxDown: number;
  readonly downMinMs: number;
  readonly downMaxMs: number;
}

export type FaultKind =
  | "partition"
  | "oneWay"
  | "isolateLeader"
  | "crash"
  | "crashLeader"
  | "powerLoss"
  | "crashMidWrite"
  | "pause"
  | "heal"
  | "weather";

export function drawFaultProfile(rng: Prng, nodes: number): FaultProfile {
  const minDelayMs = rng.between(0.2, 2);
  return {
    network: {
      minDelayMs,
      maxDelayMs: minDelayMs + rng.between(0.5, 12),
      lossRate: rng.pick([0, 0.01, 0.05, 0.1, 0.2]),
      duplicateRate: rng.pick([0, 0.01, 0.05, 0.1]),
      reorderRate: rng.pick([0, 0.02, 0.1, 0.3]),
      reorderDelayMs: rng.between(5, 120),
    },
    faultGapMinMs: rng.between(20, 150),
    faultGapMaxMs: rng.between(150, 700),
    weights: {
      partition: rng.int(4),
      oneWay: rng.int(4),
      isolateLeader: rng.int(4),
      crash: rng.int(4),
      crashLeader: rng.int(3),
      powerLoss: rng.int(2),
      crashMidWrite: rng.int(4),
      pause: rng.int(3),
      heal: 1 + rng.int(4),
      weather: rng.int(3),
    },
    maxDown: rng.range(1, nodes - 1),
    // Some seeds reboot within a millisecond: a node that forgot an unsynced vote or ack is back
    // while the election or the commit that depended on it is still going on.
    downMinMs: rng.pick([0.1, 1, 20]),
    downMaxMs: rng.pick([5, 100, 800]),
  };
}

export interface NemesisHost {
  now(): number;
  schedule(delayMs: number, run: () => void): void;
  nodeIds(): readonly NodeId[];
  isUp(id: NodeId): boolean;
  /** True while the node has written data that is not yet synced (its most fragile moment). */
  hasUnsynced(id: NodeId): boolean;
  leader(): NodeId | undefined;
  crash(id: NodeId): void;
  restart(id: NodeId): void;
  pause(id: NodeId): void;
  resume(id: NodeId): void;
  /** Crash `id` the next time it writes a vote or entries, before the fsync completes. */
  armCrashOnWrite(id: NodeId, downMs: number): void;
  log(line: string): void;
}

export class Nemesis {
  private active = false;
  actions = 0;

  constructor(
    private readonly host: NemesisHost,
    private readonly network: SimNetwork,
    private readonly rng: Prng,
    private readonly profile: FaultProfile,
  ) {}

  start(): void {
    this.active = true;
    this.network.quality = this.profile.network;
    this.scheduleNext();
  }

  /** Ends the safety phase: network healed and clean, every node restarted. */
  stopAndHeal(healthy: NetworkQuality): void {
    this.active = false;
    this.network.heal();
    this.network.quality = healthy;
    for (const id of this.host.nodeIds()) {
      this.host.resume(id);
      if (!this.host.isUp(id)) this.host.restart(id);
    }
    this.host.log("nemesis: stopped, all faults healed");
  }

  private scheduleNext(): void {
    const gap = this.rng.between(this.profile.faultGapMinMs, this.profile.faultGapMaxMs);
    this.host.schedule(gap, () => {
      if (!this.active) return;
      this.act();
      this.scheduleNext();
    });
  }

  crashFor(victim: NodeId, downMs: number): void {
    this.host.crash(victim);
    this.host.schedule(downMs, () => {
      if (!this.host.isUp(victim)) this.host.restart(victim);
    });
  }

  private pickKind(): FaultKind {
    const entries = Object.entries(this.profile.weights) as [FaultKind, number][];
    const total = entries.reduce((s, [, w]) => s + w, 0);
    let roll = this.rng.float() * total;
    for (const [kind, w] of entries) {
      if (roll < w) return kind;
      roll -= w;
    }
    return "heal";
  }

  private act(): void {
    this.actions++;
    const ids = this.host.nodeIds();
    const kind = this.pickKind();
    switch (kind) {
      case "partition": {
        const shuffled = this.rng.shuffle(ids);
        const cut = this.rng.range(1, ids.length - 1);
        this.network.partition(shuffled.slice(0, cut), shuffled.slice(cut));
        this.host.log(
          `nemesis: partition ${shuffled.slice(0, cut).join(",")} | ${shuffled.slice(cut).join(",")}`,
        );
        return;
      }
      case "oneWay": {
        const from = this.rng.pick(ids);
        const to = this.rng.pick(ids.filter((i) => i !== from));
        this.network.cutOneWay(from, to);
        this.host.log(`nemesis: one-way cut ${from} -> ${to}`);
        return;
      }
      case "isolateLeader": {
        const leader = this.host.leader();
        if (leader === undefined) return;
        this.network.isolate(leader, ids);
        this.host.log(`nemesis: isolate leader ${leader}`);
        return;
      }
      case "crash":
      case "crashLeader": {
        const down = ids.filter((i) => !this.host.isUp(i)).length;
        if (down >= this.profile.maxDown) return;
        const up = ids.filter((i) => this.host.isUp(i));
        // Mostly, hit a node in the middle of a write: that is where durability bugs hide.
        const fragile = up.filter((i) => this.host.hasUnsynced(i));
        const victim =
          kind === "crashLeader"
            ? this.host.leader()
            : fragile.length > 0 && this.rng.chance(0.8)
              ? this.rng.pick(fragile)
              : up.length > 0
                ? this.rng.pick(up)
                : undefined;
        if (victim === undefined || !this.host.isUp(victim)) return;
        this.crashFor(victim, this.rng.between(this.profile.downMinMs, this.profile.downMaxMs));
        return;
      }
      case "pause": {
        // Prefer the leader: a stopped leader that wakes up is the classic stale-read hazard.
        const victim = this.rng.chance(0.6) ? (this.host.leader() ?? this.rng.pick(ids)) : this.rng.pick(ids);
        if (!this.host.isUp(victim)) return;
        this.host.pause(victim);
        this.host.schedule(this.rng.between(5, 600), () => this.host.resume(victim));
        return;
      }
      case "crashMidWrite": {
        const victim = this.rng.pick(ids);
        this.host.armCrashOnWrite(victim, this.rng.between(this.profile.downMinMs, this.profile.downMaxMs));
        return;
      }
      case "powerLoss": {
        // Several nodes lose power at once (a rack, a data centre): unsynced writes vanish together.
        const up = ids.filter((i) => this.host.isUp(i));
        if (up.length < 2) return;
        const victims = this.rng.shuffle(up).slice(0, this.rng.range(2, up.length));
        this.host.log(`nemesis: power loss on ${victims.join(",")}`);
        for (const v of victims)
          this.crashFor(v, this.rng.between(this.profile.downMinMs, this.profile.downMaxMs));
        return;
      }
      case "heal":
        this.network.heal();
        this.host.log("nemesis: heal network");
        return;
      case "weather": {
        // Swing between a clean network and this seed's bad one.
        const clean = this.rng.chance(0.5);
        this.network.quality = clean
          ? { ...this.profile.network, lossRate: 0, duplicateRate: 0, reorderRate: 0 }
          : this.profile.network;
        this.host.log(`nemesis: network ${clean ? "clean" : "degraded"}`);
        return;
      }
    }
  }
}
