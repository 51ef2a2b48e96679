// What the endpoints need from the server, injected (the lead's NomadServer builds it).
import type { AgentMember, Job, NodeServerInfo, RaftConfigurationResponse } from "@nomad/structs";
import type { JobPlanResult } from "../leader/job-plan.js";
import type { FsmCommand } from "../fsm/commands.js";
import type { Logger } from "../logger.js";
import type { StateSnapshot, TableName } from "../state/types.js";

/** The slice of the state store the endpoints read (the real StateStore fits). */
export interface EndpointStateStore {
  snapshot(): StateSnapshot;
  waitForChange(
    tables: readonly TableName[],
    minIndex: number,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<number>;
}

/** The leader-only duties the endpoints call (the leader's `Leader` fits). */
export interface EndpointLeader {
  /** Resets the node's heartbeat timer; returns the TTL to hand the client, in milliseconds. */
  resetHeartbeat(nodeID: string): number;
  /** Runs the scheduler on a copy of the state with `job`, committing nothing. */
  planJob(job: Job): Promise<JobPlanResult>;
  /** System.GarbageCollect: a forced `_core` GC of everything eligible. */
  forceGC(): Promise<unknown>;
}

export interface EndpointDeps {
  readonly state: EndpointStateStore;
  /** Propose through Raft; resolves once applied locally. `error` is the FSM's refusal. */
  apply(cmd: FsmCommand): Promise<{ index: number; error?: unknown }>;
  isLeader(): boolean;
  /** RPC address of the leader, "" when none is known. */
  leaderRpcAddr(): string;
  /** Sends the call to the leader (ServerRpc); used for writes and non-stale reads on followers. */
  forward(method: string, args: unknown): Promise<unknown>;
  /** The running leader duties, asked on every call; null when not the leader. */
  leader(): EndpointLeader | null;
  /** Serf members (servers) of this region. */
  members(): AgentMember[];
  /** Raft servers; `Node` may be left empty: it is filled from the serf members. */
  raftConfiguration(): RaftConfigurationResponse | Promise<RaftConfigurationResponse>;
  removeRaftPeer(id: string): Promise<void>;
  regions(): string[];
  readonly region: string;
  /** This server's serf name and datacenter (Status.Members). */
  readonly serverName: string;
  readonly datacenter: string;
  /** Milliseconds since the leader was last heard from (0 on the leader). */
  lastContactMs(): number;
  /**
   * Servers a client should know (NodeUpdateResponse.Servers); default: derived from the serf
   * members' tags (role=nomad, rpc_addr, port, dc).
   */
  nodeServers?(): NodeServerInfo[];
  /** Default: the system clock. */
  readonly clock?: { nowMs(): number; nowNs(): number };
  /** Default: crypto.randomUUID. */
  newID?(): string;
  /** Jitter for blocking queries; default Math.random. */
  random?(): number;
  readonly logger: Logger;
  /** Node.UpdateAlloc batching window; default 50 ms, as Nomad's batchUpdateInterval. */
  readonly allocUpdateBatchMs?: number;
}
