// Unit and property tests for the core's building blocks: the in-memory log, the in-flight ring,
// quorum arithmetic, the configuration codec and the snapshot receiver.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyChange, decodeConfiguration, encodeConfiguration } from "../../src/core/configuration.js";
import { Inflights } from "../../src/core/inflights.js";
import { quorumSize, quorumValue } from "../../src/core/quorum.js";
import { RaftLog } from "../../src/core/raft-log.js";
import { SnapshotReceiver } from "../../src/core/snapshot-receiver.js";
import type { InstallSnapshotRequest } from "../../src/core/messages.js";
import { cmd, logWithTerms, voters } from "./helpers/single.js";

describe("RaftLog", () => {
  it("tracks first/last index and terms across appends, truncation and compaction", () => {
    const log = new RaftLog(undefined, logWithTerms(["a"], [1, 1, 2, 2, 3]));
    expect([log.firstIndex(), log.lastIndex(), log.lastTerm()]).toEqual([1, 5, 3]);
    log.committed = 3;
    log.applied = 3;
    log.truncateFrom(5);
    expect(log.lastIndex()).toBe(4);
    expect(() => log.truncateFrom(3)).toThrow(/committed/);
    log.compactTo(2);
    expect(log.firstIndex()).toBe(3);
    expect(log.term(2)).toBe(1); // the term just before the window is remembered
    expect(log.term(1)).toBeUndefined();
    log.append(cmd(5, 4));
    expect(log.slice(3, 5).map((e) => e.term)).toEqual([2, 2, 4]);
  });

  it("never compacts past what is applied", () => {
    const log = new RaftLog(undefined, logWithTerms(["a"], [1, 1, 1, 1]));
    log.applied = 2;
    log.compactTo(4);
    expect(log.firstIndex()).toBe(3);
  });

  it("findConflictByTerm returns the last index at or below a term", () => {
    const log = new RaftLog(undefined, logWithTerms(["a"], [1, 1, 2, 2, 5, 5]));
    expect(log.findConflictByTerm(6, 3)).toBe(4);
    expect(log.findConflictByTerm(6, 1)).toBe(2);
    expect(log.findConflictByTerm(3, 9)).toBe(3);
  });

  it("sliceBounded respects both the count and the byte budget (but always returns one entry)", () => {
    const entries = logWithTerms(["a"], [1, 1, 1, 1, 1, 1]);
    const log = new RaftLog(undefined, entries);
    expect(log.sliceBounded(2, 3, 1 << 20).map((e) => e.index)).toEqual([2, 3, 4]);
    expect(log.sliceBounded(2, 10, 1).map((e) => e.index)).toEqual([2]);
  });

  it("a restored log drops a suffix that does not chain onto the snapshot", () => {
    const snapshot = { index: 3, term: 3, configuration: voters("a"), configurationIndex: 1 };
    // Entries 4.. of term 2 were left in the store after the snapshot of term 3 replaced them.
    const log = new RaftLog(snapshot, [cmd(4, 2), cmd(5, 2)]);
    expect([log.lastIndex(), log.lastTerm()]).toEqual([3, 3]);
    const good = new RaftLog(snapshot, [cmd(4, 3), cmd(5, 4)]);
    expect([good.lastIndex(), good.lastTerm(), good.committed]).toEqual([5, 4, 3]);
    expect(() => new RaftLog(undefined, [cmd(1, 1), cmd(3, 1)])).toThrow(/contiguous/);
  });

  it("keeps trailing entries from before the snapshot that the store still holds", () => {
    const snapshot = { index: 3, term: 2, configuration: voters("a"), configurationIndex: 1 };
    const log = new RaftLog(snapshot, [cmd(2, 1), cmd(3, 2), cmd(4, 2)]);
    expect([log.firstIndex(), log.lastIndex(), log.term(3), log.term(2)]).toEqual([2, 4, 2, 1]);
  });
});

describe("Inflights", () => {
  it("is bounded by count and by bytes, and frees acknowledged appends in order", () => {
    const f = new Inflights(3, 100);
    f.add(5, 10);
    f.add(9, 10);
    expect(f.full()).toBe(false);
    f.add(12, 10);
    expect(f.full()).toBe(true);
    expect(() => f.add(13, 1)).toThrow();
    f.freeTo(9);
    expect([f.count, f.bytes]).toEqual([1, 10]);
    f.add(20, 95);
    expect(f.full()).toBe(true); // bytes
    f.freeTo(100);
    expect([f.count, f.bytes]).toEqual([0, 0]);
  });

  it("wraps around its ring without losing order (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 200 }), (steps) => {
        const f = new Inflights(4, 1_000_000);
        const model: number[] = [];
        let last = 0;
        for (const s of steps) {
          if (!f.full()) {
            last += s;
            f.add(last, 1);
            model.push(last);
          } else {
            const upTo = model[0]! + (s % 2);
            f.freeTo(upTo);
            while (model.length > 0 && model[0]! <= upTo) model.shift();
          }
          expect(f.count).toBe(model.length);
        }
      }),
    );
  });
});

describe("quorum", () => {
  it("a majority of n voters", () => {
    expect([1, 2, 3, 4, 5].map(quorumSize)).toEqual([1, 2, 2, 3, 3]);
  });

  it("quorumValue is the largest value a majority has reached (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(1000), { minLength: 1, maxLength: 9 }), (values) => {
        const v = quorumValue(values.slice());
        const atLeast = values.filter((x) => x >= v).length;
        expect(atLeast).toBeGreaterThanOrEqual(quorumSize(values.length));
        expect(values.filter((x) => x > v).length).toBeLessThan(quorumSize(values.length));
      }),
    );
  });
});

describe("configuration codec and changes", () => {
  it("encodes canonically (same servers, same bytes, whatever the key order) and round-trips", () => {
    const a = encodeConfiguration(voters("x", "y"));
    const b = encodeConfiguration({
      servers: [
        { suffrage: "voter", address: "x:7000", id: "x" } as never,
        { address: "y:7000", suffrage: "voter", id: "y" } as never,
      ],
    });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(decodeConfiguration(a)).toEqual(voters("x", "y"));
    expect(() => decodeConfiguration(new Uint8Array([0xc0]))).toThrow(/malformed/);
  });

  it("applies one change at a time with hashicorp/raft semantics", () => {
    const base = voters("a", "b");
    const withN = applyChange(base, { type: "addNonvoter", id: "n", address: "n:1" })!;
    expect(withN.servers.find((s) => s.id === "n")?.suffrage).toBe("nonvoter");
    const promoted = applyChange(withN, { type: "addVoter", id: "n", address: "n:1" })!;
    expect(promoted.servers.find((s) => s.id === "n")?.suffrage).toBe("voter");
    const notDemoted = applyChange(promoted, { type: "addNonvoter", id: "n", address: "n:2" })!;
    expect(notDemoted.servers.find((s) => s.id === "n")).toEqual({
      id: "n",
      address: "n:2",
      suffrage: "voter",
    });
    expect(applyChange(voters("a"), { type: "removeServer", id: "a" })).toBeUndefined();
  });
});

describe("SnapshotReceiver", () => {
  const meta = { index: 5, term: 1, configuration: voters("a"), configurationIndex: 1 };
  const chunk = (offset: number, bytes: number[], done = false, totalBytes = 4): InstallSnapshotRequest => ({
    type: "installSnapshot",
    from: "l",
    to: "f",
    term: 1,
    meta,
    offset,
    data: new Uint8Array(bytes),
    done,
    totalBytes,
  });

  it("assembles in-order chunks, re-acknowledges duplicates, restarts on a gap or overflow", () => {
    const r = new SnapshotReceiver();
    expect(r.receive(chunk(0, [1, 2]), 100)).toEqual({ kind: "progress", nextOffset: 2 });
    expect(r.receive(chunk(0, [1, 2]), 100)).toEqual({ kind: "progress", nextOffset: 2 });
    expect(r.receive(chunk(1, [2]), 100)).toEqual({ kind: "progress", nextOffset: 2 });
    const done = r.receive(chunk(2, [3, 4], true), 100);
    expect(done.kind).toBe("complete");
    expect(done.kind === "complete" && [...done.data]).toEqual([1, 2, 3, 4]);
    expect(r.receive(chunk(2, [3, 4]), 100)).toEqual({ kind: "restart" });
    expect(r.receive(chunk(0, [1, 2]), 3)).toEqual({ kind: "restart" });
  });
});
