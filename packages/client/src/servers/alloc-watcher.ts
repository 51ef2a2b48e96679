// The client's view of what the servers want it to run, as Nomad's `watchAllocations`:
// a blocking `Node.GetClientAllocs` (alloc ID -> AllocModifyIndex, woken by any change to
// this node's allocations or after MaxQueryTime), then `Alloc.GetAllocs` for the ones whose
// index moved, then one `AllocDiff` for the client to apply. Allocations missing from the
// answer were garbage-collected on the servers: the client drops them.
//
// Replies come from the network: anything malformed is dropped and counted, never applied.
// A server behind the others (stale read) is detected by the indexes and asked again.

import { isRpcError, type Rpc } from "@nomad/rpc";
import {
  AllocationSchema,
  NS_PER_MS,
  type Allocation,
  type AllocsGetRequest,
  type AllocsGetResponse,
  type NodeClientAllocsResponse,
  type NodeSpecificRequest,
} from "@nomad/structs";
import type { Logger } from "../logger.js";
import { sleep, type ClientClock } from "../node/clock.js";
import { messageOf } from "./server-link.js";

export interface AllocDiff {
  /** New or changed allocations, in full. */
  updated: Allocation[];
  /** IDs the servers no longer list for this node. */
  removed: string[];
  index: number;
}

export interface AllocWatcherOptions {
  rpc: Rpc;
  nodeID: string;
  secretID: string;
  region: string;
  maxQueryTimeMs: number;
  /** Wait after a failed query before asking again. */
  retryMs: number;
  clock: ClientClock;
  logger: Logger;
  /** AllocModifyIndex of every allocation the client runs now. */
  known(): ReadonlyMap<string, number>;
  /** The allocation is finished on this client (stopped or client-terminal). */
  isTerminal(allocID: string): boolean;
  apply(diff: AllocDiff): Promise<void>;
}

export class AllocWatcher {
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private index = 0;
  /** Malformed replies or allocations dropped. */
  garbage = 0;
  queries = 0;

  constructor(private readonly o: AllocWatcherOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort(new Error("client shutting down"));
    await this.loop;
  }

  lastIndex(): number {
    return this.index;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        const progressed = await this.once(signal);
        if (!progressed && !signal.aborted) await sleep(this.o.clock, this.o.retryMs / 4, signal);
      } catch (e) {
        if (signal.aborted) return;
        // Before registration completes the server does not know the node: expected, quiet.
        const log = isRpcError(e, "NOT_FOUND") ? this.o.logger.debug : this.o.logger.error;
        log.call(this.o.logger, "error querying node allocations", { error: messageOf(e) });
        await sleep(this.o.clock, this.o.retryMs * (0.5 + this.o.clock.random()), signal).catch(
          () => undefined,
        );
      }
    }
  }

  /** One round; false when nothing could be applied (stale server), so the caller waits a little. */
  private async once(signal: AbortSignal): Promise<boolean> {
    const request: NodeSpecificRequest = {
      NodeID: this.o.nodeID,
      SecretID: this.o.secretID,
      Region: this.o.region,
      MinQueryIndex: this.index,
      MaxQueryTime: this.o.maxQueryTimeMs * NS_PER_MS,
      AllowStale: true,
    };
    // The server adds up to 1/16 jitter to MaxQueryTime; leave room for it and the network.
    const timeoutMs = Math.ceil(this.o.maxQueryTimeMs + this.o.maxQueryTimeMs / 16 + 30_000);
    const reply = await this.o.rpc.call<NodeClientAllocsResponse>("Node.GetClientAllocs", request, {
      timeoutMs,
      signal,
    });
    this.queries++;
    const wanted = this.validIndexMap(reply);
    if (wanted === undefined) return false;
    const replyIndex = reply.Index;
    // The answer's index is the highest AllocModifyIndex of this node's allocations, so it
    // can go *down* when the servers garbage-collect the newest one: a lower index is not
    // proof of a stale server. Removals are applied from any answer for allocations that
    // are finished anyway; a running one is dropped only on an answer at least as new as
    // ours, so a lagging server can never make the client kill a live allocation.
    const fresh = replyIndex >= this.index;
    const known = this.o.known();
    const pull = [...wanted].filter(([id, modify]) => (known.get(id) ?? -1) < modify).map(([id]) => id);
    const removed = [...known.keys()].filter((id) => !wanted.has(id) && (fresh || this.o.isTerminal(id)));
    let updated: Allocation[] = [];
    if (pull.length > 0) {
      const allocRequest: AllocsGetRequest = {
        AllocIDs: pull,
        SecretID: this.o.secretID,
        Region: this.o.region,
        MinQueryIndex: replyIndex - 1,
        MaxQueryTime: this.o.maxQueryTimeMs * NS_PER_MS,
        AllowStale: true,
      };
      const allocs = await this.o.rpc.call<AllocsGetResponse>("Alloc.GetAllocs", allocRequest, {
        timeoutMs,
        signal,
      });
      updated = this.validAllocs(allocs);
      // A stale server may hand back older versions than the index map promised: ask again.
      const stale = updated.some((a) => a.AllocModifyIndex < (wanted.get(a.ID) ?? 0));
      if (stale || updated.length < pull.length) {
        this.o.logger.debug("allocations behind the index, retrying", { index: replyIndex });
        return false;
      }
    }
    if (updated.length > 0 || removed.length > 0) await this.o.apply({ updated, removed, index: replyIndex });
    this.index = Math.max(this.index, replyIndex);
    // Behind us: wait a little before asking again, in case this server answers at once.
    return fresh;
  }

  private validIndexMap(reply: NodeClientAllocsResponse): Map<string, number> | undefined {
    if (
      typeof reply !== "object" ||
      reply === null ||
      typeof reply.Index !== "number" ||
      !(reply.Index >= 0)
    ) {
      this.garbage++;
      return undefined;
    }
    const out = new Map<string, number>();
    const allocs: unknown = reply.Allocs ?? {};
    if (typeof allocs !== "object" || allocs === null) {
      this.garbage++;
      return undefined;
    }
    for (const [id, modify] of Object.entries(allocs)) {
      if (typeof modify !== "number" || id === "") {
        this.garbage++;
        continue;
      }
      out.set(id, modify);
    }
    return out;
  }

  private validAllocs(reply: AllocsGetResponse): Allocation[] {
    if (typeof reply !== "object" || reply === null || !Array.isArray(reply.Allocs)) {
      this.garbage++;
      return [];
    }
    const out: Allocation[] = [];
    for (const raw of reply.Allocs) {
      const parsed = AllocationSchema.safeParse(raw);
      if (parsed.success && parsed.data.NodeID === this.o.nodeID) out.push(parsed.data);
      else this.garbage++;
    }
    return out;
  }
}
