// Client-side allocation garbage collection (Nomad's client `AllocGarbageCollector`).
// Terminal allocations keep their runner, directory (logs, artifacts) and persisted state
// until the servers GC them, which can take hours; on a busy node that fills the alloc
// disk and the runner table. Every `gc_interval`, and before new allocations are started
// when `gc_max_allocs` would be exceeded, this destroys the oldest terminal allocations
// until the alloc dir's filesystem is under its disk and inode thresholds and the count is
// at most `gc_max_allocs`. What to destroy is decided by @nomad/gc's `decideClientGc`;
// this file measures, destroys (at most `gc_parallel_destroys` at a time) and logs.
//
// Safety: only an allocation that is terminal on this client is ever listed (client status
// complete/failed/lost, or desired stop with every task dead), and it is checked again from
// a fresh scan right before its destroy, so an allocation the servers still want running
// is never touched. The client keeps a tombstone for each collected allocation (see
// `ClientGcHost.release`), so a later answer from the servers never starts it again.

import {
  decideClientGc,
  decideClientGcAll,
  type ClientGcConfig,
  type ClientGcDestroy,
  type ClientTerminalAlloc,
} from "@nomad/gc";
import type { AllocClientUpdate, Allocation } from "@nomad/structs";
import type { ClientConfig } from "../config.js";
import type { Logger } from "../logger.js";
import type { ClientClock } from "../node/clock.js";
import type { ClientAllocRunner } from "../servers/runner-seam.js";
import type { AllocStateStore } from "../state/alloc-state-store.js";
import { statfsDiskUsage, type DiskUsage, type DiskUsageProbe } from "./disk-usage.js";

const NS_PER_MS = 1_000_000;
const CLIENT_TERMINAL = new Set(["complete", "failed", "lost"]);

/** The client's `gc` settings (`ClientConfig["gc"]`). */
export type ClientGcSettings = ClientConfig["gc"];

/** One allocation whose runner and directory the client still keeps. */
export interface GcAllocEntry {
  readonly alloc: Allocation;
  readonly runner: ClientAllocRunner;
}

/** What the collector needs from the client that owns the runners. */
export interface ClientGcHost {
  /** Every allocation whose runner and directory are not destroyed yet. */
  allocs(): Iterable<GcAllocEntry>;
  /**
   * Called synchronously right before the allocation's destroy starts: the client drops
   * the runner from its table (it no longer counts, serves logs or takes updates) and keeps
   * a tombstone so a later answer from the servers does not start the allocation again.
   */
  release(allocID: string): void;
}

export interface ClientGcOptions {
  settings: ClientGcSettings;
  /** The client's `alloc_dir`: its filesystem is the one measured. */
  allocDir: string;
  host: ClientGcHost;
  /** The persisted state of a collected allocation is deleted here too. */
  state: Pick<AllocStateStore, "deleteAlloc">;
  clock: ClientClock;
  logger: Logger;
  /** Default: `statfs(2)` of `allocDir`. */
  diskUsage?: DiskUsageProbe;
}

export interface ClientGcRound {
  /** Destroyed allocations, in the order their destroys started. */
  collected: ClientGcDestroy[];
  /** Destroys that failed (the allocation stays released: its runner is gone). */
  failed: { allocID: string; error: string }[];
  /** Why the node is still over a limit with nothing terminal left, or null. */
  stillOver: string | null;
}

/**
 * True when the allocation may be collected: terminal on this client (complete, failed,
 * lost), or told to stop by the servers with every task dead. A pending or running
 * allocation the servers still want is never eligible.
 */
export function allocGcEligible(
  alloc: Pick<Allocation, "DesiredStatus">,
  status: AllocClientUpdate,
): boolean {
  if (CLIENT_TERMINAL.has(status.ClientStatus)) return true;
  return alloc.DesiredStatus !== "run" && allTasksDead(status);
}

function allTasksDead(status: AllocClientUpdate): boolean {
  return Object.values(status.TaskStates).every((t) => t.State === "dead");
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class ClientGc {
  private readonly o: ClientGcOptions;
  private readonly diskUsage: DiskUsageProbe;
  private readonly gcConfig: ClientGcConfig;
  /** When each allocation was first seen finished (client clock ms): oldest goes first. */
  private readonly terminalSinceMs = new Map<string, number>();
  /** Rounds run one after another: a periodic one, room for new allocations, forced ones. */
  private chain: Promise<unknown> = Promise.resolve();
  private timer: unknown = undefined;
  private stopped = false;
  private collectedTotal = 0;

  constructor(options: ClientGcOptions) {
    this.o = options;
    this.diskUsage = options.diskUsage ?? statfsDiskUsage;
    const s = options.settings;
    this.gcConfig = {
      gc_interval: s.intervalMs * NS_PER_MS,
      gc_disk_usage_threshold: s.diskUsageThreshold,
      gc_inode_usage_threshold: s.inodeUsageThreshold,
      gc_max_allocs: s.maxAllocs,
      gc_parallel_destroys: s.parallelDestroys,
    };
  }

  /** Starts the periodic round every `gc_interval`. */
  start(): void {
    if (this.stopped || this.timer !== undefined) return;
    this.schedule();
  }

  /** Stops the timer and waits for the round under way; no new destroy starts after this. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.chain;
  }

  /** Resolves when no round is under way or queued (tests and shutdown). */
  async idle(): Promise<void> {
    for (;;) {
      const c = this.chain;
      await c;
      if (c === this.chain) return;
    }
  }

  /** Allocations destroyed since start. */
  get collected(): number {
    return this.collectedTotal;
  }

  /**
   * Every status a runner reports: the first one that says the allocation finished dates
   * it, so collection goes oldest first (Nomad marks an alloc for collection when its
   * runner finishes).
   */
  observe(update: AllocClientUpdate): void {
    if (this.terminalSinceMs.has(update.ID)) return;
    if (
      CLIENT_TERMINAL.has(update.ClientStatus) ||
      (Object.keys(update.TaskStates).length > 0 && allTasksDead(update))
    ) {
      this.terminalSinceMs.set(update.ID, this.o.clock.nowMs());
    }
  }

  /** One periodic round now: collect while over a disk, inode or count limit. */
  collect(): Promise<ClientGcRound> {
    return this.enqueue(() => this.keepUnderLimits(0));
  }

  /**
   * Before `incoming` new allocations start: collect while the count after they start
   * would exceed `gc_max_allocs` (or disk or inodes are over), as Nomad's `MakeRoomFor`.
   */
  makeRoomFor(incoming: number): Promise<ClientGcRound> {
    if (incoming <= 0) return Promise.resolve({ collected: [], failed: [], stillOver: null });
    return this.enqueue(() => this.keepUnderLimits(incoming));
  }

  /** `PUT /v1/client/gc`: every terminal allocation, oldest first, whatever the limits. */
  collectAll(): Promise<ClientGcRound> {
    return this.enqueue(async () => {
      const queue = decideClientGcAll(this.candidates().terminal);
      return this.destroyPooled(() => queue.shift());
    });
  }

  /** `PUT /v1/client/allocation/:id/gc`: false when the client does not keep it or it is not terminal. */
  collectAlloc(allocID: string): Promise<boolean> {
    return this.enqueue(async () => {
      const entry = this.candidates().eligible.get(allocID);
      if (entry === undefined) return false;
      const queue: ClientGcDestroy[] = [{ allocID, reason: "forced collection" }];
      const round = await this.destroyPooled(() => queue.shift());
      return round.collected.length === 1 && round.failed.length === 0;
    });
  }

  // ---- internals ----

  private schedule(): void {
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = undefined;
      if (this.stopped) return;
      void this.collect()
        .catch((e: unknown) =>
          this.o.logger.error("alloc garbage collection failed", { error: messageOf(e) }),
        )
        .then(() => {
          if (!this.stopped) this.schedule();
        });
    }, this.o.settings.intervalMs);
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** The kept allocations, split: how many, and the terminal ones with their age. */
  private candidates(): {
    live: number;
    terminal: ClientTerminalAlloc[];
    eligible: Map<string, GcAllocEntry>;
  } {
    const now = this.o.clock.nowMs();
    const seen = new Set<string>();
    const terminal: ClientTerminalAlloc[] = [];
    const eligible = new Map<string, GcAllocEntry>();
    let live = 0;
    for (const entry of this.o.host.allocs()) {
      live++;
      const id = entry.alloc.ID;
      seen.add(id);
      if (!allocGcEligible(entry.alloc, entry.runner.clientStatus())) continue;
      // Not dated by a report (restored already finished): it dates from this scan.
      let since = this.terminalSinceMs.get(id);
      if (since === undefined) this.terminalSinceMs.set(id, (since = now));
      terminal.push({ allocID: id, terminalAtUnixNs: since * NS_PER_MS });
      eligible.set(id, entry);
    }
    for (const id of this.terminalSinceMs.keys()) if (!seen.has(id)) this.terminalSinceMs.delete(id);
    return { live, terminal, eligible };
  }

  private async measure(): Promise<DiskUsage> {
    try {
      return await this.diskUsage(this.o.allocDir);
    } catch (e) {
      // Without figures only the count limit can act; say so rather than guess.
      this.o.logger.warn("failed to read alloc dir disk usage", {
        alloc_dir: this.o.allocDir,
        error: messageOf(e),
      });
      return { diskUsedPercent: 0, inodesUsedPercent: 0 };
    }
  }

  /**
   * Measures, decides, starts the first destroy of the decision, and again whenever a
   * destroy slot is free: the disk figures are read afresh each time, so collection stops
   * as soon as the filesystem is back under its thresholds (at most `gc_parallel_destroys`
   * - 1 destroys past that point were already under way).
   */
  private async keepUnderLimits(incoming: number): Promise<ClientGcRound> {
    let stillOver: string | null = null;
    const round = await this.destroyPooled(async () => {
      const usage = await this.measure();
      const { live, terminal } = this.candidates();
      const decision = decideClientGc({
        config: this.gcConfig,
        diskUsedPercent: usage.diskUsedPercent,
        inodesUsedPercent: usage.inodesUsedPercent,
        liveAllocs: live + incoming,
        terminal,
      });
      stillOver = decision.stillOver;
      return decision.destroy[0];
    });
    if (stillOver !== null && !this.stopped) {
      // Debug: a node running more than gc_max_allocs would say this every interval.
      this.o.logger.debug("alloc garbage collection: still over a limit with nothing terminal left", {
        reason: stillOver,
      });
    }
    return { ...round, stillOver };
  }

  /** Destroys what `next` names, at most `gc_parallel_destroys` at once, until it names nothing. */
  private async destroyPooled(
    next: () => ClientGcDestroy | undefined | Promise<ClientGcDestroy | undefined>,
  ): Promise<ClientGcRound> {
    const collected: ClientGcDestroy[] = [];
    const failed: { allocID: string; error: string }[] = [];
    const inFlight = new Set<Promise<void>>();
    const limit = Math.max(1, this.o.settings.parallelDestroys);
    while (!this.stopped) {
      while (inFlight.size >= limit) await Promise.race(inFlight);
      if (this.stopped) break;
      const pick = await next();
      if (pick === undefined || this.stopped) break;
      // Checked again from a fresh scan: nothing may have become live since the decision.
      const entry = this.candidates().eligible.get(pick.allocID);
      if (entry === undefined) break;
      collected.push(pick);
      const p: Promise<void> = this.destroyOne(entry, pick.reason)
        .catch((e: unknown) => {
          collected.splice(collected.indexOf(pick), 1);
          failed.push({ allocID: pick.allocID, error: messageOf(e) });
        })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await Promise.all(inFlight);
    return { collected, failed, stillOver: null };
  }

  private async destroyOne(entry: GcAllocEntry, reason: string): Promise<void> {
    const id = entry.alloc.ID;
    this.o.host.release(id);
    this.terminalSinceMs.delete(id);
    this.o.logger.info("garbage collecting allocation", { alloc_id: id, reason });
    try {
      await entry.runner.destroy();
      await this.o.state.deleteAlloc(id);
    } catch (e) {
      this.o.logger.error("error garbage collecting allocation", { alloc_id: id, error: messageOf(e) });
      throw e;
    }
    this.collectedTotal++;
    this.o.logger.info("alloc garbage collected", { alloc_id: id });
  }
}
