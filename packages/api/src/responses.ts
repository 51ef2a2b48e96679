// Response shapes of the HTTP API that are not RPC replies of @nomad/structs (the HTTP layer
// flattens or renames some of them, as Nomad's does).
import type { AgentMember, Job } from "@nomad/structs";

/** `GET /v1/agent/self`: lower-case top-level keys, as Nomad's agent answers. */
export interface AgentSelf {
  config: Record<string, unknown>;
  member: AgentMember;
  /** Every value is a string, e.g. `stats.client.node_id`, `stats.nomad.leader`. */
  stats: Record<string, Record<string, string>>;
}

/** `PUT /v1/agent/join`. */
export interface AgentJoinResponse {
  num_joined: number;
  error: string;
  warning?: string;
}

/** `GET /v1/job/:id/versions`. */
export interface JobVersionsResult {
  Versions: Job[];
  Diffs: unknown[] | null;
}

/** One frame of `/v1/client/fs/logs`: a chunk of a log file or a file event. */
export interface StreamFrame {
  /** `alloc/logs/<task>.stdout.0`. */
  File: string;
  /** Byte offset in `File` after this chunk. */
  Offset: number;
  /** The chunk's bytes (base64 on the wire). */
  Data: Uint8Array;
  /** `file deleted` / `file truncated`; empty for data frames. */
  FileEvent: string;
}

export interface LogsOptions {
  task: string;
  /** Default `stdout`. */
  type?: "stdout" | "stderr";
  /** Keep streaming as the task writes. */
  follow?: boolean;
  /** Where `offset` counts from; default `start`. */
  origin?: "start" | "end";
  /** Bytes from `origin`. */
  offset?: number;
  /** Ask for raw text instead of JSON frames; frames then carry raw chunks and an empty File. */
  plain?: boolean;
  region?: string;
  namespace?: string;
  signal?: AbortSignal;
}

/** `PUT /v1/node/:id/drain` body. */
export interface DrainOptions {
  /** `null` disables the drain. Deadline in nanoseconds; -1 forces an immediate drain, 0 = none. */
  drainSpec: { Deadline: number; IgnoreSystemJobs: boolean } | null;
  markEligible?: boolean;
  meta?: Record<string, string>;
}

export interface RegisterOptions {
  /** Register only if the job's JobModifyIndex equals `jobModifyIndex` (0 = the job must not exist). */
  enforceIndex?: boolean;
  jobModifyIndex?: number;
  preserveCounts?: boolean;
  policyOverride?: boolean;
  evalPriority?: number;
}

export interface DeregisterOptions {
  purge?: boolean;
  global?: boolean;
  evalPriority?: number;
  noShutdownDelay?: boolean;
}
