// The narrow seam between the agent's wiring (banner, signals, HTTP API) and the real server and
// client. NomadServer (@nomad/server) and NomadClient (@nomad/client) satisfy these shapes
// structurally; tests use small in-process twins.
import type { Rpc } from "@nomad/rpc";
import type { AgentMember } from "@nomad/structs";

export interface ServerBackend {
  /** In-process RPC into the server's endpoints (LocalRpc). */
  readonly rpc: Rpc;
  /** The server's node UUID (`Node Id` in the banner). */
  readonly nodeID: string;
  /** `ip:port` peers and clients use for RPC (4647). */
  readonly rpcAdvertise: string;
  /** `ip:port` of the gossip listener (4648). */
  readonly serfAdvertise: string;
  /** Every server of every known region, as gossip sees them. */
  members(): AgentMember[];
  /** Gossip join; resolves with the number of agents contacted. */
  join(addrs: string[]): Promise<number>;
  forceLeave(node: string, prune: boolean): Promise<void>;
  /** `{ nomad: {...}, raft: {...}, serf: {...} }`, every value a string (agent/self). */
  stats(): Record<string, Record<string, string>>;
  isLeader(): boolean;
  /** Graceful: leave gossip and the Raft peer set. */
  leave(): Promise<void>;
  shutdown(): Promise<void>;
}

export interface LogStreamRequest {
  readonly allocID: string;
  readonly task: string;
  readonly type: "stdout" | "stderr";
  readonly follow: boolean;
  readonly offset: number;
  readonly origin: "start" | "end";
  readonly signal: AbortSignal;
}

/** One frame of `/v1/client/fs/logs`: data read from a log file, or an event about the file. */
export type LogStreamFrame =
  | { readonly File: string; readonly Offset: number; readonly Data: Uint8Array }
  | { readonly File: string; readonly FileEvent: string };

export interface ClientBackend {
  readonly nodeID: string;
  streamLogs(request: LogStreamRequest): AsyncIterable<LogStreamFrame>;
  /** `{ node_id, known_servers, num_allocations, heartbeat_ttl, last_heartbeat }`, strings. */
  stats(): Record<string, string>;
  hasAlloc(allocID: string): boolean;
  /** Stops heartbeats; leaves tasks running (Nomad). */
  shutdown(): Promise<void>;
  /** The client's server list (`GET /v1/agent/servers`), when it has one. */
  servers?(): string[];
  /** Replaces it (`PUT /v1/agent/servers`). */
  setServers?(addrs: string[]): void;
  /** Client-side GC on demand (`/v1/client/gc`, `/v1/client/allocation/:id/gc`). */
  readonly gc?: {
    collectAll(): Promise<unknown>;
    /** False when the allocation is not finished (never collected while running). */
    collectAlloc(allocID: string): Promise<boolean>;
  };
}

export interface AgentBackend {
  readonly server?: ServerBackend;
  readonly client?: ClientBackend;
  /** Where HTTP requests go: server.rpc on a server, the client's ServerRpc on a client-only agent. */
  readonly rpc: Rpc;
}

/** Stops the client first (it may still talk to the local server), then the server. */
export async function shutdownBackend(backend: AgentBackend): Promise<void> {
  const errors: unknown[] = [];
  if (backend.client !== undefined) await backend.client.shutdown().catch((e: unknown) => errors.push(e));
  if (backend.server !== undefined) await backend.server.shutdown().catch((e: unknown) => errors.push(e));
  if (errors.length > 0) throw errors[0];
}
