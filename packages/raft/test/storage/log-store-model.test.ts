// Property: any sequence of appends, overwrites, compactions and reopens leaves every LogStore
// holding exactly what a plain array model holds. Appends are issued without waiting (so the
// durable store's queue mixes overwrites and compactions with pending writes) and awaited only
// before a reopen, which must then find everything.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { LogEntry } from "../../src/core/types.js";
import { FileLogStore } from "../../src/storage/file-log-store.js";
import { MemoryLogStore } from "../../src/storage/memory-log-store.js";
import type { LogStore } from "../../src/storage/types.js";
import { entry, plain, tempDir } from "./helpers.js";

type Cmd =
  | { kind: "append"; count: number; size: number }
  | { kind: "overwrite"; back: number; count: number }
  | { kind: "compact"; frac: number; beyond: number }
  | { kind: "reopen" };

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("append" as const),
      count: fc.integer({ min: 1, max: 12 }),
      size: fc.integer({ min: 0, max: 90 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("overwrite" as const),
      back: fc.integer({ min: 1, max: 20 }),
      count: fc.integer({ min: 1, max: 8 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("compact" as const),
      frac: fc.double({ min: 0, max: 1, noNaN: true }),
      beyond: fc.integer({ min: 0, max: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "reopen" as const }) },
);

interface Subject {
  store: LogStore;
  reopen(): Promise<void>;
  dispose(): Promise<void>;
}

async function run(cmds: readonly Cmd[], subject: Subject): Promise<void> {
  let first = 1;
  let model: LogEntry[] = []; // model[i] has index first + i
  let term = 1;
  let pending: Promise<void>[] = [];
  const last = (): number => first + model.length - 1;
  const check = (): void => {
    expect(subject.store.firstIndex()).toBe(first);
    expect(subject.store.lastIndex()).toBe(last());
    expect(plain(subject.store.entries(first, last()))).toEqual(plain(model));
  };
  for (const cmd of cmds) {
    switch (cmd.kind) {
      case "append": {
        const batch = Array.from({ length: cmd.count }, (_, i) =>
          entry(last() + 1 + i, term, "command", cmd.size),
        );
        pending.push(subject.store.append(batch));
        model.push(...batch);
        break;
      }
      case "overwrite": {
        if (model.length === 0) break;
        const from = Math.max(first, last() - cmd.back + 1);
        term++;
        const batch = Array.from({ length: cmd.count }, (_, i) => entry(from + i, term, "noop", 7));
        pending.push(subject.store.append(batch));
        model = [...model.slice(0, from - first), ...batch];
        break;
      }
      case "compact": {
        const k = first - 1 + Math.floor(cmd.frac * (model.length + 1)) + (cmd.beyond === 3 ? 5 : 0);
        pending.push(subject.store.compact(k));
        if (k >= first) {
          model = k >= last() ? [] : model.slice(k - first + 1);
          first = k + 1;
        }
        break;
      }
      case "reopen":
        await Promise.all(pending);
        pending = [];
        await subject.reopen();
        break;
    }
    check();
  }
  await Promise.all(pending);
  await subject.reopen();
  check();
}

describe("LogStore model property (fast-check)", () => {
  it("MemoryLogStore matches the model", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(cmdArb, { maxLength: 40 }), async (cmds) => {
        const subject: Subject = {
          store: new MemoryLogStore(),
          reopen: async () => {
            subject.store = (subject.store as MemoryLogStore).crash();
          },
          dispose: async () => {},
        };
        await run(cmds, subject);
      }),
      { numRuns: 200 },
    );
  });

  it("FileLogStore (small segments, tiny cache) matches the model across reopens", async () => {
    const tmp = await tempDir("model");
    let n = 0;
    const opts = { maxSegmentBytes: 500, maxCachedEntries: 3, maxCachedBytes: 400 };
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(cmdArb, { maxLength: 30 }), async (cmds) => {
          const dir = `${tmp.dir}/run-${++n}`;
          const subject: Subject = {
            store: await FileLogStore.open(dir, opts),
            reopen: async () => {
              await subject.store.close();
              subject.store = await FileLogStore.open(dir, opts);
            },
            dispose: async () => subject.store.close(),
          };
          try {
            await run(cmds, subject);
          } finally {
            await subject.dispose();
          }
        }),
        { numRuns: 100 },
      );
    } finally {
      await tmp.cleanup();
    }
  }, 120_000);
});
