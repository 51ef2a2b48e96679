// Loads the packets captured from real serf agents (scripts/pcap-to-fixtures.ts).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export interface Captured {
  readonly from: number;
  readonly to: number;
  readonly bytes: Uint8Array;
}

const dir = fileURLToPath(new URL("../fixtures/", import.meta.url));

export function loadCapture(name: string, kind: "udp" | "tcp"): Captured[] {
  return readFileSync(`${dir}${name}/${kind}.hex`, "utf8")
    .trim()
    .split("\n")
    .map((line) => {
      const [from, to, hex] = line.split(" ");
      return { from: Number(from), to: Number(to), bytes: Uint8Array.from(Buffer.from(hex ?? "", "hex")) };
    });
}

export function fixtureKey(name: string): Uint8Array {
  return Uint8Array.from(Buffer.from(readFileSync(`${dir}${name}/key.b64`, "utf8").trim(), "base64"));
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
