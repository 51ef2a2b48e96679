// The simulated network: every message gets a delay drawn from the seed (an occasional long one
// reorders it behind later messages), may be lost or duplicated, and is dropped at delivery time
// if its link is cut then (a partition also eats messages already in flight). Links are directed,
// so a symmetric partition cuts both directions and a one-way cut only one.
import type { Message } from "../../core/messages.js";
import type { NodeId } from "../../core/types.js";
import type { Prng } from "../prng.js";

export interface NetworkQuality {
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  readonly lossRate: number;
  readonly duplicateRate: number;
  /** Probability that a message takes a long detour (and so is overtaken by later ones). */
  readonly reorderRate: number;
  readonly reorderDelayMs: number;
}

export const HEALTHY_NETWORK: NetworkQuality = {
  minDelayMs: 0.5,
  maxDelayMs: 3,
  lossRate: 0,
  duplicateRate: 0,
  reorderRate: 0,
  reorderDelayMs: 0,
};

export interface NetworkStats {
  sent: number;
  delivered: number;
  lost: number;
  duplicated: number;
  cut: number;
}

export class SimNetwork {
  quality: NetworkQuality = HEALTHY_NETWORK;
  readonly stats: NetworkStats = { sent: 0, delivered: 0, lost: 0, duplicated: 0, cut: 0 };
  private readonly cuts = new Set<string>();

  constructor(
    private readonly rng: Prng,
    private readonly schedule: (delayMs: number, deliver: () => void) => void,
    private readonly deliver: (message: Message) => void,
  ) {}

  send(message: Message): void {
    this.stats.sent++;
    const q = this.quality;
    if (this.rng.chance(q.lossRate)) {
      this.stats.lost++;
      return;
    }
    const copies = this.rng.chance(q.duplicateRate) ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    for (let i = 0; i < copies; i++) {
      let delay = this.rng.between(q.minDelayMs, q.maxDelayMs);
      if (this.rng.chance(q.reorderRate)) delay += this.rng.between(0, q.reorderDelayMs);
      this.schedule(delay, () => {
        if (this.isCut(message.from, message.to)) {
          this.stats.cut++;
          return;
        }
        this.stats.delivered++;
        this.deliver(message);
      });
    }
  }

  isCut(from: NodeId, to: NodeId): boolean {
    return this.cuts.size > 0 && this.cuts.has(from + ">" + to);
  }

  cutOneWay(from: NodeId, to: NodeId): void {
    this.cuts.add(from + ">" + to);
  }

  /** Symmetric partition: no message crosses between the two sides. */
  partition(sideA: readonly NodeId[], sideB: readonly NodeId[]): void {
    for (const a of sideA) {
      for (const b of sideB) {
        this.cuts.add(a + ">" + b);
        this.cuts.add(b + ">" + a);
      }
    }
  }

  isolate(node: NodeId, all: readonly NodeId[]): void {
    this.partition(
      [node],
      all.filter((n) => n !== node),
    );
  }

  heal(): void {
    this.cuts.clear();
  }

  describeCuts(): string {
    return this.cuts.size === 0 ? "none" : [...this.cuts].sort().join(" ");
  }
}
