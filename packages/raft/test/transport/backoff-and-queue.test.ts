import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Backoff } from "../../src/transport/backoff.js";
import { SendQueue } from "../../src/transport/send-queue.js";

describe("Backoff", () => {
  it("doubles from min to max, with jitter keeping each delay in [nominal/2, nominal]", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 0.999999, noNaN: true }), { minLength: 20, maxLength: 20 }),
        (rolls) => {
          let i = 0;
          const backoff = new Backoff(50, 2000, () => rolls[i++] ?? 0);
          const delays = rolls.map(() => backoff.next());
          delays.forEach((delay, n) => {
            const nominal = Math.min(2000, 50 * 2 ** n);
            expect(delay).toBeGreaterThanOrEqual(Math.max(50, Math.floor(nominal / 2)));
            expect(delay).toBeLessThanOrEqual(nominal);
          });
        },
      ),
    );
  });

  it("starts over after reset", () => {
    const backoff = new Backoff(50, 2000, () => 0.999);
    for (let i = 0; i < 10; i++) backoff.next();
    backoff.reset();
    expect(backoff.next()).toBeLessThanOrEqual(50);
  });
});

describe("SendQueue", () => {
  it("refuses messages beyond its count or byte bound", () => {
    const byCount = new SendQueue(2, 1000);
    expect([1, 2, 3].map(() => byCount.push(new Uint8Array(10)))).toEqual([true, true, false]);
    const byBytes = new SendQueue(100, 25);
    expect([1, 2, 3].map(() => byBytes.push(new Uint8Array(10)))).toEqual([true, true, false]);
    expect(byBytes.bytes).toBe(20);
  });

  it("takes whole messages in FIFO order up to a byte budget, at least one", () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 50 }), { maxLength: 200 }),
        fc.integer({ min: 1, max: 120 }),
        (sizes, budget) => {
          const queue = new SendQueue(10_000, 1_000_000);
          sizes.forEach((size, i) => queue.push(new Uint8Array(size).fill(i & 0xff)));
          const out: number[] = [];
          while (queue.length > 0) {
            const { bodies, bytes } = queue.take(budget);
            expect(bodies.length).toBeGreaterThan(0);
            expect(bytes === bodies.reduce((n, b) => n + b.length, 0)).toBe(true);
            if (bodies.length > 1) expect(bytes).toBeLessThanOrEqual(budget);
            out.push(...bodies.map((b) => b.length));
          }
          expect(out).toEqual(sizes);
          expect(queue.bytes).toBe(0);
        },
      ),
    );
  });

  it("clear() reports what it discarded", () => {
    const queue = new SendQueue(10, 1000);
    queue.push(new Uint8Array(1));
    queue.push(new Uint8Array(1));
    expect(queue.clear()).toBe(2);
    expect(queue.length).toBe(0);
  });
});
