// A small key-value state machine over KvCommand, for tests, the simulator and the raft-kv example.
// Deterministic: the same log gives the same state and results on every node.
import { pack, unpack } from "msgpackr";
import type { LogEntry } from "../core/types.js";
import { decodeKvCommand, type KvResult } from "./kv-command.js";
import type { FSM, FSMSnapshot } from "./types.js";

/** Snapshot bytes: msgpack of { appliedIndex, pairs: [key, value][] } with pairs sorted by key. */
interface KvSnapshotBody {
  readonly appliedIndex: number;
  readonly pairs: readonly (readonly [string, string])[];
}

export class KvFsm implements FSM<KvResult | undefined> {
  private data = new Map<string, string>();
  private applied = 0;

  /** Index of the last entry applied (or restored from a snapshot). */
  get appliedIndex(): number {
    return this.applied;
  }

  get size(): number {
    return this.data.size;
  }

  /** A local read; linearizable only once applied >= a confirmed ReadIndex. */
  get(key: string): string | undefined {
    return this.data.get(key);
  }

  /** A sorted copy of the state, for comparing replicas in tests. */
  dump(): [string, string][] {
    return [...this.data.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** Non-command entries (noop, configuration) only advance `appliedIndex` and yield undefined. */
  apply(entry: LogEntry): KvResult | undefined {
    this.applied = entry.index;
    if (entry.type !== "command") return undefined;
    const cmd = decodeKvCommand(entry.data);
    if (typeof cmd === "string") return { op: "invalid", ok: false, error: cmd };
    switch (cmd.op) {
      case "put":
        this.data.set(cmd.key, cmd.value);
        return { op: "put", ok: true };
      case "get":
        return { op: "get", ok: true, value: this.data.get(cmd.key) ?? null };
      case "delete":
        return { op: "delete", ok: true, existed: this.data.delete(cmd.key) };
      case "cas": {
        const current = this.data.get(cmd.key) ?? null;
        if (current !== cmd.from) return { op: "cas", ok: false, value: current };
        this.data.set(cmd.key, cmd.to);
        return { op: "cas", ok: true, value: cmd.to };
      }
    }
  }

  snapshot(): FSMSnapshot {
    // Captured now (the contract: state at this point), encoded later off the apply path. persist
    // closes the sink itself, as hashicorp/raft's FSMSnapshot.Persist does (sinks' close is idempotent).
    const body: KvSnapshotBody = { appliedIndex: this.applied, pairs: this.dump() };
    return {
      persist: async (sink) => {
        sink.write(pack(body));
        await sink.close();
      },
    };
  }

  restore(bytes: Uint8Array): void {
    const body = unpack(bytes) as KvSnapshotBody;
    if (
      typeof body !== "object" ||
      body === null ||
      !Array.isArray(body.pairs) ||
      typeof body.appliedIndex !== "number"
    ) {
      throw new TypeError("not a KvFsm snapshot");
    }
    const data = new Map<string, string>();
    for (const pair of body.pairs) {
      const [k, v] = pair;
      if (typeof k !== "string" || typeof v !== "string") throw new TypeError("not a KvFsm snapshot pair");
      data.set(k, v);
    }
    this.data = data;
    this.applied = body.appliedIndex;
  }
}
