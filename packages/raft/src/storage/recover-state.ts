// What a node restores at start-up, read from its three stores (no FSM involved: the caller
// restores the FSM from the snapshot it opens). The runtime's own recovery also verifies the
// snapshot's bytes; this helper is for callers that only need the Raft state (tools, the
// simulator, tests) and for the configuration, which lives in the log or else in the snapshot.
import { unpack } from "msgpackr";
import type { Configuration, LogEntry } from "../core/types.js";
import { StorageError } from "./errors.js";
import type { LogStore, RecoveredState, SnapshotStore, StableStore } from "./types.js";

export interface RecoverOptions {
  /** Decodes a configuration entry's data; the default is msgpack (core/types.ts's encoding). */
  readonly decodeConfiguration?: (data: Uint8Array) => Configuration;
}

export function decodeConfigurationMsgpack(data: Uint8Array): Configuration {
  const raw = unpack(data) as { servers?: unknown };
  if (typeof raw !== "object" || raw === null || !Array.isArray(raw.servers)) {
    throw new StorageError("CORRUPT", "configuration entry does not hold a configuration");
  }
  for (const s of raw.servers as unknown[]) {
    const srv = s as { id?: unknown; address?: unknown; suffrage?: unknown };
    if (
      typeof srv.id !== "string" ||
      typeof srv.address !== "string" ||
      (srv.suffrage !== "voter" && srv.suffrage !== "nonvoter")
    ) {
      throw new StorageError("CORRUPT", "configuration entry holds a malformed server");
    }
  }
  return raw as Configuration;
}

/**
 * Term/vote, the newest listed snapshot's meta, the log entries after it, and the latest
 * configuration (the last configuration entry after the snapshot, else the snapshot's).
 * Throws MISSING_ENTRY when the log was compacted past what the snapshot covers (a gap).
 */
export function recoverState(
  logStore: LogStore,
  stableStore: StableStore,
  snapshotStore: SnapshotStore,
  options: RecoverOptions = {},
): RecoveredState {
  const decode = options.decodeConfiguration ?? decodeConfigurationMsgpack;
  const hardState = stableStore.load();
  const snapshot = snapshotStore.list()[0]?.meta;
  const snapshotIndex = snapshot?.index ?? 0;
  const first = logStore.firstIndex();
  const last = logStore.lastIndex();
  if (first > snapshotIndex + 1 && last >= first) {
    throw new StorageError(
      "MISSING_ENTRY",
      `log starts at ${first} but the newest snapshot covers only up to ${snapshotIndex}`,
      { index: snapshotIndex + 1 },
    );
  }
  const from = Math.max(first, snapshotIndex + 1);
  const entries: LogEntry[] = from <= last ? logStore.entries(from, last) : [];
  let configuration = snapshot?.configuration;
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i]!;
    if (e.type === "configuration") {
      configuration = decode(e.data);
      break;
    }
  }
  return { hardState, snapshot, entries, configuration };
}
