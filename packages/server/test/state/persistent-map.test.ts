import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PersistentMap } from "../../src/state/persistent-map.js";

describe("PersistentMap", () => {
  it("keeps keys sorted and answers get/has/size", () => {
    let m = PersistentMap.empty<number>();
    for (const k of ["m", "c", "x", "a", "q"]) m = m.set(k, k.charCodeAt(0));
    expect(m.entries().map(([k]) => k)).toEqual(["a", "c", "m", "q", "x"]);
    expect(m.get("q")).toBe("q".charCodeAt(0));
    expect(m.has("b")).toBe(false);
    expect(m.size).toBe(5);
  });

  it("a write never changes an older version (structural sharing, not mutation)", () => {
    const v1 = PersistentMap.empty<string>().set("a", "1").set("b", "2");
    const v2 = v1.set("a", "changed").delete("b").set("c", "3");
    expect(v1.entries()).toEqual([
      ["a", "1"],
      ["b", "2"],
    ]);
    expect(v2.entries()).toEqual([
      ["a", "changed"],
      ["c", "3"],
    ]);
  });

  it("deleting an absent key returns the same map", () => {
    const m = PersistentMap.empty<number>().set("a", 1);
    expect(m.delete("zz")).toBe(m);
  });

  it("prefix scans return exactly the keys with that prefix, in order", () => {
    let m = PersistentMap.empty<string>();
    for (const k of ["n1\u0000a", "n1\u0000b", "n10\u0000c", "n2\u0000d", "n1"]) m = m.set(k, k);
    expect(m.prefix("n1\u0000")).toEqual(["n1\u0000a", "n1\u0000b"]);
    expect(m.prefix("n1")).toEqual(["n1", "n1\u0000a", "n1\u0000b", "n10\u0000c"]);
    expect(m.hasPrefix("n2\u0000")).toBe(true);
    expect(m.hasPrefix("n3")).toBe(false);
  });

  it("fromSorted refuses unsorted input and fromEntries sorts it", () => {
    expect(() =>
      PersistentMap.fromSorted([
        ["b", 1],
        ["a", 2],
      ]),
    ).toThrow(/strictly increasing/);
    const m = PersistentMap.fromEntries([
      ["b", 1],
      ["a", 2],
      ["b", 3],
    ]);
    expect(m.entries()).toEqual([
      ["a", 2],
      ["b", 3],
    ]);
  });

  it("behaves like a sorted Map under any sequence of sets and deletes (property)", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("set" as const), key: fc.string({ maxLength: 3 }), value: fc.integer() }),
      fc.record({ kind: fc.constant("del" as const), key: fc.string({ maxLength: 3 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        let m = PersistentMap.empty<number>();
        const ref = new Map<string, number>();
        const versions: [PersistentMap<number>, [string, number][]][] = [];
        for (const o of ops) {
          if (o.kind === "set") {
            m = m.set(o.key, o.value);
            ref.set(o.key, o.value);
          } else {
            m = m.delete(o.key);
            ref.delete(o.key);
          }
          versions.push([m, [...ref.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))]);
        }
        // Every historical version still reads as it did when it was made.
        for (const [v, expected] of versions) {
          expect(v.entries()).toEqual(expected);
          expect(v.size).toBe(expected.length);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("stays balanced: 100k sequential inserts then lookups are fast", () => {
    let m = PersistentMap.empty<number>();
    const n = 100_000;
    for (let i = 0; i < n; i++) m = m.set(String(i).padStart(6, "0"), i);
    expect(m.size).toBe(n);
    for (let i = 0; i < n; i += 997) expect(m.get(String(i).padStart(6, "0"))).toBe(i);
    for (let i = 0; i < n; i += 2) m = m.delete(String(i).padStart(6, "0"));
    expect(m.size).toBe(n / 2);
    expect(m.prefix("01").length).toBe(5_000);
  });
});
