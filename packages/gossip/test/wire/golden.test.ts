// Golden vectors: packets captured from two real `serf agent` processes (Debian serf 0.9.4)
// talking on loopback, plain and with a 16-byte key. The decoder must parse every one of
// them, and the encoder must reproduce them byte for byte wherever Go is deterministic
// (everything except the random GCM nonce, which the test feeds back in).
import { describe, expect, it } from "vitest";
import { decodeCompound, encodeCompound } from "../../src/wire/compound.js";
import { decodeCompressAt, encodeCompress } from "../../src/wire/compress.js";
import { crc32 } from "../../src/wire/crc32.js";
import { decrypt, encrypt } from "../../src/wire/keyring.js";
import { decodeMessage, encodeMessage } from "../../src/wire/messages.js";
import { decodePacket, PLAIN } from "../../src/wire/packet.js";
import { decodeSerf, decodeTags, encodeSerf } from "../../src/wire/serf-messages.js";
import { encodeStream, parseStream } from "../../src/wire/stream.js";
import { MsgType } from "../../src/wire/types.js";
import { fixtureKey, hex, loadCapture } from "./fixtures.js";

/** Re-encodes a packet layer by layer from what the decoders produced. */
function reencode(b: Uint8Array): Uint8Array {
  const t = b[0];
  if (t === MsgType.hasCrc) {
    const inner = reencode(b.subarray(5));
    const out = new Uint8Array(inner.length + 5);
    out[0] = MsgType.hasCrc;
    new DataView(out.buffer).setUint32(1, crc32(inner));
    out.set(inner, 5);
    return out;
  }
  if (t === MsgType.compress) return encodeCompress(reencode(decodeCompressAt(b, 1, 1 << 20).payload));
  if (t === MsgType.compound) return encodeCompound(decodeCompound(b.subarray(1)).parts.map(reencode));
  if (t === MsgType.user) {
    const serf = encodeSerf(decodeSerf(b.subarray(1)));
    return Uint8Array.of(MsgType.user, ...serf);
  }
  return encodeMessage(decodeMessage(b));
}

describe("golden vectors from real serf (plain)", () => {
  const udp = loadCapture("serf-plain", "udp");
  const tcp = loadCapture("serf-plain", "tcp");

  it("every captured UDP datagram decodes with no drop", () => {
    expect(udp.length).toBeGreaterThan(20);
    const types = new Set<string>();
    for (const p of udp) {
      const r = decodePacket(p.bytes);
      expect(r.drops, hex(p.bytes)).toEqual([]);
      expect(r.messages.length).toBeGreaterThan(0);
      for (const m of r.messages)
        types.add(m.type === "user" ? `user:${decodeSerf(m.payload).type}` : m.type);
    }
    for (const t of [
      "alive",
      "ping",
      "ackResp",
      "dead",
      "user:join",
      "user:leave",
      "user:userEvent",
      "user:query",
    ]) {
      expect(types).toContain(t);
    }
  });

  it("every captured UDP datagram is reproduced byte for byte (CRC, compound, LZW, msgpack)", () => {
    for (const p of udp) expect(hex(reencode(p.bytes))).toBe(hex(p.bytes));
  });

  it("alive carries Vsn [1,5,2,2,5,5] as 6 raw bytes, a 4-byte IP and tags after 0xFF", () => {
    const alive = udp
      .flatMap((p) => decodePacket(p.bytes).messages)
      .find((m) => m.type === "alive" && m.node === "a");
    expect(alive?.type).toBe("alive");
    if (alive?.type !== "alive") return;
    expect([...alive.vsn]).toEqual([1, 5, 2, 2, 5, 5]);
    expect([...alive.addr]).toEqual([127, 0, 0, 1]);
    expect(decodeTags(alive.meta)).toEqual({ role: "web" });
  });

  it("a graceful leave is a leave intent, then dead with From == Node", () => {
    const msgs = udp.flatMap((p) => decodePacket(p.bytes).messages);
    const leave = msgs.find((m) => m.type === "user" && decodeSerf(m.payload).type === "leave");
    const dead = msgs.find((m) => m.type === "dead");
    expect(leave).toBeDefined();
    expect(dead).toMatchObject({ type: "dead", node: "b", from: "b" });
    expect(msgs.indexOf(leave!)).toBeLessThan(msgs.indexOf(dead!));
  });

  it("both TCP push/pull streams (LZW-compressed) parse and re-encode byte for byte", () => {
    expect(tcp.length).toBe(2);
    for (const s of tcp) {
      const r = parseStream(s.bytes, PLAIN);
      expect(r.done).toBe(true);
      if (!r.done || r.message.type !== "pushPull") throw new Error("not a push/pull");
      expect(r.consumed).toBe(s.bytes.length);
      expect(r.message.join).toBe(true);
      expect(r.message.nodes).toHaveLength(1);
      const serf = decodeSerf(r.message.userState);
      expect(serf.type).toBe("pushPull");
      if (serf.type === "pushPull") expect(serf.events).toHaveLength(512);
      expect(hex(encodeSerf(serf))).toBe(hex(r.message.userState));
      expect(hex(encodeStream(r.message, PLAIN, { compress: true }))).toBe(hex(s.bytes));
    }
  });

  it("the TCP stream parses incrementally: incomplete until its last byte arrives", () => {
    const s = tcp[0]!.bytes;
    for (let n = 0; n < s.length; n += 7) expect(parseStream(s.subarray(0, n), PLAIN).done).toBe(false);
    expect(parseStream(s, PLAIN).done).toBe(true);
  });
});

describe("golden vectors from real serf (AES-128-GCM)", () => {
  const key = fixtureKey("serf-aes128");
  const sec = { ...PLAIN, keys: [key] };
  const udp = loadCapture("serf-aes128", "udp");

  it("every captured datagram decrypts (empty AAD) and decodes; re-encryption with its nonce reproduces it", () => {
    for (const p of udp) {
      const r = decodePacket(p.bytes, sec);
      expect(r.drops).toEqual([]);
      const plain = decrypt([key], p.bytes, new Uint8Array(0));
      expect(hex(reencode(plain))).toBe(hex(plain));
      expect(hex(encrypt(key, plain, new Uint8Array(0), p.bytes.subarray(1, 13)))).toBe(hex(p.bytes));
    }
  });

  it("the encrypted TCP streams ([10][len][vsn][nonce][ct], header as AAD) parse and re-encode", () => {
    for (const s of loadCapture("serf-aes128", "tcp")) {
      const r = parseStream(s.bytes, sec);
      if (!r.done) throw new Error("incomplete");
      expect(r.message.type).toBe("pushPull");
      const again = encodeStream(r.message, sec, { compress: true, nonce: s.bytes.subarray(6, 18) });
      expect(hex(again)).toBe(hex(s.bytes));
    }
  });

  it("without the key every datagram is dropped as DECRYPT_FAILED, never thrown", () => {
    const other = { ...PLAIN, keys: [new Uint8Array(16).fill(7)] };
    for (const p of udp) expect(decodePacket(p.bytes, other).drops).toEqual(["DECRYPT_FAILED"]);
  });
});
