// RaftNode ticks the core by elapsed monotonic time: ticks missed while the event loop was stalled
// (or the process stopped) are caught up, bounded, before the input that waited during the stall.
import { afterEach, describe, expect, it } from "vitest";
import type { CoreConfig, CoreRestore } from "../../src/core/api.js";
import type { Message } from "../../src/core/messages.js";
import { RaftCore } from "../../src/core/raft-core.js";
import { coreTiming, parseRaftConfig } from "../../src/runtime/config.js";
import { RaftNode } from "../../src/runtime/raft-node.js";
import { maxCatchUpTicks, TickClock } from "../../src/runtime/tick-clock.js";
import { KvFsm } from "../../src/storage/kv-fsm.js";
import { MemoryLogStore } from "../../src/storage/memory-log-store.js";
import { MemorySnapshotStore } from "../../src/storage/memory-snapshot-store.js";
import { MemoryStableStore } from "../../src/storage/memory-stable-store.js";
import { MemoryNetwork } from "../../src/transport/memory-transport.js";
import { waitFor } from "./memory-cluster.js";

/** The core calls RaftNode made, in order: "tick" or "step <type>". */
class RecordingCore extends RaftCore {
  constructor(
    config: CoreConfig,
    restore: CoreRestore,
    private readonly calls: string[],
  ) {
    super(config, restore);
  }
  override tick(): void {
    this.calls.push("tick");
    super.tick();
  }
  override step(m: Message): void {
    this.calls.push(`step ${m.type}`);
    super.step(m);
  }
}

const heartbeat: Message = {
  type: "append",
  from: "n2",
  to: "n1",
  term: 1,
  prevLogIndex: 0,
  prevLogTerm: 0,
  entries: [],
  leaderCommit: 0,
  readRound: 0,
};

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

/** n1 of a three-voter cluster whose peers never answer (default profile: tickMs 10, election 1 s). */
async function startNode(clock?: () => number) {
  const calls: string[] = [];
  const network = new MemoryNetwork();
  const node = await RaftNode.start({
    id: "n1",
    transport: network.createTransport("n1"),
    logStore: new MemoryLogStore(),
    stableStore: new MemoryStableStore(),
    snapshotStore: new MemorySnapshotStore(),
    fsm: new KvFsm(),
    bootstrap: {
      servers: ["n1", "n2", "n3"].map((id) => ({ id, address: id, suffrage: "voter" as const })),
    },
    createCore: (config, restore) => new RecordingCore(config, restore, calls),
    ...(clock === undefined ? {} : { clock }),
  });
  stop = () => node.shutdown();
  return { node, calls, peer: network.createTransport("n2") };
}

/** Ticks recorded after `from` and before the first step. */
function ticksBeforeStep(calls: string[], from: number): number {
  const rest = calls.slice(from);
  const step = rest.findIndex((c) => c.startsWith("step"));
  expect(step).toBeGreaterThanOrEqual(0);
  return rest.slice(0, step).filter((c) => c === "tick").length;
}

describe("TickClock", () => {
  it("counts one tick per elapsed tickMs, keeps the remainder, and bounds a long pause", () => {
    let t = 1_000;
    const clock = new TickClock(10, 300, () => t);
    t += 9;
    expect(clock.due()).toBe(0);
    t += 16; // 25 ms since the start: two ticks, 5 ms carried over
    expect(clock.due()).toBe(2);
    t += 5;
    expect(clock.due()).toBe(1);
    t += 1_000;
    expect(clock.due()).toBe(100);
    t -= 50; // a clock that went backwards yields nothing
    expect(clock.due()).toBe(0);
    t += 50 + 3_600_000; // an hour stopped: at most 300, the rest dropped
    expect(clock.due()).toBe(300);
    expect(clock.dropped).toBe(360_000 - 300);
    t += 10;
    expect(clock.due()).toBe(1);
  });

  it("the catch-up bound is twice an election timeout with its full jitter (3 s with the defaults)", () => {
    const timing = coreTiming(parseRaftConfig({}, "default"));
    expect(maxCatchUpTicks(timing)).toBe(300);
    expect(maxCatchUpTicks(timing)).toBeGreaterThan(timing.electionTicks + timing.electionJitterTicks);
    expect(maxCatchUpTicks(timing)).toBeGreaterThan(timing.leaderLeaseTicks);
  });
});

describe("RaftNode ticks by elapsed time", () => {
  it("after a simulated 1 s stall the core gets 100 ticks before the message that waited", async () => {
    let now = 0;
    const { calls, peer } = await startNode(() => now);
    const from = calls.length;
    // The clock jumps 1 s while a message waits: the node's interval timer may run first or the
    // delivery may, either way the missed ticks reach the core before the message does.
    now += 1_000;
    peer.send("n1", "n1", heartbeat);
    await waitFor(() => calls.some((c) => c.startsWith("step")), 5_000, "message stepped");
    expect(ticksBeforeStep(calls, from)).toBe(100);
    expect(calls.slice(from).filter((c) => c === "tick")).toHaveLength(100); // none without time
  });

  it("a stop of an hour replays at most the bound (300 ticks), not 360,000", async () => {
    let now = 0;
    const { calls, peer } = await startNode(() => now);
    const from = calls.length;
    now += 3_600_000;
    peer.send("n1", "n1", heartbeat);
    await waitFor(() => calls.some((c) => c.startsWith("step")), 5_000, "message stepped");
    expect(ticksBeforeStep(calls, from)).toBe(300);
  });

  it("a real 1 s event-loop stall: the missed ticks reach the core before the buffered message", async () => {
    const { calls, peer } = await startNode();
    await new Promise((r) => setTimeout(r, 50));
    const from = calls.length;
    const start = performance.now();
    peer.send("n1", "n1", heartbeat); // delivered as soon as this stall ends
    while (performance.now() - start < 1_000) {
      /* block the event loop, as a long GC pause or a CPU-bound callback would */
    }
    await waitFor(() => calls.slice(from).some((c) => c.startsWith("step")), 5_000, "message stepped");
    // At least 1,000 ms passed since the last tick; a loaded machine may stall longer (bounded).
    const caught = ticksBeforeStep(calls, from);
    expect(caught).toBeGreaterThanOrEqual(100);
    expect(caught).toBeLessThanOrEqual(300);
  });
});
