import { describe, expect, it } from "vitest";
import { JsonObjectStreamDecoder } from "../src/index.js";

describe("JsonObjectStreamDecoder", () => {
  it("splits back-to-back and newline-separated objects", () => {
    const d = new JsonObjectStreamDecoder();
    expect(d.push('{"a":1}{"b":2}\n{"c":[1,{"d":3}]}')).toEqual([{ a: 1 }, { b: 2 }, { c: [1, { d: 3 }] }]);
    expect(d.dropped).toBe(0);
  });

  it("braces and escaped quotes inside strings do not end an object", () => {
    const d = new JsonObjectStreamDecoder();
    expect(d.push('{"s":"}{\\"')).toEqual([]);
    expect(d.push('}"}')).toEqual([{ s: '}{"}' }]);
  });

  it("a multi-byte character split across chunks survives", () => {
    const d = new JsonObjectStreamDecoder();
    const bytes = Buffer.from('{"s":"é"}', "utf8");
    const cut = bytes.indexOf(0xc3) + 1;
    expect(d.push(bytes.subarray(0, cut))).toEqual([]);
    expect(d.push(bytes.subarray(cut))).toEqual([{ s: "é" }]);
  });

  it("garbage between objects and objects that do not parse are dropped and counted", () => {
    const d = new JsonObjectStreamDecoder();
    expect(d.push('junk{"a":1} more junk {bad json}{"b":2}')).toEqual([{ a: 1 }, { b: 2 }]);
    expect(d.dropped).toBe(3);
  });

  it("an unfinished object at the end counts as dropped", () => {
    const d = new JsonObjectStreamDecoder();
    d.push('{"a":');
    expect(d.end()).toEqual([]);
    expect(d.dropped).toBe(1);
  });

  it("an object over the size bound is dropped instead of buffering without limit", () => {
    const d = new JsonObjectStreamDecoder(16);
    expect(d.push('{"a":"' + "x".repeat(40))).toEqual([]);
    expect(d.dropped).toBe(1);
  });
});
