// Property: after any sequence of written, cancelled and abandoned snapshots and reopens, a
// SnapshotStore lists exactly the newest `retain` closed snapshots of a plain model (by index,
// then term, then creation order), and each opens to its own bytes.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FileSnapshotStore } from "../../src/storage/file-snapshot-store.js";
import { MemorySnapshotStore } from "../../src/storage/memory-snapshot-store.js";
import type { SnapshotStore } from "../../src/storage/types.js";
import { tempDir } from "./helpers.js";
import { bytes, meta } from "./snapshot-store-contract.js";

type Cmd =
  | { kind: "write"; index: number; term: number; size: number }
  | { kind: "cancel"; index: number }
  | { kind: "abandon"; index: number }
  | { kind: "reopen" };

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("write" as const),
      index: fc.integer({ min: 1, max: 30 }),
      term: fc.integer({ min: 1, max: 3 }),
      size: fc.integer({ min: 0, max: 3000 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("cancel" as const), index: fc.integer({ min: 1, max: 30 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("abandon" as const), index: fc.integer({ min: 1, max: 30 }) }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "reopen" as const }) },
);

interface Held {
  index: number;
  term: number;
  seq: number;
  seed: number;
  size: number;
}

async function run(cmds: readonly Cmd[], retain: number, open: () => Promise<SnapshotStore>): Promise<void> {
  let store = await open();
  let model: Held[] = [];
  let seq = 0;
  let seed = 0;
  const check = async (): Promise<void> => {
    const listed = store.list();
    expect(listed.map((s) => [s.meta.index, s.meta.term, s.sizeBytes])).toEqual(
      model.map((h) => [h.index, h.term, h.size]),
    );
    for (const [i, s] of listed.entries()) {
      const h = model[i]!;
      expect(Buffer.from((await store.open(s.id)).data).equals(Buffer.from(bytes(h.size, h.seed)))).toBe(
        true,
      );
    }
  };
  for (const cmd of cmds) {
    switch (cmd.kind) {
      case "write": {
        const sink = store.create(meta(cmd.index, cmd.term));
        const data = bytes(cmd.size, ++seed);
        for (let at = 0; at < data.byteLength; at += 700) sink.write(data.subarray(at, at + 700));
        await sink.close();
        model.push({ index: cmd.index, term: cmd.term, seq: ++seq, seed, size: cmd.size });
        model.sort((a, b) => b.index - a.index || b.term - a.term || b.seq - a.seq);
        model = model.slice(0, retain);
        break;
      }
      case "cancel": {
        const sink = store.create(meta(cmd.index, 1));
        sink.write(bytes(10, 0));
        await sink.cancel();
        break;
      }
      case "abandon": // a sink never closed, as when the process dies mid-snapshot
        store.create(meta(cmd.index, 1)).write(bytes(10, 0));
        break;
      case "reopen":
        await store.close();
        store = await open();
        break;
    }
    await check();
  }
  await store.close();
}

describe("SnapshotStore model property (fast-check)", () => {
  it("MemorySnapshotStore keeps the newest `retain` closed snapshots", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(cmdArb, { maxLength: 25 }),
        fc.integer({ min: 1, max: 3 }),
        async (cmds, retain) => {
          let current: MemorySnapshotStore | undefined;
          await run(cmds, retain, async () => {
            current = current === undefined ? new MemorySnapshotStore({ retain }) : current.crash();
            return current;
          });
        },
      ),
      { numRuns: 150 },
    );
  });

  it("FileSnapshotStore keeps the newest `retain` closed snapshots across reopens", async () => {
    const tmp = await tempDir("snapmodel");
    let n = 0;
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(cmdArb, { maxLength: 15 }),
          fc.integer({ min: 1, max: 3 }),
          async (cmds, retain) => {
            const dir = `${tmp.dir}/run-${++n}`;
            await run(cmds, retain, () => FileSnapshotStore.open(dir, { retain }));
          },
        ),
        { numRuns: 25 },
      );
    } finally {
      await tmp.cleanup();
    }
  }, 120_000);
});
