// The benchmark's state machine and commands, as in the Go harness (bench/raft-go/main.go):
// a command is 'S' + a 15-byte key + the value; the FSM copies the value into a map.
import { pack, unpackMultiple } from "msgpackr";
import type { FSM, FSMSnapshot, LogEntry } from "../src/index.js";

const S = 0x53;
/** Pairs encoded per event-loop turn when a snapshot is written. */
const SNAPSHOT_SLICE_PAIRS = 4096;
let seq = 0;

/** The value bytes cycle through a-z; 26 + 84 bytes of the cycle let each command copy one slice. */
const ALPHABET = Buffer.alloc(26 + 128, 0);
for (let i = 0; i < ALPHABET.length; i++) ALPHABET[i] = 97 + (i % 26);

/**
 * A fresh command each call (the Go harness allocates one per op too): 'S', the key
 * k<client:4>-<seq % 1024:9>, then value byte i = 'a' + (i + seq) % 26. Buffer.allocUnsafe takes
 * it from Node's pool: a 100-byte Uint8Array of its own would cost an ArrayBuffer per op, which
 * showed up as GC time in profiles.
 */
export function makeCommand(size: number, client: number): Uint8Array {
  const n = Math.max(16, size);
  const b = Buffer.allocUnsafe(n);
  b[0] = S;
  const s = ++seq;
  writeDigits(b, 1, 1, 107); // 'k'
  writeDigits(b, 2, 4, client % 10000);
  b[6] = 45; // '-'
  writeDigits(b, 7, 9, s % 1024);
  let at = 16;
  while (at < n) {
    const from = (at + s) % 26;
    const len = Math.min(n - at, 128);
    ALPHABET.copy(b, at, from, from + len);
    at += len;
  }
  return b;
}

/** Writes `value` as `width` zero-padded decimal digits at `at` (width 1 with a char code writes it). */
function writeDigits(b: Buffer, at: number, width: number, value: number): void {
  if (width === 1 && value > 9) {
    b[at] = value;
    return;
  }
  for (let i = width - 1; i >= 0; i--) {
    b[at + i] = 48 + (value % 10);
    value = Math.floor(value / 10);
  }
}

export class BenchKvFsm implements FSM<undefined> {
  private data = new Map<string, Uint8Array>();

  get size(): number {
    return this.data.size;
  }

  apply(entry: LogEntry): undefined {
    const d = entry.data;
    if (entry.type !== "command" || d.length < 16 || d[0] !== S) return undefined;
    // 15 latin1 bytes; an explicit call avoids the spread's iterator (it showed in profiles).
    const key = String.fromCharCode(
      d[1]!,
      d[2]!,
      d[3]!,
      d[4]!,
      d[5]!,
      d[6]!,
      d[7]!,
      d[8]!,
      d[9]!,
      d[10]!,
      d[11]!,
      d[12]!,
      d[13]!,
      d[14]!,
      d[15]!,
    );
    // A copy, as the Go FSM; from the Buffer pool rather than an ArrayBuffer of its own.
    const value = Buffer.allocUnsafe(d.length - 16);
    value.set(d.subarray(16));
    this.data.set(key, value);
    return undefined;
  }

  snapshot(): FSMSnapshot {
    // Captured now (a copy, as the Go harness copies its map); encoded later in slices of pairs,
    // one per event-loop turn, so a 6.5 MB image does not stall the three nodes sharing the
    // process (the Go harness encodes on its own goroutine).
    const pairs = [...this.data];
    return {
      persist: async (sink) => {
        for (let i = 0; i < pairs.length; i += SNAPSHOT_SLICE_PAIRS) {
          sink.write(pack(pairs.slice(i, i + SNAPSHOT_SLICE_PAIRS)));
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      },
    };
  }

  restore(data: Uint8Array): void {
    const data2 = new Map<string, Uint8Array>();
    for (const slice of unpackMultiple(data) as [string, Uint8Array][][]) {
      for (const [k, v] of slice) data2.set(k, v);
    }
    this.data = data2;
  }
}
