// The broadcast queue against a reference model written for clarity, not speed: each item
// carries its transmit count and an arrival stamp, and every take sorts. Random operation
// sequences (queue with or without a key, takes with random budgets) must produce the same
// packets, the same finisher calls in the same order, and the same length, step by step.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BroadcastQueue } from "../../src/core/broadcast-queue.js";

const MIN_MESSAGE_BYTES = 8;
const MAX_MISSES = 32;

interface ModelItem {
  readonly key: string | null;
  readonly msg: Uint8Array;
  readonly tag: number;
  transmits: number;
  /** Higher = newer within its transmit count (set on arrival and on each re-bucketing). */
  stamp: number;
}

/** memberlist's TransmitLimitedQueue semantics, spelled out. */
class ModelQueue {
  private items: ModelItem[] = [];
  private clock = 0;
  constructor(
    private readonly maxItems: number,
    private readonly finished: number[],
  ) {}

  get length(): number {
    return this.items.length;
  }

  queue(key: string | null, msg: Uint8Array, tag: number): void {
    if (key !== null) {
      const old = this.items.find((x) => x.key === key);
      if (old !== undefined) this.remove(old, this.finished);
    }
    this.items.push({ key, msg, tag, transmits: 0, stamp: this.clock++ });
    while (this.items.length > this.maxItems) {
      // the most-sent go first, the oldest among them
      const top = Math.max(...this.items.map((x) => x.transmits));
      const victim = this.items
        .filter((x) => x.transmits === top)
        .reduce((a, b) => (a.stamp < b.stamp ? a : b));
      this.remove(victim, this.finished);
    }
  }

  take(overhead: number, limit: number, transmitLimit: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    const taken: ModelItem[] = [];
    const due: number[] = [];
    let used = 0;
    const levels = [...new Set(this.items.map((x) => x.transmits))].sort((a, b) => a - b);
    for (const t of levels) {
      if (limit - used < overhead + MIN_MESSAGE_BYTES) break;
      const level = this.items.filter((x) => x.transmits === t).sort((a, b) => b.stamp - a.stamp);
      let misses = 0;
      for (const x of level) {
        if (misses >= MAX_MISSES || limit - used < overhead + MIN_MESSAGE_BYTES) break;
        if (used + overhead + x.msg.length > limit) {
          misses++;
          continue;
        }
        misses = 0;
        used += overhead + x.msg.length;
        out.push(x.msg);
        taken.push(x);
      }
    }
    for (const x of taken) {
      x.transmits++;
      if (x.transmits >= transmitLimit) this.remove(x, due);
    }
    // re-bucketed oldest-first: the last taken of a level becomes the oldest of the next
    for (let i = taken.length - 1; i >= 0; i--) {
      const x = taken[i] as ModelItem;
      if (x.transmits < transmitLimit) x.stamp = this.clock++;
    }
    this.finished.push(...due);
    return out;
  }

  private remove(x: ModelItem, finished: number[]): void {
    this.items = this.items.filter((y) => y !== x);
    finished.push(x.tag);
  }
}

type Op =
  | { readonly kind: "queue"; readonly key: number | null; readonly size: number }
  | { readonly kind: "take"; readonly overhead: number; readonly limit: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("queue" as const),
      key: fc.option(fc.integer({ min: 0, max: 12 }), { nil: null }),
      size: fc.integer({ min: 8, max: 120 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("take" as const),
      overhead: fc.integer({ min: 0, max: 4 }),
      limit: fc.integer({ min: 0, max: 600 }),
    }),
  },
);

describe("broadcast queue", () => {
  it("takes, evicts, invalidates and finishes exactly as the reference model, step by step", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 24 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(opArb, { maxLength: 300 }),
        (maxItems, transmitLimit, ops) => {
          const gotFinished: number[] = [];
          const wantFinished: number[] = [];
          const q = new BroadcastQueue(maxItems);
          const model = new ModelQueue(maxItems, wantFinished);
          ops.forEach((op, tag) => {
            if (op.kind === "queue") {
              const msg = new Uint8Array(op.size);
              const key = op.key === null ? null : `k${op.key}`;
              q.queue(key, msg, () => gotFinished.push(tag));
              model.queue(key, msg, tag);
            } else {
              const got = q.take(op.overhead, op.limit, transmitLimit);
              const want = model.take(op.overhead, op.limit, transmitLimit);
              // the same message objects, in the same order
              expect(got.length).toBe(want.length);
              got.forEach((m, i) => expect(m).toBe(want[i]));
            }
            expect(q.length).toBe(model.length);
            expect(gotFinished).toEqual(wantFinished);
          });
        },
      ),
      { numRuns: 300, seed: 4242 },
    );
  });

  it("a finisher that queues again during a take neither loses nor repeats a message", () => {
    const q = new BroadcastQueue(8);
    const sent: number[] = [];
    const msgs = [1, 2, 3].map((v) => Uint8Array.of(v, 0, 0, 0, 0, 0, 0, 0));
    q.queue("a", msgs[0] as Uint8Array, () => q.queue("late", msgs[2] as Uint8Array));
    q.queue("b", msgs[1] as Uint8Array);
    // limit 1: a and b both finish on this take; "late" arrives while it runs
    for (const m of q.take(0, 1400, 1)) sent.push(m[0] as number);
    expect(sent).toEqual([2, 1]);
    expect(q.length).toBe(1);
    expect(q.take(0, 1400, 1).map((m) => m[0])).toEqual([3]);
    expect(q.length).toBe(0);
  });

  it("clear finishes every queued item, oldest first within each transmit count", () => {
    const q = new BroadcastQueue(8);
    const done: string[] = [];
    for (const k of ["a", "b", "c"]) q.queue(k, new Uint8Array(10), () => done.push(k));
    q.take(0, 10, 5); // c (the newest) moves to transmit count 1
    q.clear();
    expect(done).toEqual(["a", "b", "c"]);
    expect(q.length).toBe(0);
  });
});
