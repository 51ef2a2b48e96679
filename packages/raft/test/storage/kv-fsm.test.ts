import { describe, expect, it } from "vitest";
import type { LogEntry } from "../../src/core/types.js";
import { decodeKvCommand, encodeKvCommand, type KvCommand } from "../../src/storage/kv-command.js";
import { KvFsm } from "../../src/storage/kv-fsm.js";
import { MemorySnapshotStore } from "../../src/storage/memory-snapshot-store.js";
import { meta } from "./snapshot-store-contract.js";

let nextIndex = 1;
function cmd(c: KvCommand): LogEntry {
  return { index: nextIndex++, term: 1, type: "command", data: encodeKvCommand(c) };
}

describe("KvFsm", () => {
  it("put, get, delete and cas behave like a map and report what happened", () => {
    const fsm = new KvFsm();
    expect(fsm.apply(cmd({ op: "get", key: "a" }))).toEqual({ op: "get", ok: true, value: null });
    expect(fsm.apply(cmd({ op: "put", key: "a", value: "1" }))).toEqual({ op: "put", ok: true });
    expect(fsm.apply(cmd({ op: "get", key: "a" }))).toEqual({ op: "get", ok: true, value: "1" });
    expect(fsm.apply(cmd({ op: "cas", key: "a", from: "0", to: "2" }))).toEqual({
      op: "cas",
      ok: false,
      value: "1",
    });
    expect(fsm.apply(cmd({ op: "cas", key: "a", from: "1", to: "2" }))).toEqual({
      op: "cas",
      ok: true,
      value: "2",
    });
    expect(fsm.apply(cmd({ op: "cas", key: "b", from: null, to: "x" }))).toEqual({
      op: "cas",
      ok: true,
      value: "x",
    });
    expect(fsm.apply(cmd({ op: "cas", key: "b", from: null, to: "y" }))).toEqual({
      op: "cas",
      ok: false,
      value: "x",
    });
    expect(fsm.apply(cmd({ op: "delete", key: "a" }))).toEqual({ op: "delete", ok: true, existed: true });
    expect(fsm.apply(cmd({ op: "delete", key: "a" }))).toEqual({ op: "delete", ok: true, existed: false });
    expect(fsm.dump()).toEqual([["b", "x"]]);
  });

  it("undecodable or malformed commands yield an invalid result without changing state or throwing", () => {
    const fsm = new KvFsm();
    const bad = { index: 1, term: 1, type: "command" as const, data: new Uint8Array([0xc1]) };
    expect(fsm.apply(bad)).toMatchObject({ op: "invalid", ok: false });
    expect(decodeKvCommand(encodeKvCommand({ op: "put", key: "k", value: 3 as unknown as string }))).toBe(
      "put.value must be a string",
    );
    expect(fsm.appliedIndex).toBe(1);
    expect(fsm.size).toBe(0);
  });

  it("noop and configuration entries only advance appliedIndex", () => {
    const fsm = new KvFsm();
    expect(fsm.apply({ index: 7, term: 1, type: "noop", data: new Uint8Array() })).toBeUndefined();
    expect(fsm.appliedIndex).toBe(7);
  });

  it("a snapshot captures the state when taken, and restore reproduces it", async () => {
    const fsm = new KvFsm();
    fsm.apply(cmd({ op: "put", key: "x", value: "1" }));
    fsm.apply(cmd({ op: "put", key: "y", value: "2" }));
    const snap = fsm.snapshot();
    fsm.apply(cmd({ op: "put", key: "z", value: "3" })); // after the snapshot: not in it
    const store = new MemorySnapshotStore();
    await snap.persist(store.create(meta(2, 1)));
    const other = new KvFsm();
    other.restore((await store.open(store.list()[0]!.id)).data);
    expect(other.dump()).toEqual([
      ["x", "1"],
      ["y", "2"],
    ]);
    expect(other.appliedIndex).toBe(fsm.appliedIndex - 1);
  });
});
