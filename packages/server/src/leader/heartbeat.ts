import type { LeaderClock, TimerHandle } from "./clock.js";

export interface HeartbeatOptions {
  clock: LeaderClock;
  random(): number;
  minHeartbeatTtlMs: number;
  maxHeartbeatsPerSecond: number;
  heartbeatGraceMs: number;
  /** Bound on tracked nodes: a runaway registration storm cannot grow the map forever. */
  maxTimers?: number;
  onExpire(nodeID: string): void;
}

/**
 * Nomad's TTL for the next heartbeat: the base grows with the number of tracked nodes so the
 * cluster-wide rate stays near `maxHeartbeatsPerSecond`, never below the floor; a random
 * stagger up to one base spreads the clients out.
 */
export function heartbeatTtlMs(
  trackedNodes: number,
  opts: Pick<HeartbeatOptions, "minHeartbeatTtlMs" | "maxHeartbeatsPerSecond">,
  random: () => number,
): number {
  const base = Math.max(opts.minHeartbeatTtlMs, (trackedNodes / opts.maxHeartbeatsPerSecond) * 1000);
  return Math.round(base + random() * base);
}

/**
 * One timer per client node on the leader. A client that heartbeats resets its timer; a timer
 * that fires means the node missed its TTL (+ grace) and is handed to `onExpire`.
 */
export class HeartbeatTimers {
  private readonly timers = new Map<string, TimerHandle>();

  constructor(private readonly opts: HeartbeatOptions) {}

  /** Resets the node's timer with a fresh TTL; returns the TTL to give the client (ms). */
  reset(nodeID: string): number {
    // Nomad scales by the timers already tracked (len(heartbeatTimers)).
    const ttl = heartbeatTtlMs(this.timers.size, this.opts, this.opts.random);
    this.arm(nodeID, ttl + this.opts.heartbeatGraceMs);
    return ttl;
  }

  /** Arms the node's timer for exactly `ms` (the failover TTL after an election). */
  resetWithTimeout(nodeID: string, ms: number): void {
    this.arm(nodeID, ms);
  }

  clear(nodeID: string): void {
    const t = this.timers.get(nodeID);
    if (t === undefined) return;
    this.opts.clock.clearTimeout(t);
    this.timers.delete(nodeID);
  }

  clearAll(): void {
    for (const t of this.timers.values()) this.opts.clock.clearTimeout(t);
    this.timers.clear();
  }

  has(nodeID: string): boolean {
    return this.timers.has(nodeID);
  }

  count(): number {
    return this.timers.size;
  }

  private arm(nodeID: string, ms: number): void {
    const old = this.timers.get(nodeID);
    if (old !== undefined) this.opts.clock.clearTimeout(old);
    else if (this.timers.size >= (this.opts.maxTimers ?? 1_000_000)) {
      throw new Error(`heartbeat timers at their bound (${this.opts.maxTimers ?? 1_000_000} nodes)`);
    }
    const t = this.opts.clock.setTimeout(() => {
      if (this.timers.get(nodeID) !== t) return;
      this.timers.delete(nodeID);
      this.opts.onExpire(nodeID);
    }, ms);
    this.timers.set(nodeID, t);
  }
}
