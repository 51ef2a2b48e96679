// Lifeguard arithmetic and the transmit-limited broadcast queue, as memberlist defines them.
import { describe, expect, it } from "vitest";
import { BroadcastQueue, retransmitLimit } from "../../src/core/broadcast-queue.js";
import { Awareness, Suspicion, suspicionRemainingMs, suspicionTimeoutMs } from "../../src/core/suspicion.js";

describe("Lifeguard suspicion", () => {
  it("min timeout = mult × max(1, log10 N) × probe interval (4.0 / 5.2 / 6.8 s at N = 5 / 20 / 50, Go truncation)", () => {
    expect(suspicionTimeoutMs(4, 5, 1000)).toBe(4000);
    expect(suspicionTimeoutMs(4, 20, 1000)).toBe(5204);
    expect(suspicionTimeoutMs(4, 50, 1000)).toBe(6792);
  });

  it("starts at max and shrinks toward min as independent confirmations arrive; duplicates do not count", () => {
    const s = new Suspicion("a", 2, 4000, 24_000, 0);
    expect(s.deadlineMs).toBe(24_000);
    expect(s.confirm("a")).toBe(false); // the accuser is not a confirmation
    expect(s.confirm("b")).toBe(true);
    expect(s.deadlineMs).toBe(suspicionRemainingMs(1, 2, 4000, 24_000));
    expect(s.deadlineMs).toBeLessThan(24_000);
    expect(s.confirm("b")).toBe(false);
    expect(s.confirm("c")).toBe(true);
    expect(s.deadlineMs).toBe(4000);
    expect(s.confirm("d")).toBe(false); // k reached: nothing more to re-gossip
  });

  it("with k = 0 (tiny clusters) the timeout is min from the start", () => {
    expect(new Suspicion("a", 0, 4000, 24_000, 100).deadlineMs).toBe(4100);
  });

  it("local health awareness scales timeouts up to the max multiplier and back down", () => {
    const a = new Awareness(8);
    a.apply(100);
    expect(a.scale(1000)).toBe(8000);
    a.apply(-3);
    expect(a.scale(1000)).toBe(5000);
    a.apply(-100);
    expect(a.scale(1000)).toBe(1000);
  });
});

describe("transmit-limited broadcast queue", () => {
  it("limit = retransmitMult × ceil(log10(N+1)): 4 at N <= 9, 8 at N <= 99; a floor can raise it", () => {
    expect(retransmitLimit(4, 5)).toBe(4);
    expect(retransmitLimit(4, 9)).toBe(4);
    expect(retransmitLimit(4, 10)).toBe(8);
    expect(retransmitLimit(4, 5, 8)).toBe(8);
  });

  it("each message is sent at most `limit` times, least-sent first, then dropped and finished", () => {
    const q = new BroadcastQueue(100);
    let finished = 0;
    q.queue("x", Uint8Array.of(1), () => finished++);
    for (let i = 0; i < 3; i++) expect(q.take(2, 1000, 3)).toHaveLength(1);
    expect(q.take(2, 1000, 3)).toHaveLength(0);
    expect(finished).toBe(1);
  });

  it("a newer message about the same node replaces the queued one (invalidation)", () => {
    const q = new BroadcastQueue(100);
    q.queue("n1", Uint8Array.of(1));
    q.queue("n2", Uint8Array.of(2));
    q.queue("n1", Uint8Array.of(3));
    expect(q.take(0, 1000, 10).map((b) => b[0])).toEqual([3, 2]);
  });

  it("respects the byte budget and the queue bound", () => {
    const q = new BroadcastQueue(16);
    for (let i = 0; i < 40; i++) q.queue(null, new Uint8Array(100));
    expect(q.length).toBe(16);
    expect(q.take(2, 1400, 4)).toHaveLength(13);
  });
});
