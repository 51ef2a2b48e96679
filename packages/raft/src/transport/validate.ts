// Shape checks for messages decoded from the network (ARCHITECTURE.md rule 4): nothing reaches the
// core before its fields have the types the core relies on. Hand-written rather than zod because
// this runs once per message on the hot path (see bench/transport-bench.ts for the cost), and it
// allocates nothing: a valid value is returned as is, an invalid one yields a reason string.
import type { Message } from "../core/messages.js";

/** Longest node id accepted from the wire; ids are short names, anything longer is garbage. */
export const MAX_NODE_ID_LENGTH = 256;
/** Longest server address accepted inside a configuration (host:port, DNS names included). */
export const MAX_ADDRESS_LENGTH = 1024;

type Fields = Record<string, unknown>;

export function isRecord(value: unknown): value is Fields {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  );
}

/** Terms and indexes: non-negative integers that a double holds exactly. */
function isIndex(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function isNodeId(value: unknown): value is string {
  return typeof value === "string" && value.length <= MAX_NODE_ID_LENGTH;
}

function checkEntry(entry: unknown): string | undefined {
  if (!isRecord(entry)) return "entry is not a map";
  if (!isIndex(entry["index"]) || entry["index"] === 0) return "entry.index";
  if (!isIndex(entry["term"])) return "entry.term";
  const type = entry["type"];
  if (type !== "command" && type !== "noop" && type !== "configuration") return "entry.type";
  if (!(entry["data"] instanceof Uint8Array)) return "entry.data";
  return undefined;
}

function checkConfiguration(value: unknown): string | undefined {
  if (!isRecord(value)) return "configuration is not a map";
  const servers = value["servers"];
  if (!Array.isArray(servers)) return "configuration.servers";
  for (const server of servers as unknown[]) {
    if (!isRecord(server)) return "server is not a map";
    if (!isNodeId(server["id"])) return "server.id";
    const address = server["address"];
    if (typeof address !== "string" || address.length > MAX_ADDRESS_LENGTH) return "server.address";
    if (server["suffrage"] !== "voter" && server["suffrage"] !== "nonvoter") return "server.suffrage";
  }
  return undefined;
}

function checkSnapshotMeta(value: unknown): string | undefined {
  if (!isRecord(value)) return "meta is not a map";
  if (!isIndex(value["index"])) return "meta.index";
  if (!isIndex(value["term"])) return "meta.term";
  if (!isIndex(value["configurationIndex"])) return "meta.configurationIndex";
  const reason = checkConfiguration(value["configuration"]);
  return reason === undefined ? undefined : `meta.${reason}`;
}

function checkAppend(m: Fields): string | undefined {
  if (!isIndex(m["prevLogIndex"])) return "prevLogIndex";
  if (!isIndex(m["prevLogTerm"])) return "prevLogTerm";
  if (!isIndex(m["leaderCommit"])) return "leaderCommit";
  if (!isIndex(m["readRound"])) return "readRound";
  const entries = m["entries"];
  if (!Array.isArray(entries)) return "entries";
  // Entries must continue the log right after prevLogIndex; the core may assume contiguity.
  let expected = (m["prevLogIndex"] as number) + 1;
  for (const entry of entries as unknown[]) {
    const reason = checkEntry(entry);
    if (reason !== undefined) return reason;
    if ((entry as Fields)["index"] !== expected) return "entries are not contiguous";
    expected += 1;
  }
  return undefined;
}

function checkInstallSnapshot(m: Fields): string | undefined {
  const reason = checkSnapshotMeta(m["meta"]);
  if (reason !== undefined) return reason;
  const data = m["data"];
  if (!(data instanceof Uint8Array)) return "data";
  if (!isIndex(m["offset"])) return "offset";
  if (!isIndex(m["totalBytes"])) return "totalBytes";
  if (typeof m["done"] !== "boolean") return "done";
  // A chunk never reaches past the snapshot's announced size.
  if ((m["offset"] as number) + data.length > (m["totalBytes"] as number)) return "chunk exceeds totalBytes";
  return undefined;
}

/** Why `value` is not a valid Message, or undefined when it is one. Never throws. */
export function checkMessage(value: unknown): string | undefined {
  if (!isRecord(value)) return "message is not a map";
  if (!isNodeId(value["from"])) return "from";
  if (!isNodeId(value["to"])) return "to";
  if (!isIndex(value["term"])) return "term";
  switch (value["type"]) {
    case "vote":
      if (!isIndex(value["lastLogIndex"])) return "lastLogIndex";
      if (!isIndex(value["lastLogTerm"])) return "lastLogTerm";
      if (typeof value["preVote"] !== "boolean") return "preVote";
      if (typeof value["transfer"] !== "boolean") return "transfer";
      return undefined;
    case "voteResponse":
      if (typeof value["granted"] !== "boolean") return "granted";
      if (typeof value["preVote"] !== "boolean") return "preVote";
      return undefined;
    case "append":
      return checkAppend(value);
    case "appendResponse":
      if (typeof value["success"] !== "boolean") return "success";
      if (!isIndex(value["matchIndex"])) return "matchIndex";
      if (!isIndex(value["rejectHintIndex"])) return "rejectHintIndex";
      if (!isIndex(value["rejectHintTerm"])) return "rejectHintTerm";
      if (!isIndex(value["readRound"])) return "readRound";
      return undefined;
    case "installSnapshot":
      return checkInstallSnapshot(value);
    case "installSnapshotResponse":
      if (!isIndex(value["snapshotIndex"])) return "snapshotIndex";
      if (!isIndex(value["nextOffset"])) return "nextOffset";
      if (typeof value["success"] !== "boolean") return "success";
      if (typeof value["done"] !== "boolean") return "done";
      return undefined;
    case "timeoutNow":
      return undefined;
    default:
      return "type";
  }
}

export function isMessage(value: unknown): value is Message {
  return checkMessage(value) === undefined;
}
