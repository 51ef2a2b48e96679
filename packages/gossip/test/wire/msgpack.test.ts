// The Go msgpack dialect: exact 64-bit integers, raw strings kept as bytes, Go's choice of
// formats on output, and msgpackr (an independent implementation) as an oracle.
import fc from "fast-check";
import { Unpackr } from "msgpackr";
import { describe, expect, it } from "vitest";
import { WireError } from "../../src/wire/errors.js";
import { F64, decodeGo, encodeGo, type GoEncodable, type GoValue } from "../../src/wire/msgpack.js";

// msgpackr 2.1 implements int64AsType "auto" (bigint only above 2^53) but its typings omit it.
const oracle = new Unpackr({ int64AsType: "auto" as "bigint", mapsAsObjects: true, useRecords: false });
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

describe("msgpack: Go dialect", () => {
  it("uint64 Lamport times above 2^53 survive a round trip exactly (bigint)", () => {
    for (const v of [2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n]) {
      const b = encodeGo({ LTime: v });
      const m = decodeGo(b).value as Map<string, GoValue>;
      expect(m.get("LTime")).toBe(v);
      // msgpackr with int64AsType "auto" agrees: bigint above 2^53, number below.
      expect((oracle.unpack(Buffer.from(b)) as { LTime: unknown }).LTime).toBe(v);
    }
    expect(decodeGo(encodeGo(2 ** 53 - 1)).value).toBe(2 ** 53 - 1);
    expect(oracle.unpack(Buffer.from(encodeGo(2 ** 40)))).toBe(2 ** 40);
  });

  it("msgpackr's number mode would lose uint64 precision; bigint mode keeps it (why the dialect keeps bigint)", () => {
    const b = Buffer.from(encodeGo(2n ** 64n - 1n));
    const asNumber = new Unpackr({ int64AsType: "number" }).unpack(b) as number;
    expect(BigInt(asNumber)).not.toBe(2n ** 64n - 1n);
    expect(new Unpackr({ int64AsType: "bigint" }).unpack(b)).toBe(2n ** 64n - 1n);
  });

  it("strings use old-spec raw: fixstr, then str16 (never str8 or bin)", () => {
    expect(hex(encodeGo("a".repeat(31))).slice(0, 2)).toBe("bf");
    expect(hex(encodeGo("a".repeat(32))).slice(0, 6)).toBe("da0020");
    expect(hex(encodeGo(new Uint8Array(200))).slice(0, 6)).toBe("da00c8");
  });

  it("raw strings decode as bytes, so non-UTF-8 byte fields (IPs, LZW) are not corrupted", () => {
    const bytes = Uint8Array.of(0xff, 0xfe, 0x00, 0x80);
    expect(decodeGo(encodeGo(bytes)).value).toEqual(bytes);
    // str8 and bin8 are accepted on input, as Go's decoder does for typed fields.
    expect(decodeGo(Uint8Array.of(0xd9, 2, 0xff, 0x00)).value).toEqual(Uint8Array.of(0xff, 0));
    expect(decodeGo(Uint8Array.of(0xc4, 1, 0x80)).value).toEqual(Uint8Array.of(0x80));
  });

  it("struct keys are emitted sorted, undefined (omitempty) keys are left out, null is nil", () => {
    expect(hex(encodeGo({ SeqNo: 1, Node: "a", Payload: null, Skip: undefined }))).toBe(
      "83" + "a44e6f6465a161" + "a75061796c6f6164c0" + "a55365714e6f01",
    );
  });

  it("integers use the smallest form; negatives use signed forms; floats are float64", () => {
    expect(hex(encodeGo(127))).toBe("7f");
    expect(hex(encodeGo(128))).toBe("cc80");
    expect(hex(encodeGo(65536))).toBe("ce00010000");
    expect(hex(encodeGo(-1))).toBe("ff");
    expect(hex(encodeGo(-33))).toBe("d0df");
    expect(hex(encodeGo(new F64(0)))).toBe("cb0000000000000000");
  });

  it("property: any encodable value round-trips, and msgpackr reads our bytes the same way", () => {
    const leaf = fc.oneof(
      fc.integer(),
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      fc.string(),
      fc.boolean(),
      fc.constant(null),
    );
    const value = fc.letrec<{ v: GoEncodable }>((tie) => ({
      v: fc.oneof(
        { depthSize: "small" },
        leaf,
        fc.array(tie("v"), { maxLength: 5 }),
        fc.dictionary(fc.string({ minLength: 1 }), tie("v"), { maxKeys: 5 }),
      ),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        const b = encodeGo(v);
        expect(decodeGo(b).end).toBe(b.length);
        const norm = (x: unknown): unknown =>
          typeof x === "bigint" && x <= BigInt(Number.MAX_SAFE_INTEGER)
            ? Number(x)
            : Array.isArray(x)
              ? x.map(norm)
              : x !== null && typeof x === "object"
                ? Object.fromEntries(
                    Object.entries(x)
                      .map(([k, y]) => [k === "__proto__" ? "__proto_" : k, norm(y)] as const)
                      .sort(([a], [c]) => (a < c ? -1 : 1)),
                  )
                : x;
        expect(norm(oracle.unpack(Buffer.from(b)))).toEqual(norm(v));
      }),
      { numRuns: 300 },
    );
  });

  it("hostile input: random bytes either decode or throw a WireError, and huge declared counts are refused before allocating", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        try {
          decodeGo(b);
        } catch (e) {
          expect(e).toBeInstanceOf(WireError);
        }
      }),
      { numRuns: 2000 },
    );
    // array32 claiming 4 billion elements in a 5-byte buffer
    expect(() => decodeGo(Uint8Array.of(0xdd, 0xff, 0xff, 0xff, 0xff))).toThrow(/TRUNCATED/);
    // nesting deeper than the limit
    expect(() => decodeGo(new Uint8Array(100).fill(0x91))).toThrow(/TOO_DEEP/);
  });
});
