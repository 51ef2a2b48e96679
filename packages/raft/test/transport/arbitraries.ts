// fast-check generators of valid Raft messages, shared by the codec and transport tests.
import fc from "fast-check";
import type { AppendRequest, Message } from "../../src/core/messages.js";
import type { Configuration, LogEntry, SnapshotMeta } from "../../src/core/types.js";

/** Terms and indexes over the whole exactly-representable range, small values favoured. */
export const arbIndex = fc.oneof(
  fc.nat({ max: 1000 }),
  fc.nat({ max: 0xffffffff }),
  fc.maxSafeNat(),
  fc.constantFrom(0, 2 ** 32, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER),
);

export const arbNodeId = fc.string({ minLength: 1, maxLength: 24, unit: "grapheme" });

export const arbBytes = fc.uint8Array({ maxLength: 300 });

const arbConfiguration: fc.Arbitrary<Configuration> = fc.record({
  servers: fc.array(
    fc.record({
      id: arbNodeId,
      address: fc.string({ maxLength: 40 }),
      suffrage: fc.constantFrom("voter" as const, "nonvoter" as const),
    }),
    { maxLength: 5 },
  ),
});

const arbMeta: fc.Arbitrary<SnapshotMeta> = fc.record({
  index: arbIndex,
  term: arbIndex,
  configuration: arbConfiguration,
  configurationIndex: arbIndex,
});

const envelope = { from: arbNodeId, to: arbNodeId, term: arbIndex };

/** Contiguous entries after `prevLogIndex` (the validator requires contiguity). */
function arbEntries(prevLogIndex: number): fc.Arbitrary<LogEntry[]> {
  return fc
    .array(
      fc.record({
        term: arbIndex,
        type: fc.constantFrom("command" as const, "noop" as const, "configuration" as const),
        data: arbBytes,
      }),
      { maxLength: 8 },
    )
    .map((entries) => entries.map((entry, i) => ({ index: prevLogIndex + 1 + i, ...entry })));
}

const arbAppend = fc
  .record({
    ...envelope,
    prevLogIndex: fc.oneof(fc.nat({ max: 1000 }), fc.constant(Number.MAX_SAFE_INTEGER - 20)),
    prevLogTerm: arbIndex,
    leaderCommit: arbIndex,
    readRound: arbIndex,
  })
  .chain((m) => arbEntries(m.prevLogIndex).map((entries) => ({ type: "append" as const, ...m, entries })));

const arbInstallSnapshot = fc
  .record({
    ...envelope,
    meta: arbMeta,
    offset: fc.nat({ max: 1 << 20 }),
    data: arbBytes,
    done: fc.boolean(),
  })
  .chain((m) =>
    fc.nat({ max: 1000 }).map((extra) => ({
      type: "installSnapshot" as const,
      ...m,
      totalBytes: m.offset + m.data.length + extra,
    })),
  );

export const arbMessage: fc.Arbitrary<Message> = fc.oneof(
  fc.record({
    type: fc.constant("vote" as const),
    ...envelope,
    lastLogIndex: arbIndex,
    lastLogTerm: arbIndex,
    preVote: fc.boolean(),
    transfer: fc.boolean(),
  }),
  fc.record({
    type: fc.constant("voteResponse" as const),
    ...envelope,
    granted: fc.boolean(),
    preVote: fc.boolean(),
  }),
  arbAppend,
  fc.record({
    type: fc.constant("appendResponse" as const),
    ...envelope,
    success: fc.boolean(),
    matchIndex: arbIndex,
    rejectHintIndex: arbIndex,
    rejectHintTerm: arbIndex,
    readRound: arbIndex,
  }),
  arbInstallSnapshot,
  fc.record({
    type: fc.constant("installSnapshotResponse" as const),
    ...envelope,
    snapshotIndex: arbIndex,
    nextOffset: arbIndex,
    success: fc.boolean(),
    done: fc.boolean(),
  }),
  fc.record({ type: fc.constant("timeoutNow" as const), ...envelope }),
);

/** Data arrays come back as Buffer (a Uint8Array subclass); compare contents, not classes. */
export function normalize(value: unknown): unknown {
  if (value instanceof Uint8Array) return Array.from(value);
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  }
  return value;
}

/** A heartbeat-sized append and a 64 x 100-byte append, as used by tests and the benchmark. */
export function sampleAppend(entryCount: number, entryBytes: number, from = "n1", to = "n2"): AppendRequest {
  const entries: LogEntry[] = [];
  for (let i = 0; i < entryCount; i++) {
    entries.push({
      index: 1001 + i,
      term: 7,
      type: "command",
      data: new Uint8Array(entryBytes).fill(i & 0xff),
    });
  }
  return {
    type: "append",
    from,
    to,
    term: 7,
    prevLogIndex: 1000,
    prevLogTerm: 7,
    entries,
    leaderCommit: 990,
    readRound: 0,
  };
}
