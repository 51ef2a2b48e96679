// Requests and replies of the server RPC endpoints, with Nomad's method and field names
// (nomad/structs/structs.go). The HTTP API, the CLI and clients all speak these shapes; the
// server validates every request it receives (the network is untrusted) before using it.
import type { AllocMetric } from "./alloc-metric.js";
import type { Allocation, DesiredTransition, TaskState } from "./allocation.js";
import type { Evaluation } from "./evaluation.js";
import type { Job } from "./job.js";
import type { DrainStrategy, Node, NodeResources, NodeReservedResources, DriverInfo } from "./node.js";

/** Every RPC method the server answers. Names are Nomad's (`Job.Register` ...). */
export const RPC_METHODS = [
  "Status.Leader",
  "Status.Peers",
  "Status.Members",
  "Status.Regions",
  "Job.Register",
  "Job.Deregister",
  "Job.GetJob",
  "Job.List",
  "Job.GetJobVersions",
  "Job.Allocations",
  "Job.Evaluations",
  "Job.Summary",
  "Job.Plan",
  "Job.Evaluate",
  "Node.Register",
  "Node.UpdateStatus",
  "Node.GetNode",
  "Node.List",
  "Node.GetAllocs",
  "Node.GetClientAllocs",
  "Node.UpdateAlloc",
  "Node.UpdateDrain",
  "Node.UpdateEligibility",
  "Node.Evaluate",
  "Alloc.List",
  "Alloc.GetAlloc",
  "Alloc.GetAllocs",
  "Alloc.Stop",
  "Eval.GetEval",
  "Eval.List",
  "Eval.Allocations",
  "Operator.RaftGetConfiguration",
  "Operator.RaftRemovePeerByID",
  "System.GarbageCollect",
] as const;
export type RpcMethod = (typeof RPC_METHODS)[number];

/** Sent with every read. Blocking: return once the answer's index is > MinQueryIndex, or MaxQueryTime passed. */
export interface QueryOptions {
  Region?: string;
  /** `default` when absent; `*` lists every namespace. */
  Namespace?: string;
  MinQueryIndex?: number;
  /** Nanoseconds (Go duration); the server caps it at 300 s and adds up to 1/16 jitter. */
  MaxQueryTime?: number;
  /** Any server may answer from its own state (no forwarding to the leader). */
  AllowStale?: boolean;
  /** ID prefix filter for list endpoints. */
  Prefix?: string;
  /** Secret of the calling node (client endpoints). */
  SecretID?: string;
}

/** Returned with every read; the HTTP layer turns it into X-Nomad-Index / KnownLeader / LastContact. */
export interface QueryMeta {
  Index: number;
  /** Milliseconds since this server last heard from the leader (0 on the leader). */
  LastContact: number;
  KnownLeader: boolean;
}

export interface WriteRequest {
  Region?: string;
  Namespace?: string;
}

export interface WriteMeta {
  /** Raft index of the write. */
  Index: number;
}

// ---- Status ----

export interface AgentMember {
  Name: string;
  Addr: string;
  Port: number;
  Tags: Record<string, string>;
  Status: string;
  ProtocolMin: number;
  ProtocolMax: number;
  ProtocolCur: number;
  DelegateMin: number;
  DelegateMax: number;
  DelegateCur: number;
}

export interface ServerMembersResponse {
  ServerName: string;
  ServerRegion: string;
  ServerDC: string;
  Members: AgentMember[];
}

// ---- Jobs ----

export interface JobRegisterRequest extends WriteRequest {
  Job: Job;
  EnforceIndex?: boolean;
  JobModifyIndex?: number;
  PreserveCounts?: boolean;
  EvalPriority?: number;
}

export interface JobRegisterResponse extends WriteMeta {
  EvalID: string;
  EvalCreateIndex: number;
  JobModifyIndex: number;
  Warnings: string;
}

export interface JobDeregisterRequest extends WriteRequest {
  JobID: string;
  Purge?: boolean;
  EvalPriority?: number;
}

export interface JobDeregisterResponse extends WriteMeta {
  EvalID: string;
  EvalCreateIndex: number;
  JobModifyIndex: number;
}

export interface JobSpecificRequest extends QueryOptions {
  JobID: string;
  /** Job.Allocations: include allocations of older job versions with the same ID. */
  All?: boolean;
}

export interface TaskGroupSummary {
  Queued: number;
  Complete: number;
  Failed: number;
  Running: number;
  Starting: number;
  Lost: number;
  Unknown: number;
}

export interface JobSummary {
  JobID: string;
  Namespace: string;
  Summary: Record<string, TaskGroupSummary>;
  Children: { Pending: number; Running: number; Dead: number };
  CreateIndex: number;
  ModifyIndex: number;
}

export interface JobListStub {
  ID: string;
  ParentID: string;
  Name: string;
  Namespace: string;
  Datacenters: string[];
  NodePool: string;
  Type: string;
  Priority: number;
  Periodic: boolean;
  ParameterizedJob: boolean;
  Stop: boolean;
  Status: string;
  StatusDescription: string;
  JobSummary: JobSummary | null;
  CreateIndex: number;
  ModifyIndex: number;
  JobModifyIndex: number;
  SubmitTime: number;
}

export interface SingleJobResponse extends QueryMeta {
  Job: Job | null;
}
export interface JobListResponse extends QueryMeta {
  Jobs: JobListStub[];
}
export interface JobVersionsResponse extends QueryMeta {
  Versions: Job[];
}
export interface JobAllocationsResponse extends QueryMeta {
  Allocations: AllocListStub[];
}
export interface JobEvaluationsResponse extends QueryMeta {
  Evaluations: Evaluation[];
}
export interface JobSummaryResponse extends QueryMeta {
  JobSummary: JobSummary | null;
}

export interface JobPlanRequest extends WriteRequest {
  Job: Job;
  Diff?: boolean;
}

export interface DesiredUpdates {
  Ignore: number;
  Place: number;
  Migrate: number;
  Stop: number;
  InPlaceUpdate: number;
  DestructiveUpdate: number;
  Canary: number;
  Preemptions: number;
}

export interface JobPlanResponse extends WriteMeta {
  Annotations: { DesiredTGUpdates: Record<string, DesiredUpdates> } | null;
  FailedTGAllocs: Record<string, AllocMetric> | null;
  JobModifyIndex: number;
  CreatedEvals: Evaluation[] | null;
  /** Field-level diff when `Diff` was asked; `{ Type: "Added" | "Edited" | "None" | "Deleted", ... }`. */
  Diff: unknown;
  NextPeriodicLaunch: number;
  Warnings: string;
}

export interface JobEvaluateRequest extends WriteRequest {
  JobID: string;
  EvalOptions?: { ForceReschedule?: boolean };
}

// ---- Nodes ----

export interface NodeEvent {
  Message: string;
  Subsystem: string;
  Details: Record<string, string> | null;
  /** RFC 3339. */
  Timestamp: string;
  CreateIndex: number;
}

export interface NodeRegisterRequest extends WriteRequest {
  Node: Node;
}

export interface NodeServerInfo {
  RPCAdvertiseAddr: string;
  RPCMajorVersion: number;
  RPCMinorVersion: number;
  Datacenter: string;
}

/** Reply to Node.Register, Node.UpdateStatus, Node.Evaluate. */
export interface NodeUpdateResponse extends QueryMeta {
  /** Nanoseconds: when the client must heartbeat again. */
  HeartbeatTTL: number;
  EvalIDs: string[];
  EvalCreateIndex: number;
  NodeModifyIndex: number;
  LeaderRPCAddr: string;
  NumNodes: number;
  Servers: NodeServerInfo[];
}

export interface NodeUpdateStatusRequest extends WriteRequest {
  NodeID: string;
  Status: "initializing" | "ready" | "down" | "disconnected";
  NodeEvent?: NodeEvent;
  /** Unix seconds. */
  UpdatedAt?: number;
  SecretID?: string;
}

export interface NodeSpecificRequest extends QueryOptions {
  NodeID: string;
}

export interface NodeListStub {
  Address: string;
  ID: string;
  Attributes: Record<string, string> | null;
  Datacenter: string;
  Name: string;
  NodePool: string;
  NodeClass: string;
  Version: string;
  Drain: boolean;
  SchedulingEligibility: string;
  Status: string;
  StatusDescription: string;
  Drivers: Record<string, DriverInfo>;
  NodeResources: NodeResources | null;
  ReservedResources: NodeReservedResources | null;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface SingleNodeResponse extends QueryMeta {
  Node: Node | null;
}
export interface NodeListResponse extends QueryMeta {
  Nodes: NodeListStub[];
}
export interface NodeAllocsResponse extends QueryMeta {
  Allocs: Allocation[];
}
/** Node.GetClientAllocs: what the client must fetch, as alloc ID -> AllocModifyIndex. */
export interface NodeClientAllocsResponse extends QueryMeta {
  Allocs: Record<string, number>;
  /** Alloc IDs whose desired state changed only in ways the client must still see (migrate tokens). */
  MigrateTokens: Record<string, string>;
}

/** What a client reports about its allocations (Node.UpdateAlloc). */
export interface AllocClientUpdate {
  ID: string;
  ClientStatus: string;
  ClientDescription: string;
  TaskStates: Record<string, TaskState>;
  /** Unix nanoseconds. */
  ModifyTime: number;
}

export interface AllocUpdateRequest extends WriteRequest {
  Alloc: AllocClientUpdate[];
  SecretID?: string;
}

export interface NodeUpdateDrainRequest extends WriteRequest {
  NodeID: string;
  DrainStrategy: DrainStrategy | null;
  MarkEligible?: boolean;
  Meta?: Record<string, string>;
}

export interface NodeUpdateEligibilityRequest extends WriteRequest {
  NodeID: string;
  Eligibility: "eligible" | "ineligible";
}

export interface NodeDrainUpdateResponse extends WriteMeta {
  EvalIDs: string[];
  EvalCreateIndex: number;
  NodeModifyIndex: number;
}

// ---- Allocations ----

export interface AllocListStub {
  ID: string;
  EvalID: string;
  Name: string;
  Namespace: string;
  NodeID: string;
  NodeName: string;
  JobID: string;
  JobType: string;
  JobVersion: number;
  TaskGroup: string;
  AllocatedResources: unknown;
  DesiredStatus: string;
  DesiredDescription: string;
  ClientStatus: string;
  ClientDescription: string;
  DesiredTransition: DesiredTransition;
  TaskStates: Record<string, TaskState> | null;
  FollowupEvalID: string;
  NextAllocation: string;
  CreateIndex: number;
  ModifyIndex: number;
  CreateTime: number;
  ModifyTime: number;
}

export interface AllocSpecificRequest extends QueryOptions {
  AllocID: string;
}
export interface AllocsGetRequest extends QueryOptions {
  AllocIDs: string[];
}
export interface AllocListResponse extends QueryMeta {
  Allocations: AllocListStub[];
}
export interface SingleAllocResponse extends QueryMeta {
  Alloc: Allocation | null;
}
export interface AllocsGetResponse extends QueryMeta {
  Allocs: Allocation[];
}
export interface AllocStopRequest extends WriteRequest {
  AllocID: string;
  NoShutdownDelay?: boolean;
}
export interface AllocStopResponse extends WriteMeta {
  EvalID: string;
}

// ---- Evaluations ----

export interface EvalSpecificRequest extends QueryOptions {
  EvalID: string;
}
export interface EvalListRequest extends QueryOptions {
  FilterJobID?: string;
  FilterEvalStatus?: string;
}
export interface SingleEvalResponse extends QueryMeta {
  Eval: Evaluation | null;
}
export interface EvalListResponse extends QueryMeta {
  Evaluations: Evaluation[];
}
export interface EvalAllocationsResponse extends QueryMeta {
  Allocations: AllocListStub[];
}

// ---- Operator / System ----

export interface RaftServer {
  ID: string;
  /** Serf member name, or `(unknown)`. */
  Node: string;
  Address: string;
  Leader: boolean;
  Voter: boolean;
  RaftProtocol: string;
}

export interface RaftConfigurationResponse {
  Index: number;
  Servers: RaftServer[];
}

export interface RaftPeerByIDRequest extends WriteRequest {
  ID: string;
}
