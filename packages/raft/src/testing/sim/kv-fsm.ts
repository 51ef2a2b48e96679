// The replicated state machine of the simulation: a string map driven by the workload's commands.
// Commands are JSON (readable in traces); the snapshot is the map as JSON.
import type { KvInput, KvOutput } from "../linearizability/kv-model.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeCommand(input: KvInput): Uint8Array {
  return encoder.encode(JSON.stringify(input));
}

export function decodeCommand(data: Uint8Array): KvInput {
  return JSON.parse(decoder.decode(data)) as KvInput;
}

export class SimKvFsm {
  private readonly values = new Map<string, string>();

  get(key: string): string | null {
    return this.values.get(key) ?? null;
  }

  apply(input: KvInput): KvOutput {
    switch (input.op) {
      case "get":
        return { op: "get", value: this.get(input.key) };
      case "put":
        this.values.set(input.key, input.value);
        return { op: "put" };
      case "delete":
        this.values.delete(input.key);
        return { op: "delete" };
      case "cas": {
        const ok = this.get(input.key) === input.from;
        if (ok) this.values.set(input.key, input.to);
        return { op: "cas", ok };
      }
    }
  }

  snapshot(): Uint8Array {
    const sorted = [...this.values.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return encoder.encode(JSON.stringify(sorted));
  }

  static restore(data: Uint8Array | undefined): SimKvFsm {
    const fsm = new SimKvFsm();
    if (data === undefined || data.length === 0) return fsm;
    for (const [k, v] of JSON.parse(decoder.decode(data)) as [string, string][]) fsm.values.set(k, v);
    return fsm;
  }
}
