import fc from "fast-check";
import { Packr } from "msgpackr";
import { describe, expect, it } from "vitest";
import {
  decodeFrame,
  decodeMessages,
  encodeHelloFrame,
  encodeMessage,
  encodeMessages,
  encodeMessagesFrame,
  FRAME_HEADER_BYTES,
  PROTOCOL_VERSION,
} from "../../src/transport/codec.js";
import { checkMessage } from "../../src/transport/validate.js";
import { arbMessage, normalize, sampleAppend } from "./arbitraries.js";

// A plain encoder, to build frames whose bodies the transport's encoder would never produce.
const raw = new Packr({ useRecords: false });

function framed(...values: unknown[]): Uint8Array {
  const bodies = values.map((v) => raw.pack(v));
  return encodeMessagesFrame(
    bodies,
    bodies.reduce((n, b) => n + b.length, 0),
  );
}

describe("codec", () => {
  it("round-trips any valid batch of messages, large integers and binary data included", () => {
    fc.assert(
      fc.property(fc.array(arbMessage, { minLength: 1, maxLength: 6 }), (messages) => {
        for (const message of messages) expect(checkMessage(message)).toBeUndefined();
        const { messages: decoded, invalid } = decodeMessages(encodeMessages(messages));
        expect(invalid).toBe(0);
        expect(normalize(decoded)).toEqual(normalize(messages));
      }),
      { numRuns: 300 },
    );
  });

  it("keeps terms and indexes up to 2^53-1 exact", () => {
    const message = {
      ...sampleAppend(2, 3),
      term: Number.MAX_SAFE_INTEGER,
      prevLogIndex: Number.MAX_SAFE_INTEGER - 2,
      leaderCommit: 2 ** 40 + 1,
    };
    const entries = message.entries.map((e, i) => ({ ...e, index: Number.MAX_SAFE_INTEGER - 1 + i }));
    const { messages } = decodeMessages(encodeMessages([{ ...message, entries }]));
    const decoded = messages[0];
    expect(decoded?.term).toBe(Number.MAX_SAFE_INTEGER);
    expect(decoded?.type === "append" && decoded.entries[1]?.index).toBe(Number.MAX_SAFE_INTEGER);
    expect(decoded?.type === "append" && decoded.leaderCommit).toBe(2 ** 40 + 1);
  });

  it("decodes entry data as bytes with their own memory, not views of the frame", () => {
    const frame = encodeMessages([sampleAppend(2, 100)]);
    const { messages } = decodeMessages(frame);
    const decoded = messages[0];
    if (decoded?.type !== "append") throw new Error("expected an append");
    const data = decoded.entries[0]?.data;
    expect(data).toBeInstanceOf(Uint8Array);
    expect(data?.length).toBe(100);
    expect(data?.buffer).not.toBe(frame.buffer);
  });

  it("a hello frame carries the protocol version and both node ids", () => {
    const decoded = decodeFrame(encodeHelloFrame({ id: "n1", to: "n2" }));
    expect(decoded).toEqual({ kind: "hello", version: PROTOCOL_VERSION, hello: { id: "n1", to: "n2" } });
    const foreign = decodeFrame(encodeHelloFrame({ id: "n1", to: "" }, 9));
    expect(foreign.kind === "hello" && foreign.version).toBe(9);
  });

  it("garbage, truncated frames and foreign versions are reported invalid, never thrown", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const result = decodeMessages(bytes);
        expect(result.messages.length + result.invalid).toBeGreaterThan(0);
        for (const message of result.messages) expect(checkMessage(message)).toBeUndefined();
      }),
      { numRuns: 500 },
    );
    const frame = encodeMessages([sampleAppend(4, 50)]);
    for (let cut = 0; cut < frame.length; cut += 7) {
      expect(decodeMessages(frame.subarray(0, cut))).toEqual({ messages: [], invalid: 1 });
    }
    const foreign = Uint8Array.from(frame);
    foreign[2] = PROTOCOL_VERSION + 1;
    expect(decodeMessages(foreign)).toEqual({ messages: [], invalid: 1 });
    expect(decodeFrame(Uint8Array.of(0x4e, 0x52, 1, 77, 0xc0)).kind).toBe("invalid");
  });

  it("survives hostile msgpack: huge declared lengths, deep nesting, unknown extensions", () => {
    const header = [0x4e, 0x52, PROTOCOL_VERSION, 2];
    const bodies = [
      [0xdd, 0xff, 0xff, 0xff, 0xf0], // array32 of 4 billion elements
      [0xdf, 0xff, 0xff, 0xff, 0xf0], // map32 of 4 billion pairs
      [0xdb, 0x7f, 0xff, 0xff, 0xff, 0x41], // str32 of 2 GiB
      [0xc6, 0x7f, 0xff, 0xff, 0xff, 0x41], // bin32 of 2 GiB
      new Array<number>(100_000).fill(0x91), // arrays nested 100,000 deep
      [0xc7, 0x05, 0x65, 1, 2, 3, 4, 5], // an extension msgpackr would turn into an Error
    ];
    for (const body of bodies) {
      expect(decodeMessages(Uint8Array.from([...header, ...body]))).toEqual({ messages: [], invalid: 1 });
    }
  });

  it("drops each ill-typed message of a frame and keeps the valid ones", () => {
    const valid = { type: "timeoutNow", from: "a", to: "b", term: 3 };
    const cases: unknown[] = [
      { ...valid, type: "bogus" },
      { ...valid, term: -1 },
      { ...valid, term: 1.5 },
      { ...valid, term: "3" },
      { ...valid, term: 2 ** 53 },
      { ...valid, from: 7 },
      { ...valid, to: "x".repeat(300) },
      [valid],
      "timeoutNow",
      null,
      { ...sampleAppend(2, 10), entries: [{ index: 1001, term: 1, type: "command", data: "text" }] },
      { ...sampleAppend(2, 10), entries: [{ index: 1001, term: 1, type: "weird", data: new Uint8Array(1) }] },
      { ...sampleAppend(2, 10), entries: [{ index: 1005, term: 1, type: "noop", data: new Uint8Array(0) }] },
      { ...sampleAppend(0, 0), entries: {} },
      { ...sampleAppend(0, 0), leaderCommit: undefined },
      {
        type: "vote",
        from: "a",
        to: "b",
        term: 1,
        lastLogIndex: 1,
        lastLogTerm: 1,
        preVote: 1,
        transfer: false,
      },
      {
        type: "installSnapshot",
        from: "a",
        to: "b",
        term: 1,
        meta: { index: 5, term: 1, configurationIndex: 0, configuration: { servers: [] } },
        offset: 10,
        data: new Uint8Array(20),
        done: false,
        totalBytes: 25,
      },
      {
        type: "installSnapshot",
        from: "a",
        to: "b",
        term: 1,
        meta: { index: 5, term: 1, configurationIndex: 0, configuration: { servers: [{ id: "a" }] } },
        offset: 0,
        data: new Uint8Array(2),
        done: true,
        totalBytes: 2,
      },
    ];
    for (const bad of cases) expect(checkMessage(bad), JSON.stringify(bad)).not.toBeUndefined();
    const { messages, invalid } = decodeMessages(framed(valid, ...cases, valid));
    expect(invalid).toBe(cases.length);
    expect(messages).toEqual([valid, valid]);
  });

  it("sends an append's entries as columns and rejects malformed columns", () => {
    const base = {
      type: "append",
      from: "a",
      to: "b",
      term: 2,
      prevLogIndex: 9,
      prevLogTerm: 1,
      leaderCommit: 0,
      readRound: 0,
    };
    const good = [[2, 2], [0, 1], [2, 1], Uint8Array.of(7, 8, 9)];
    const { messages } = decodeMessages(framed({ ...base, entries: good }));
    expect(normalize(messages)).toEqual([
      normalize({
        ...base,
        entries: [
          { index: 10, term: 2, type: "command", data: Uint8Array.of(7, 8) },
          { index: 11, term: 2, type: "noop", data: Uint8Array.of(9) },
        ],
      }),
    ]);
    const bad: unknown[] = [
      [[2, 2], [0, 1], [2, 2], Uint8Array.of(7, 8, 9)], // sizes do not add up to the blob
      [[2, 2], [0, 9], [2, 1], Uint8Array.of(7, 8, 9)], // unknown type code
      [[2, 2], [0, "0"], [2, 1], Uint8Array.of(7, 8, 9)], // type code of the wrong type
      [[2], [0, 1], [2, 1], Uint8Array.of(7, 8, 9)], // columns of different lengths
      [[2, 2], [0, 1], [4, -1], Uint8Array.of(7, 8, 9)], // negative size
      [[2, -2], [0, 1], [2, 1], Uint8Array.of(7, 8, 9)], // negative term (the validator)
      [[2, 2], [0, 1], [2, 1], "789"], // blob not binary
      [
        [2, 2],
        [0, 1],
        [2, 1],
      ], // missing column
      [{ index: 10, term: 2, type: "command", data: Uint8Array.of(7) }], // one map per entry
    ];
    const result = decodeMessages(framed(...bad.map((entries) => ({ ...base, entries }))));
    expect(result).toEqual({ messages: [], invalid: bad.length });
    expect(decodeMessages(framed({ ...base, prevLogIndex: "9", entries: good })).invalid).toBe(1);
  });

  it("frames start with the magic, the version and the kind", () => {
    const frame = encodeMessages([{ type: "timeoutNow", from: "a", to: "b", term: 1 }]);
    expect(Array.from(frame.subarray(0, FRAME_HEADER_BYTES))).toEqual([0x4e, 0x52, PROTOCOL_VERSION, 2]);
    expect(frame.length).toBe(
      FRAME_HEADER_BYTES + encodeMessage({ type: "timeoutNow", from: "a", to: "b", term: 1 }).length,
    );
  });
});
