import { describe, expect, it } from "vitest";
import { computeGcPlan, parseServerGcConfig, type GcBatch } from "../src/index.js";
import { fixedClock, MemoryGcState } from "../src/testing.js";
import { alloc, cfg, node, NOW, NS_PER_S } from "./fixtures.js";

const nowS = NOW / NS_PER_S;

function nodeIDs(batches: readonly GcBatch[]): string[] {
  return batches.flatMap((b) => (b.kind === "node-deregister" ? [...b.nodeIDs] : []));
}

function run(state: MemoryGcState, c = cfg): string[] {
  return nodeIDs(computeGcPlan("node-gc", state, c, fixedClock(NOW)).batches);
}

describe("node-gc", () => {
  it("collects a node down for longer than node_gc_threshold (24h)", () => {
    const s = new MemoryGcState();
    s.upsertNode(node({ ID: "old", StatusUpdatedAt: nowS - 25 * 3600 }));
    expect(run(s)).toEqual(["old"]);
  });

  it("keeps a node down for less than 24h", () => {
    const s = new MemoryGcState();
    s.upsertNode(node({ ID: "recent", StatusUpdatedAt: nowS - 23 * 3600 }));
    expect(run(s)).toEqual([]);
  });

  it("collects exactly at the threshold (Nomad skips only nodes updated after the cutoff)", () => {
    const s = new MemoryGcState();
    s.upsertNode(node({ ID: "edge", StatusUpdatedAt: nowS - 24 * 3600 }));
    expect(run(s)).toEqual(["edge"]);
  });

  it("never collects a node that came back (ready, initializing) or is disconnected, however old", () => {
    const s = new MemoryGcState();
    for (const status of ["ready", "initializing", "disconnected"] as const) {
      s.upsertNode(node({ ID: status, Status: status, StatusUpdatedAt: nowS - 1000 * 3600 }));
    }
    expect(run(s)).toEqual([]);
  });

  it("keeps a down node that still has a non-terminal allocation", () => {
    const s = new MemoryGcState();
    s.upsertNode(node({ ID: "n1" }));
    s.upsertAlloc(
      alloc({
        ID: "a1",
        JobID: "j",
        EvalID: "e",
        NodeID: "n1",
        DesiredStatus: "run",
        ClientStatus: "running",
      }),
    );
    expect(run(s)).toEqual([]);
  });

  it("collects a down node whose allocations are all terminal (lost)", () => {
    const s = new MemoryGcState();
    s.upsertNode(node({ ID: "n1" }));
    s.upsertAlloc(alloc({ ID: "a1", JobID: "j", EvalID: "e", NodeID: "n1", ClientStatus: "lost" }));
    expect(run(s)).toEqual(["n1"]);
  });

  it("honours a configured threshold", () => {
    const s = new MemoryGcState();
    s.upsertNode(node({ ID: "n", StatusUpdatedAt: nowS - 2 * 3600 }));
    expect(run(s, parseServerGcConfig({ node_gc_threshold: "1h" }))).toEqual(["n"]);
    expect(run(s, parseServerGcConfig({ node_gc_threshold: "3h" }))).toEqual([]);
  });

  it("measures age from when the node went down, not from its creation", () => {
    const s = new MemoryGcState();
    // Registered long ago (CreateIndex irrelevant), down only since an hour.
    s.upsertNode({ ID: "n", Status: "down", StatusUpdatedAt: nowS - 3600 });
    expect(run(s)).toEqual([]);
  });
});
