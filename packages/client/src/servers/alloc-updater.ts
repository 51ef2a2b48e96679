// Allocation status reports to the servers, batched as Nomad does (every 200 ms): the
// runners report each change at once; only the latest report per allocation is kept, and
// one `Node.UpdateAlloc` carries every allocation that changed since the last send. A
// failed send keeps its reports (unless a newer one for the same allocation came in) for
// the next tick, so a status is never lost, only delayed.

import type { Rpc } from "@nomad/rpc";
import type { AllocClientUpdate, AllocUpdateRequest } from "@nomad/structs";
import type { Logger } from "../logger.js";
import type { ClientClock } from "../node/clock.js";
import { messageOf } from "./server-link.js";

export interface AllocUpdaterOptions {
  rpc: Rpc;
  secretID: string;
  region: string;
  intervalMs: number;
  clock: ClientClock;
  logger: Logger;
}

export class AllocUpdater {
  private pending = new Map<string, AllocClientUpdate>();
  private timer: unknown = undefined;
  private inFlight: Promise<void> | undefined;
  private running = false;
  /** Node.UpdateAlloc calls made, and how many of them failed. */
  batches = 0;
  failures = 0;

  constructor(private readonly o: AllocUpdaterOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.arm();
  }

  push(update: AllocClientUpdate): void {
    this.pending.set(update.ID, structuredClone(update));
  }

  pendingCount(): number {
    return this.pending.size;
  }

  /** Sends what is pending now (at most one call in flight). */
  async flush(): Promise<void> {
    if (this.inFlight) await this.inFlight;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const request: AllocUpdateRequest = {
      Alloc: [...batch.values()],
      SecretID: this.o.secretID,
      Region: this.o.region,
    };
    this.inFlight = (async () => {
      try {
        this.batches++;
        await this.o.rpc.call("Node.UpdateAlloc", request, { timeoutMs: 30_000 });
      } catch (e) {
        this.failures++;
        this.o.logger.error("error updating allocations", { error: messageOf(e), count: batch.size });
        for (const [id, update] of batch) if (!this.pending.has(id)) this.pending.set(id, update);
      } finally {
        this.inFlight = undefined;
      }
    })();
    await this.inFlight;
  }

  /** Stops the ticker after one last bounded attempt to send what is pending. */
  async stop(finalFlushTimeoutMs = 1_000): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.race([
      this.flush(),
      new Promise<void>((resolve) => {
        const t = setTimeout(resolve, finalFlushTimeoutMs);
        t.unref();
      }),
    ]);
  }

  private arm(): void {
    if (!this.running) return;
    this.timer = this.o.clock.setTimeout(() => {
      void this.flush().finally(() => this.arm());
    }, this.o.intervalMs);
  }
}
