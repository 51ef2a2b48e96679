// The benchmark's state machine and commands, as in the Go harness (bench/raft-go/main.go):
// a command is 'S' + a 15-byte key + the value; the FSM copies the value into a map.
import { pack, unpack } from "msgpackr";
import type { FSM, FSMSnapshot, LogEntry } from "../src/index.js";

const S = 0x53;
let seq = 0;

/** A fresh command each call; 1024 keys per client, as the Go harness. */
export function makeCommand(size: number, client: number): Uint8Array {
  const b = new Uint8Array(Math.max(16, size));
  b[0] = S;
  const s = ++seq;
  const key = `k${String(client % 10000).padStart(4, "0")}-${String(s % 1024).padStart(9, "0")}`;
  for (let i = 0; i < 15; i++) b[1 + i] = key.charCodeAt(i);
  for (let i = 16; i < b.length; i++) b[i] = 97 + ((i + s) % 26);
  return b;
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
    this.data.set(key, d.slice(16));
    return undefined;
  }

  snapshot(): FSMSnapshot {
    const pairs = [...this.data];
    return {
      persist: (sink) => {
        sink.write(pack(pairs));
        return Promise.resolve();
      },
    };
  }

  restore(data: Uint8Array): void {
    this.data = new Map(unpack(data) as [string, Uint8Array][]);
  }
}
