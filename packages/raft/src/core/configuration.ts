// Cluster configurations as log entries: a canonical msgpack encoding (so every node that
// bootstraps with the same servers writes byte-identical entries) and one-server-at-a-time changes.
import { Packr } from "msgpackr";
import type { MembershipChange } from "./api.js";
import type { Configuration, NodeId, Server } from "./types.js";

// Records would make the bytes depend on what this Packr saw before; plain maps keep them canonical.
const packr = new Packr({ useRecords: false });

export const EMPTY_CONFIGURATION: Configuration = { servers: [] };

export function encodeConfiguration(configuration: Configuration): Uint8Array {
  // Fixed key order: the encoding must not depend on how the caller built its objects.
  const servers = configuration.servers.map((s) => ({ id: s.id, address: s.address, suffrage: s.suffrage }));
  return packr.pack({ servers });
}

/** Decodes a configuration entry; a malformed one is a bug (entries are checksummed on disk). */
export function decodeConfiguration(data: Uint8Array): Configuration {
  const value: unknown = packr.unpack(data);
  const raw = (value as { servers?: unknown } | null)?.servers;
  if (!Array.isArray(raw)) throw new Error("raft: malformed configuration entry");
  const servers: Server[] = raw.map((s: unknown) => {
    const { id, address, suffrage } = (s ?? {}) as Record<string, unknown>;
    if (typeof id !== "string" || typeof address !== "string") {
      throw new Error("raft: malformed server in configuration entry");
    }
    if (suffrage !== "voter" && suffrage !== "nonvoter") {
      throw new Error("raft: malformed suffrage in configuration entry");
    }
    return { id, address, suffrage };
  });
  return { servers };
}

export function validateConfiguration(configuration: Configuration): void {
  const seen = new Set<NodeId>();
  for (const s of configuration.servers) {
    if (s.id === "") throw new Error("raft: configuration has a server with an empty id");
    if (seen.has(s.id)) throw new Error(`raft: configuration lists ${s.id} twice`);
    seen.add(s.id);
  }
  if (!configuration.servers.some((s) => s.suffrage === "voter")) {
    throw new Error("raft: configuration has no voter");
  }
}

export function isVoter(configuration: Configuration, id: NodeId): boolean {
  return configuration.servers.some((s) => s.id === id && s.suffrage === "voter");
}

export function findServer(configuration: Configuration, id: NodeId): Server | undefined {
  return configuration.servers.find((s) => s.id === id);
}

export function voterIds(configuration: Configuration): NodeId[] {
  return configuration.servers.filter((s) => s.suffrage === "voter").map((s) => s.id);
}

/**
 * The configuration after one change (hashicorp/raft semantics): adding an existing nonvoter as a
 * voter promotes it; adding an existing voter as a nonvoter keeps it a voter (no silent demotion);
 * an address change is taken as given. Returns undefined when the change would leave no voter.
 */
export function applyChange(
  configuration: Configuration,
  change: MembershipChange,
): Configuration | undefined {
  const servers = configuration.servers.slice();
  const at = servers.findIndex((s) => s.id === change.id);
  switch (change.type) {
    case "addVoter": {
      const server: Server = { id: change.id, address: change.address, suffrage: "voter" };
      if (at >= 0) servers[at] = server;
      else servers.push(server);
      break;
    }
    case "addNonvoter": {
      const existing = at >= 0 ? servers[at] : undefined;
      const suffrage = existing?.suffrage ?? "nonvoter";
      const server: Server = { id: change.id, address: change.address, suffrage };
      if (at >= 0) servers[at] = server;
      else servers.push(server);
      break;
    }
    case "removeServer":
      if (at >= 0) servers.splice(at, 1);
      break;
  }
  if (!servers.some((s) => s.suffrage === "voter")) return undefined;
  return { servers };
}
