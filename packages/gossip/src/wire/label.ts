// Label framing (upstream memberlist >= 0.3): [244][len 1..255][label] before every UDP
// packet and once at the start of each TCP connection. Debian's serf 0.9.4 predates it, so
// the default is no label; a labelled node drops unlabelled traffic and vice versa.
import { WireError } from "./errors.js";

export const HAS_LABEL = 244;
const enc = new TextEncoder();
const dec = new TextDecoder();

export function addLabel(label: string, body: Uint8Array): Uint8Array {
  if (label === "") return body;
  const l = enc.encode(label);
  if (l.length > 255) throw new RangeError("label longer than 255 bytes");
  const out = new Uint8Array(2 + l.length + body.length);
  out[0] = HAS_LABEL;
  out[1] = l.length;
  out.set(l, 2);
  out.set(body, 2 + l.length);
  return out;
}

/** Splits a label header off; returns label "" when there is none. */
export function stripLabel(data: Uint8Array): { label: string; body: Uint8Array } {
  if (data[0] !== HAS_LABEL) return { label: "", body: data };
  const n = data[1];
  if (n === undefined || n === 0) throw new WireError("MALFORMED", "empty label");
  if (data.length < 2 + n) throw new WireError("TRUNCATED", "label header");
  return { label: dec.decode(data.subarray(2, 2 + n)), body: data.subarray(2 + n) };
}
