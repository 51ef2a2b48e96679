// LZW, CRC, AES-GCM keyring, labels, compound, and the receive pipeline under hostile input.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeCompound } from "../../src/wire/compound.js";
import { crc32 } from "../../src/wire/crc32.js";
import { Keyring, decrypt, encrypt } from "../../src/wire/keyring.js";
import { lzwCompress, lzwDecompress } from "../../src/wire/lzw.js";
import { encodeMessage } from "../../src/wire/messages.js";
import { decodePacket, encodePacket, PLAIN } from "../../src/wire/packet.js";
import { parseStream, encodeStream } from "../../src/wire/stream.js";
import { WireError } from "../../src/wire/errors.js";
import type { PushPull } from "../../src/wire/types.js";

const enc = new TextEncoder();

describe("LZW (Go compress/lzw, LSB, 8-bit literals)", () => {
  it("round-trips arbitrary bytes, including inputs long enough to fill and reset the 4096-code table", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (b) => {
        expect(lzwDecompress(lzwCompress(b), 1 << 20)).toEqual(b);
      }),
      { numRuns: 200 },
    );
    const big = new Uint8Array(200_000);
    let x = 1;
    for (let i = 0; i < big.length; i++) big[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 29;
    expect(lzwDecompress(lzwCompress(big), 1 << 20)).toEqual(big);
  });

  it("starts with a clear code and ends with the end code, like Go's writer", () => {
    // empty input: clear (256) then eof (257), 9 bits each, LSB first
    expect([...lzwCompress(new Uint8Array(0))]).toEqual([0x00, 0x03, 0x02]);
  });

  it("a small packet cannot expand beyond the output bound (zip-bomb guard)", () => {
    const bomb = lzwCompress(new Uint8Array(100_000));
    expect(bomb.length).toBeLessThan(2000);
    expect(() => lzwDecompress(bomb, 10_000)).toThrow(/TOO_LARGE/);
  });

  it("random bytes never throw anything but a WireError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        try {
          lzwDecompress(b, 1 << 16);
        } catch (e) {
          expect(e).toBeInstanceOf(WireError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("CRC and encryption", () => {
  it("crc32 is IEEE (check value of '123456789' is cbf43926)", () => {
    expect(crc32(enc.encode("123456789")).toString(16)).toBe("cbf43926");
  });

  it("keys of 16, 24 and 32 bytes work; 20 bytes is refused", () => {
    for (const n of [16, 24, 32]) {
      const key = new Uint8Array(n).fill(n);
      const sealed = encrypt(key, enc.encode("hi"), new Uint8Array(0));
      expect(sealed[0]).toBe(1);
      expect(sealed.length).toBe(2 + 29);
      expect(new TextDecoder().decode(decrypt([key], sealed, new Uint8Array(0)))).toBe("hi");
    }
    expect(() => new Keyring([new Uint8Array(20)])).toThrow(/16, 24 or 32/);
  });

  it("receive tries every key in the ring; the primary encrypts", () => {
    const a = new Uint8Array(16).fill(1);
    const b = new Uint8Array(32).fill(2);
    const ring = new Keyring([a, b]);
    const fromB = encrypt(b, enc.encode("x"), new Uint8Array(0));
    expect(decrypt(ring.all(), fromB, new Uint8Array(0))).toEqual(enc.encode("x"));
    expect(ring.use(b)).toBe(true);
    expect(ring.primary).toEqual(b);
    expect(ring.remove(b)).toBe(false); // the primary cannot be removed
    expect(ring.remove(a)).toBe(true);
  });

  it("an encrypted node drops plaintext packets unless verifyIncoming is off", () => {
    const key = new Uint8Array(16).fill(3);
    const ping = encodeMessage({
      type: "ping",
      seqNo: 1,
      node: "n",
      sourceAddr: new Uint8Array(0),
      sourcePort: 0,
      sourceNode: "",
    });
    const strict = { ...PLAIN, keys: [key] };
    expect(decodePacket(ping, strict).drops).toEqual(["DECRYPT_FAILED"]);
    expect(decodePacket(ping, { ...strict, verifyIncoming: false }).messages).toHaveLength(1);
  });
});

describe("labels, CRC, compound and the receive pipeline", () => {
  const ping = encodeMessage({
    type: "ping",
    seqNo: 9,
    node: "x",
    sourceAddr: new Uint8Array(0),
    sourcePort: 0,
    sourceNode: "",
  });

  it("a labelled packet is accepted only by a node with the same label (and the label is GCM AAD)", () => {
    const key = new Uint8Array(16).fill(4);
    const sec = { ...PLAIN, keys: [key], label: "dc1" };
    const pkt = encodePacket([ping], sec, { compress: false, crc: true });
    expect(decodePacket(pkt, sec).messages).toHaveLength(1);
    expect(decodePacket(pkt, { ...sec, label: "dc2" }).drops).toEqual(["LABEL_MISMATCH"]);
    expect(decodePacket(pkt, { ...sec, label: "" }).drops).toEqual(["LABEL_MISMATCH"]);
  });

  it("a corrupted byte under a CRC is dropped as BAD_CRC", () => {
    const pkt = encodePacket([ping, ping], PLAIN, { compress: false, crc: true });
    pkt[pkt.length - 1] = (pkt[pkt.length - 1] ?? 0) ^ 1;
    expect(decodePacket(pkt).drops).toEqual(["BAD_CRC"]);
  });

  it("a compound with a truncated tail keeps the parts that fit and counts the rest", () => {
    const c = encodeCompound([ping, ping, ping]);
    const r = decodePacket(c.subarray(0, c.length - 3));
    expect(r.messages).toHaveLength(2);
    expect(r.drops).toEqual(["TRUNCATED"]);
  });

  it("compression is used only when smaller", () => {
    const small = encodePacket([ping], PLAIN, { compress: true, crc: false });
    expect(small[0]).toBe(0);
    const many = encodePacket(
      Array.from({ length: 20 }, () => ping),
      PLAIN,
      { compress: true, crc: false },
    );
    expect(many[0]).toBe(9);
    expect(decodePacket(many).messages).toHaveLength(20);
  });

  it("fuzz: random and mutated packets never throw out of decodePacket", () => {
    const valid = encodePacket([ping, ping], PLAIN, { compress: true, crc: true });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })).map(([i, v]) => {
            const b = Uint8Array.from(valid);
            b[i] = v;
            return b;
          }),
        ),
        (b) => {
          // an empty compound is legal and yields nothing; anything else is a message or a counted drop
          const r = decodePacket(b);
          expect(r.messages.length + r.drops.length).toBeLessThanOrEqual(255);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("fuzz: parseStream returns incomplete or throws only WireError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        try {
          parseStream(b, PLAIN);
        } catch (e) {
          expect(e).toBeInstanceOf(WireError);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("an uncompressed push/pull is parsed incrementally and takes exactly UserStateLen bytes", () => {
    const p: PushPull = {
      type: "pushPull",
      join: false,
      nodes: [
        {
          name: "n1",
          addr: Uint8Array.of(127, 0, 0, 1),
          port: 7946,
          meta: null,
          incarnation: 3,
          state: 0,
          vsn: Uint8Array.of(1, 5, 2, 2, 5, 5),
        },
      ],
      userState: enc.encode("user-state-bytes"),
    };
    const b = encodeStream(p, PLAIN, { compress: false });
    for (let n = 0; n < b.length; n++) expect(parseStream(b.subarray(0, n), PLAIN).done).toBe(false);
    const r = parseStream(b, PLAIN);
    expect(r).toMatchObject({
      done: true,
      consumed: b.length,
      message: { nodes: [{ name: "n1", incarnation: 3 }] },
    });
  });

  it("a push/pull header claiming more nodes than the limit is refused", () => {
    const p: PushPull = { type: "pushPull", join: false, nodes: [], userState: new Uint8Array(0) };
    const b = encodeStream(p, PLAIN, { compress: false });
    expect(() => parseStream(b, PLAIN, { maxStreamBytes: 1000, maxPushNodes: 0 })).not.toThrow();
    const lying = Uint8Array.from(b);
    // header map: {Join, Nodes, UserStateLen}; set Nodes to 0x7f
    const i = Buffer.from(lying).indexOf(Buffer.from("Nodes")) + 5;
    lying[i] = 0x7f;
    expect(() => parseStream(lying, PLAIN, { maxStreamBytes: 1000, maxPushNodes: 10 })).toThrow(/TOO_LARGE/);
  });
});
