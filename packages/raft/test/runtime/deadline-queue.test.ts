import { describe, expect, it } from "vitest";
import { DeadlineQueue, type Deadline } from "../../src/runtime/deadline-queue.js";

function item(deadline: number, log: number[]): Deadline {
  return { deadline, done: false, expire: () => log.push(deadline) };
}

describe("DeadlineQueue", () => {
  it("expires items whose deadline passed, in deadline order, including out-of-order pushes", () => {
    const q = new DeadlineQueue();
    const log: number[] = [];
    for (const d of [10, 20, 30, 5, 25, 15]) q.push(item(d, log));
    q.expire(16);
    expect(log).toEqual([10, 5, 15]);
    q.expire(100);
    expect(log).toEqual([10, 5, 15, 20, 30, 25]);
    expect(q.size).toBe(0);
  });

  it("never expires an item that is already done", () => {
    const q = new DeadlineQueue();
    const log: number[] = [];
    const a = item(1, log);
    q.push(a);
    a.done = true;
    q.expire(10);
    expect(log).toEqual([]);
  });

  it("drain hands back the items still pending", () => {
    const q = new DeadlineQueue();
    const log: number[] = [];
    const a = item(1, log);
    const b = item(2, log);
    q.push(a);
    q.push(b);
    a.done = true;
    expect(q.drain()).toEqual([b]);
  });
});
