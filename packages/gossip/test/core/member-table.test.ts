import { describe, expect, it } from "vitest";
import {
  ALIVE,
  DEAD,
  LEFT,
  MemberIds,
  MemberTable,
  SUSPECT,
  type Identity,
} from "../../src/core/member-table.js";

const bytes = (...b: number[]) => Uint8Array.from(b);

function ident(ids: MemberIds, id: number, name: string, port = 7946, meta: Uint8Array | null = null) {
  return ids.identity(
    id,
    name,
    { host: "10.0.0.1", port },
    bytes(10, 0, 0, 1),
    meta,
    [1, 5, 2, 2, 5, 5],
    bytes(1, 5, 2, 2, 5, 5),
  );
}

function addMember(t: MemberTable, name: string, now = 0): number {
  return t.add(name, now, (id) => ident(t.ids, id, name));
}

function names(t: MemberTable): string[] {
  const out: string[] = [];
  t.forEach((id) => out.push(t.name(id)));
  return out;
}

describe("MemberTable", () => {
  it("iterates in insertion order, and a forgotten then re-added member goes last (as a Map)", () => {
    const t = new MemberTable();
    const a = addMember(t, "a");
    addMember(t, "b");
    addMember(t, "c");
    expect(names(t)).toEqual(["a", "b", "c"]);
    t.remove(a);
    expect(t.idOf("a")).toBe(-1);
    expect(names(t)).toEqual(["b", "c"]);
    addMember(t, "a");
    expect(names(t)).toEqual(["b", "c", "a"]);
    expect([...t.idList()].map((id) => t.name(id))).toEqual(["b", "c", "a"]);
    expect(t.size).toBe(3);
  });

  it("a member added starts dead at incarnation 0; state changes keep the alive/suspect count", () => {
    const t = new MemberTable();
    const a = addMember(t, "a", 5);
    expect(t.info(a)).toMatchObject({ name: "a", state: "dead", incarnation: 0, stateChangeMs: 5 });
    expect(t.up).toBe(0);
    t.setState(a, ALIVE, 10);
    t.setIncarnation(a, 3);
    expect(t.up).toBe(1);
    t.setState(a, SUSPECT, 20);
    expect(t.up).toBe(1);
    expect(t.info(a)).toMatchObject({ state: "suspect", incarnation: 3, stateChangeMs: 20 });
    t.setState(a, LEFT, 30);
    expect(t.up).toBe(0);
    t.setState(a, ALIVE, 40);
    t.remove(a);
    expect(t.up).toBe(0);
    expect(t.size).toBe(0);
  });

  it("grows past its initial capacity and keeps every column", () => {
    const t = new MemberTable();
    for (let i = 0; i < 1000; i++) {
      const id = addMember(t, `n${i}`, i);
      t.setIncarnation(id, i * 7);
      t.setState(id, i % 2 === 0 ? ALIVE : DEAD, i);
    }
    for (let i = 0; i < 1000; i++) {
      const id = t.idOf(`n${i}`);
      expect(t.incarnation(id)).toBe(i * 7);
      expect(t.stateName(id)).toBe(i % 2 === 0 ? "alive" : "dead");
      expect(t.stateChangeMs(id)).toBe(i);
    }
    expect(t.up).toBe(500);
  });

  it("a private registry recycles a forgotten member's id; a shared one never does", () => {
    const own = new MemberTable();
    const a = addMember(own, "a");
    own.remove(a);
    expect(addMember(own, "b")).toBe(a);
    expect(own.name(a)).toBe("b");

    const shared = new MemberIds(true);
    const t1 = new MemberTable(shared);
    const t2 = new MemberTable(shared);
    const x = addMember(t1, "x");
    expect(addMember(t2, "x")).toBe(x);
    t1.remove(x);
    expect(addMember(t1, "y")).not.toBe(x);
    expect(t2.name(x)).toBe("x");
    expect(t1.idOf("x")).toBe(-1);
    expect(t2.idOf("x")).toBe(x);
  });

  it("tables sharing a registry share equal identities, and a changed one is a new object", () => {
    const shared = new MemberIds(true);
    const id = shared.intern("a");
    const first: Identity = ident(shared, id, "a");
    expect(ident(shared, id, "a")).toBe(first);
    const moved = ident(shared, id, "a", 7947);
    expect(moved).not.toBe(first);
    expect(moved.addr.port).toBe(7947);
    const tagged = ident(shared, id, "a", 7947, bytes(1, 2));
    expect(tagged.meta).toEqual(bytes(1, 2));
    expect(ident(shared, id, "a", 7947, bytes(1, 2))).toBe(tagged);
  });
});
