import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkLinearizability, kvModel } from "@nomad/raft/testing";
import type { KvInput, KvOutput } from "@nomad/raft/testing";
import { sequentialHistory, type KvOp } from "./history-gen.js";

function op(
  clientId: number,
  callTime: number,
  returnTime: number | undefined,
  input: KvInput,
  output: KvOutput | undefined,
): KvOp {
  return { clientId, input, output, callTime, returnTime };
}

const put = (key: string, value: string): KvInput => ({ op: "put", key, value });
const get = (key: string): KvInput => ({ op: "get", key });
const cas = (key: string, from: string | null, to: string): KvInput => ({ op: "cas", key, from, to });
const del = (key: string): KvInput => ({ op: "delete", key });
const got = (value: string | null): KvOutput => ({ op: "get", value });
const done = (o: "put" | "delete"): KvOutput => ({ op: o });
const casOut = (ok: boolean): KvOutput => ({ op: "cas", ok });

describe("linearizability checker: hand-made histories", () => {
  it("accepts an empty history", () => {
    expect(checkLinearizability(kvModel, []).ok).toBe(true);
  });

  it("accepts a read concurrent with a write that sees either value", () => {
    for (const seen of ["a", "b"]) {
      const h = [
        op(1, 0, 10, put("x", "a"), done("put")),
        op(1, 20, 40, put("x", "b"), done("put")),
        op(2, 25, 35, get("x"), got(seen)),
      ];
      expect(checkLinearizability(kvModel, h).ok).toBe(true);
    }
  });

  it("rejects a stale read: a get that starts after a put returned sees the older value", () => {
    const h = [
      op(1, 0, 10, put("x", "a"), done("put")),
      op(1, 20, 30, put("x", "b"), done("put")),
      op(2, 40, 50, get("x"), got("a")),
    ];
    const result = checkLinearizability(kvModel, h);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.verdict).toBe("not-linearizable");
      expect(result.partition).toBe("x");
      expect(result.message).toContain('get(x) -> "a"');
    }
  });

  it("rejects a lost write: an acknowledged put that no later read sees, and no write replaced it", () => {
    const h = [
      op(1, 0, 10, put("x", "a"), done("put")),
      op(2, 20, 30, put("x", "b"), done("put")),
      op(3, 40, 50, get("x"), got("a")),
      op(3, 60, 70, get("x"), got("a")),
    ];
    expect(checkLinearizability(kvModel, h).ok).toBe(false);
  });

  it("rejects two compare-and-sets from the same value that both succeeded", () => {
    const h = [
      op(1, 0, 10, put("x", "a"), done("put")),
      op(2, 20, 40, cas("x", "a", "b"), casOut(true)),
      op(3, 21, 41, cas("x", "a", "c"), casOut(true)),
    ];
    expect(checkLinearizability(kvModel, h).ok).toBe(false);
  });

  it("accepts two concurrent compare-and-sets from the same value when only one succeeded", () => {
    const h = [
      op(1, 0, 10, put("x", "a"), done("put")),
      op(2, 20, 40, cas("x", "a", "b"), casOut(true)),
      op(3, 21, 41, cas("x", "a", "c"), casOut(false)),
      op(1, 50, 60, get("x"), got("b")),
    ];
    expect(checkLinearizability(kvModel, h).ok).toBe(true);
  });

  it("lets an operation that never returned take effect late", () => {
    const h = [
      op(1, 0, undefined, put("x", "late"), undefined),
      op(2, 10, 20, get("x"), got(null)),
      op(2, 100, 110, get("x"), got("late")),
    ];
    expect(checkLinearizability(kvModel, h).ok).toBe(true);
  });

  it("lets an operation that never returned not take effect at all", () => {
    const h = [
      op(1, 0, undefined, put("x", "lost"), undefined),
      op(2, 10, 20, get("x"), got(null)),
      op(2, 100, 110, get("x"), got(null)),
    ];
    expect(checkLinearizability(kvModel, h).ok).toBe(true);
  });

  it("still rejects a read of a value that an unfinished operation undid, once the read is ordered", () => {
    // The pending put may happen once; "a" cannot come back after "late" was read.
    const h = [
      op(1, 0, 5, put("x", "a"), done("put")),
      op(2, 6, undefined, put("x", "late"), undefined),
      op(3, 10, 20, get("x"), got("late")),
      op(3, 30, 40, get("x"), got("a")),
    ];
    expect(checkLinearizability(kvModel, h).ok).toBe(false);
  });

  it("handles deletes and checks keys independently", () => {
    const ok = [
      op(1, 0, 10, put("x", "a"), done("put")),
      op(1, 11, 20, del("x"), done("delete")),
      op(2, 21, 30, get("x"), got(null)),
      op(2, 0, 30, put("y", "b"), done("put")),
      op(3, 31, 40, get("y"), got("b")),
    ];
    expect(checkLinearizability(kvModel, ok).ok).toBe(true);
    const bad = [...ok, op(3, 41, 50, get("y"), got(null))];
    const result = checkLinearizability(kvModel, bad);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.partition).toBe("y");
  });

  it("reports verdict unknown, not a pass, when the search budget runs out", () => {
    const h = sequentialHistory(7, { ops: 200, keys: 1, spread: 200, pendingRate: 0.2 });
    h.push(op(9, 1_000_000, 1_000_001, get("k0"), got("never-written")));
    const result = checkLinearizability(kvModel, h, { maxStepsPerPartition: 50 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.verdict).toBe("unknown");
  });
});

describe("linearizability checker: properties", () => {
  const genOptions = fc.record({
    seed: fc.integer({ min: 0, max: 2 ** 31 }),
    ops: fc.integer({ min: 1, max: 120 }),
    keys: fc.integer({ min: 1, max: 4 }),
    spread: fc.integer({ min: 0, max: 40 }),
    // Unfinished writes are what makes rejecting a history expensive (each may take effect at any
    // later point, or never): up to 10% here, about what a faulty simulation run produces.
    pendingRate: fc.constantFrom(0, 0.05, 0.1),
  });
  // Fixed: the same samples on every run, so a slow or failing case is a reproducible one.
  const fcSeed = 20_261_124;

  it("a history produced by a sequential execution is always linearizable", () => {
    fc.assert(
      fc.property(genOptions, (g) => {
        const h = sequentialHistory(g.seed, g);
        const result = checkLinearizability(kvModel, h);
        return result.ok;
      }),
      { numRuns: 150, seed: fcSeed },
    );
  });

  it("a history with an injected impossible read is rejected", () => {
    fc.assert(
      fc.property(genOptions, fc.nat(), (g, at) => {
        const h = sequentialHistory(g.seed, g);
        const victim = h[at % h.length] as KvOp;
        // A completed read of a value nobody ever wrote.
        h.push(op(99, victim.callTime, victim.callTime + 1, get(victim.input.key), got("impossible")));
        const result = checkLinearizability(kvModel, h);
        return !result.ok && result.verdict === "not-linearizable";
      }),
      { numRuns: 150, seed: fcSeed },
    );
  });

  it("a read that returns a value overwritten before it was called is rejected", () => {
    fc.assert(
      fc.property(genOptions, (g) => {
        const h = sequentialHistory(g.seed, { ...g, pendingRate: 0 });
        const end = Math.max(...h.map((o) => o.returnTime ?? 0)) + 10;
        // Two acknowledged, non-overlapping puts after everything else, then a read of the first.
        h.push(op(50, end, end + 1, put("k0", "first"), done("put")));
        h.push(op(50, end + 2, end + 3, put("k0", "second"), done("put")));
        h.push(op(51, end + 4, end + 5, get("k0"), got("first")));
        return !checkLinearizability(kvModel, h).ok;
      }),
      { numRuns: 100, seed: fcSeed },
    );
  });
});

describe("linearizability checker: scale", () => {
  it("checks a 2,000-operation, 5-key history quickly", () => {
    const h = sequentialHistory(42, { ops: 2000, keys: 5, spread: 40, pendingRate: 0.05 });
    const started = process.hrtime.bigint();
    const result = checkLinearizability(kvModel, h);
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    expect(result.ok).toBe(true);
    // Typically a few tens of ms; the bound is loose because the machine is shared.
    expect(elapsedMs).toBeLessThan(5_000);
  });
});
