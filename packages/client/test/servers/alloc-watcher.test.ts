import { describe, expect, it } from "vitest";
import { RpcError, type Rpc } from "@nomad/rpc";
import type { Allocation } from "@nomad/structs";
import { silentLogger } from "../../src/logger.js";
import { systemClock } from "../../src/node/clock.js";
import { AllocWatcher, type AllocDiff } from "../../src/servers/alloc-watcher.js";

const NODE = "node-1";

/** An Rpc answering from a script: each call takes the next reply for its method. */
function scripted(
  replies: Record<string, Array<unknown | Error>>,
): Rpc & { calls: Array<[string, unknown]> } {
  const calls: Array<[string, unknown]> = [];
  return {
    calls,
    async call<T>(method: string, args: unknown, options?: { signal?: AbortSignal }): Promise<T> {
      calls.push([method, args]);
      const next = replies[method]?.shift();
      if (next === undefined) {
        // Out of script: block like an idle blocking query until the watcher stops.
        return new Promise<T>((_, reject) =>
          options?.signal?.addEventListener("abort", () => reject(new RpcError("SHUTDOWN", "stopped")), {
            once: true,
          }),
        );
      }
      if (next instanceof Error) throw next;
      return next as T;
    },
  };
}

const meta = { LastContact: 0, KnownLeader: true };
const alloc = (id: string, modify: number, node = NODE): Partial<Allocation> => ({
  ID: id,
  NodeID: node,
  AllocModifyIndex: modify,
});

function watcher(rpc: Rpc, known: Map<string, number>, diffs: AllocDiff[], terminal = new Set<string>()) {
  return new AllocWatcher({
    rpc,
    nodeID: NODE,
    secretID: "s",
    region: "global",
    maxQueryTimeMs: 1_000,
    retryMs: 20,
    clock: systemClock,
    logger: silentLogger,
    known: () => known,
    isTerminal: (id) => terminal.has(id),
    apply: async (d) => {
      diffs.push(d);
      for (const a of d.updated) known.set(a.ID, a.AllocModifyIndex);
      for (const id of d.removed) known.delete(id);
    },
  });
}

async function until(pred: () => boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("AllocWatcher", () => {
  it("pulls only allocations whose AllocModifyIndex moved and reports the ones gone", async () => {
    const known = new Map([
      ["same", 5],
      ["moved", 5],
      ["gone", 3],
    ]);
    const rpc = scripted({
      "Node.GetClientAllocs": [
        { Allocs: { same: 5, moved: 9, fresh: 9 }, MigrateTokens: {}, Index: 9, ...meta },
      ],
      "Alloc.GetAllocs": [{ Allocs: [alloc("moved", 9), alloc("fresh", 9)], Index: 9, ...meta }],
    });
    const diffs: AllocDiff[] = [];
    const w = watcher(rpc, known, diffs);
    w.start();
    await until(() => diffs.length === 1);
    await w.stop();
    expect(diffs[0]!.updated.map((a) => a.ID).sort()).toEqual(["fresh", "moved"]);
    expect(diffs[0]!.removed).toEqual(["gone"]);
    const get = rpc.calls.find(([m]) => m === "Alloc.GetAllocs")![1] as {
      AllocIDs: string[];
      MinQueryIndex: number;
    };
    expect(get.AllocIDs.sort()).toEqual(["fresh", "moved"]);
    expect(get.MinQueryIndex).toBe(8);
    const next = rpc.calls.filter(([m]) => m === "Node.GetClientAllocs")[1]![1] as { MinQueryIndex: number };
    expect(next.MinQueryIndex).toBe(9);
  });

  it("drops and counts malformed replies and allocations of other nodes, then recovers", async () => {
    const rpc = scripted({
      "Node.GetClientAllocs": [
        "not an object",
        { Allocs: { a: "seven" }, Index: 4, ...meta },
        { Allocs: { a: 7 }, Index: 7, ...meta },
      ],
      "Alloc.GetAllocs": [{ Allocs: [alloc("a", 7, "someone-else")], Index: 7, ...meta }],
    });
    const diffs: AllocDiff[] = [];
    const w = watcher(rpc, new Map(), diffs);
    w.start();
    // The foreign allocation is refused, so the round is retried from the same index.
    await until(() => w.garbage >= 3 && rpc.calls.length >= 5);
    await w.stop();
    expect(diffs).toEqual([]);
    expect(w.garbage).toBeGreaterThanOrEqual(3);
  });

  it("asks again when a stale server returns older allocations than its index map promised", async () => {
    const rpc = scripted({
      "Node.GetClientAllocs": [
        { Allocs: { a: 12 }, Index: 12, ...meta },
        { Allocs: { a: 12 }, Index: 12, ...meta },
      ],
      "Alloc.GetAllocs": [
        { Allocs: [alloc("a", 10)], Index: 10, ...meta },
        { Allocs: [alloc("a", 12)], Index: 12, ...meta },
      ],
    });
    const diffs: AllocDiff[] = [];
    const w = watcher(rpc, new Map(), diffs);
    w.start();
    await until(() => diffs.length === 1);
    await w.stop();
    expect(diffs[0]!.updated[0]!.AllocModifyIndex).toBe(12);
  });

  it("an answer with a lower index (newest alloc GC'd, or a lagging server) drops only finished allocations", async () => {
    const known = new Map([
      ["running", 8],
      ["finished", 9],
      ["newest", 10],
    ]);
    const rpc = scripted({
      // "newest" was GC'd: the index falls to 8; neither "running" nor "finished" is listed.
      "Node.GetClientAllocs": [{ Allocs: {}, Index: 8, ...meta }],
    });
    const diffs: AllocDiff[] = [];
    const w = watcher(rpc, known, diffs, new Set(["finished", "newest"]));
    // Start from index 10, as after an earlier answer.
    (w as unknown as { index: number }).index = 10;
    w.start();
    await until(() => diffs.length === 1);
    await w.stop();
    expect(diffs[0]!.removed.sort()).toEqual(["finished", "newest"]);
    expect(known.has("running")).toBe(true);
    expect(w.lastIndex()).toBe(10); // never moves backwards
  });

  it("an answer at the same index still reports allocations that disappeared", async () => {
    const known = new Map([
      ["old", 5],
      ["top", 10],
    ]);
    const rpc = scripted({ "Node.GetClientAllocs": [{ Allocs: { top: 10 }, Index: 10, ...meta }] });
    const diffs: AllocDiff[] = [];
    const w = watcher(rpc, known, diffs);
    (w as unknown as { index: number }).index = 10;
    w.start();
    await until(() => diffs.length === 1);
    await w.stop();
    expect(diffs[0]).toEqual({ updated: [], removed: ["old"], index: 10 });
  });

  it("retries after an error without applying anything", async () => {
    const rpc = scripted({
      "Node.GetClientAllocs": [
        new RpcError("NO_LEADER", "No cluster leader"),
        { Allocs: {}, Index: 3, ...meta },
      ],
    });
    const diffs: AllocDiff[] = [];
    const w = watcher(rpc, new Map(), diffs);
    w.start();
    await until(() => rpc.calls.length >= 3);
    await w.stop();
    expect(w.lastIndex()).toBe(3);
    expect(diffs).toEqual([]);
  });
});
