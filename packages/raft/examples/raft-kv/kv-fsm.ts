// The raft-kv state machine: string keys and values, plus the HTTP address of each server that has
// led the cluster (a leader records its own when it takes office, so every node can forward or
// redirect clients to the leader without extra flags). Commands are msgpack maps; apply never
// throws, so a bad command cannot stop a replica.
import { pack, unpack } from "msgpackr";
import type { FSM, FSMSnapshot, LogEntry } from "@nomad/raft";

export type KvCommand =
  | { readonly op: "put"; readonly key: string; readonly value: string }
  | { readonly op: "delete"; readonly key: string }
  | { readonly op: "cas"; readonly key: string; readonly from: string | null; readonly to: string }
  | { readonly op: "member"; readonly id: string; readonly http: string };

export type KvResult =
  | { readonly ok: true; readonly value?: string | null }
  | { readonly ok: false; readonly value: string | null }
  | { readonly ok: false; readonly error: string };

interface SnapshotBody {
  readonly pairs: [string, string][];
  readonly members: [string, string][];
}

export function encodeCommand(cmd: KvCommand): Uint8Array {
  return pack(cmd);
}

export class KvStateMachine implements FSM<KvResult> {
  private data = new Map<string, string>();
  private members = new Map<string, string>();

  get(key: string): string | undefined {
    return this.data.get(key);
  }

  /** The HTTP address a server recorded when it last led, if any. */
  httpAddressOf(id: string): string | undefined {
    return this.members.get(id);
  }

  apply(entry: LogEntry): KvResult {
    let cmd: Partial<Record<string, unknown>>;
    try {
      cmd = unpack(entry.data) as Partial<Record<string, unknown>>;
    } catch {
      return { ok: false, error: "undecodable command" };
    }
    if (typeof cmd !== "object" || cmd === null) return { ok: false, error: "command is not a map" };
    const key = cmd["key"];
    switch (cmd["op"]) {
      case "put":
        if (typeof key !== "string" || typeof cmd["value"] !== "string") break;
        this.data.set(key, cmd["value"]);
        return { ok: true };
      case "delete":
        if (typeof key !== "string") break;
        this.data.delete(key);
        return { ok: true };
      case "cas": {
        const from = cmd["from"];
        const to = cmd["to"];
        if (typeof key !== "string" || typeof to !== "string" || (from !== null && typeof from !== "string"))
          break;
        const current = this.data.get(key) ?? null;
        if (current !== from) return { ok: false, value: current };
        this.data.set(key, to);
        return { ok: true, value: to };
      }
      case "member":
        if (typeof cmd["id"] !== "string" || typeof cmd["http"] !== "string") break;
        this.members.set(cmd["id"], cmd["http"]);
        return { ok: true };
    }
    return { ok: false, error: `malformed ${String(cmd["op"])} command` };
  }

  snapshot(): FSMSnapshot {
    // Copy now (the state at this index); encoding happens later, off the apply path.
    const body: SnapshotBody = { pairs: [...this.data], members: [...this.members] };
    return {
      persist: (sink) => {
        sink.write(pack(body));
        return Promise.resolve();
      },
    };
  }

  restore(bytes: Uint8Array): void {
    const body = unpack(bytes) as SnapshotBody;
    this.data = new Map(body.pairs);
    this.members = new Map(body.members);
  }
}
