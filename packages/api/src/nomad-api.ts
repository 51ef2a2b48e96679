import type {
  AllocListStub,
  Allocation,
  AllocStopResponse,
  Evaluation,
  Job,
  JobDeregisterResponse,
  JobListStub,
  JobPlanResponse,
  JobRegisterResponse,
  JobSummary,
  Node,
  NodeDrainUpdateResponse,
  NodeListStub,
  NodeUpdateResponse,
  RaftConfigurationResponse,
  ServerMembersResponse,
} from "@nomad/structs";
import { HttpClient } from "./http-client.js";
import { streamLogs } from "./logs.js";
import type {
  AgentJoinResponse,
  AgentSelf,
  DeregisterOptions,
  DrainOptions,
  JobVersionsResult,
  LogsOptions,
  RegisterOptions,
  StreamFrame,
} from "./responses.js";
import type { NomadApiOptions, QueryOptions, QueryResult, WriteOptions } from "./types.js";

const enc = encodeURIComponent;

/**
 * Typed client of Nomad's `/v1` HTTP API. Reads resolve to `{ value, meta }` (meta from the
 * X-Nomad-* headers; pass `{ index, wait }` for a blocking query); writes resolve to the body.
 * Failures: ApiError (non-2xx, Nomad's message), ApiConnectionError (unreachable).
 */
export class NomadApi {
  readonly http: HttpClient;

  constructor(options: NomadApiOptions = {}) {
    this.http = new HttpClient(options);
  }

  get address(): string {
    return this.http.address;
  }

  readonly jobs = {
    list: (opts?: QueryOptions): Promise<QueryResult<JobListStub[]>> => this.http.query("/v1/jobs", opts),
    register: (job: Job, options: RegisterOptions = {}, opts?: WriteOptions): Promise<JobRegisterResponse> =>
      this.http.write("PUT", "/v1/jobs", registerBody(job, options), opts),
    parse: (jobHCL: string, options: { canonicalize?: boolean } = {}, opts?: WriteOptions): Promise<Job> =>
      this.http.write(
        "POST",
        "/v1/jobs/parse",
        { JobHCL: jobHCL, Canonicalize: options.canonicalize ?? false },
        opts,
      ),
    read: (jobID: string, opts?: QueryOptions): Promise<QueryResult<Job>> =>
      this.http.query(`/v1/job/${enc(jobID)}`, opts),
    deregister: (
      jobID: string,
      options: DeregisterOptions = {},
      opts?: WriteOptions,
    ): Promise<JobDeregisterResponse> =>
      this.http.write("DELETE", `/v1/job/${enc(jobID)}`, undefined, opts, {
        purge: options.purge === true ? "true" : undefined,
        global: options.global === true ? "true" : undefined,
        eval_priority:
          options.evalPriority !== undefined && options.evalPriority > 0 ? options.evalPriority : undefined,
        no_shutdown_delay: options.noShutdownDelay === true ? "true" : undefined,
      }),
    versions: (
      jobID: string,
      options: { diffs?: boolean } = {},
      opts?: QueryOptions,
    ): Promise<QueryResult<JobVersionsResult>> =>
      this.http.query(`/v1/job/${enc(jobID)}/versions`, opts, {
        diffs: options.diffs === true ? "true" : undefined,
      }),
    allocations: (
      jobID: string,
      options: { all?: boolean } = {},
      opts?: QueryOptions,
    ): Promise<QueryResult<AllocListStub[]>> =>
      this.http.query(`/v1/job/${enc(jobID)}/allocations`, opts, {
        all: options.all === true ? "true" : undefined,
      }),
    evaluations: (jobID: string, opts?: QueryOptions): Promise<QueryResult<Evaluation[]>> =>
      this.http.query(`/v1/job/${enc(jobID)}/evaluations`, opts),
    plan: (
      job: Job,
      options: { diff?: boolean; policyOverride?: boolean } = {},
      opts?: WriteOptions,
    ): Promise<JobPlanResponse> =>
      this.http.write(
        "PUT",
        `/v1/job/${enc(job.ID)}/plan`,
        { Job: job, Diff: options.diff ?? true, PolicyOverride: options.policyOverride ?? false },
        opts,
      ),
    summary: (jobID: string, opts?: QueryOptions): Promise<QueryResult<JobSummary>> =>
      this.http.query(`/v1/job/${enc(jobID)}/summary`, opts),
    evaluate: (
      jobID: string,
      options: { forceReschedule?: boolean } = {},
      opts?: WriteOptions,
    ): Promise<{ EvalID: string; EvalCreateIndex: number; JobModifyIndex: number }> =>
      this.http.write(
        "PUT",
        `/v1/job/${enc(jobID)}/evaluate`,
        {
          JobID: jobID,
          EvalOptions: { ForceReschedule: options.forceReschedule ?? false },
        },
        opts,
      ),
  };

  readonly nodes = {
    list: (
      opts?: QueryOptions & { os?: boolean; resources?: boolean },
    ): Promise<QueryResult<NodeListStub[]>> =>
      this.http.query("/v1/nodes", opts, {
        os: opts?.os === true ? "true" : undefined,
        resources: opts?.resources === true ? "true" : undefined,
      }),
    read: (nodeID: string, opts?: QueryOptions): Promise<QueryResult<Node>> =>
      this.http.query(`/v1/node/${enc(nodeID)}`, opts),
    allocations: (nodeID: string, opts?: QueryOptions): Promise<QueryResult<Allocation[]>> =>
      this.http.query(`/v1/node/${enc(nodeID)}/allocations`, opts),
    drain: (nodeID: string, options: DrainOptions, opts?: WriteOptions): Promise<NodeDrainUpdateResponse> =>
      this.http.write(
        "PUT",
        `/v1/node/${enc(nodeID)}/drain`,
        {
          NodeID: nodeID,
          DrainSpec: options.drainSpec,
          MarkEligible: options.markEligible ?? false,
          Meta: options.meta ?? {},
        },
        opts,
      ),
    eligibility: (nodeID: string, eligible: boolean, opts?: WriteOptions): Promise<NodeDrainUpdateResponse> =>
      this.http.write(
        "PUT",
        `/v1/node/${enc(nodeID)}/eligibility`,
        {
          NodeID: nodeID,
          Eligibility: eligible ? "eligible" : "ineligible",
        },
        opts,
      ),
    evaluate: (nodeID: string, opts?: WriteOptions): Promise<NodeUpdateResponse> =>
      this.http.write("PUT", `/v1/node/${enc(nodeID)}/evaluate`, undefined, opts),
    purge: (nodeID: string, opts?: WriteOptions): Promise<NodeUpdateResponse> =>
      this.http.write("PUT", `/v1/node/${enc(nodeID)}/purge`, undefined, opts),
  };

  readonly allocations = {
    list: (opts?: QueryOptions): Promise<QueryResult<AllocListStub[]>> =>
      this.http.query("/v1/allocations", opts),
    read: (allocID: string, opts?: QueryOptions): Promise<QueryResult<Allocation>> =>
      this.http.query(`/v1/allocation/${enc(allocID)}`, opts),
    stop: (
      allocID: string,
      options: { noShutdownDelay?: boolean } = {},
      opts?: WriteOptions,
    ): Promise<AllocStopResponse> =>
      this.http.write("PUT", `/v1/allocation/${enc(allocID)}/stop`, undefined, opts, {
        no_shutdown_delay: options.noShutdownDelay === true ? "true" : undefined,
      }),
  };

  readonly evaluations = {
    list: (opts?: QueryOptions & { job?: string; status?: string }): Promise<QueryResult<Evaluation[]>> =>
      this.http.query("/v1/evaluations", opts, { job: opts?.job, status: opts?.status }),
    read: (evalID: string, opts?: QueryOptions & { related?: boolean }): Promise<QueryResult<Evaluation>> =>
      this.http.query(`/v1/evaluation/${enc(evalID)}`, opts, {
        related: opts?.related === true ? "true" : undefined,
      }),
    allocations: (evalID: string, opts?: QueryOptions): Promise<QueryResult<AllocListStub[]>> =>
      this.http.query(`/v1/evaluation/${enc(evalID)}/allocations`, opts),
  };

  readonly agent = {
    self: (opts?: QueryOptions): Promise<QueryResult<AgentSelf>> => this.http.query("/v1/agent/self", opts),
    members: (opts?: QueryOptions): Promise<QueryResult<ServerMembersResponse>> =>
      this.http.query("/v1/agent/members", opts),
    /** Resolves to the number joined; a partial join with an error rejects with JoinError carrying the count. */
    join: async (addresses: readonly string[], opts?: WriteOptions): Promise<number> => {
      const res = await this.http.write<AgentJoinResponse>("PUT", "/v1/agent/join", undefined, opts, {
        address: addresses,
      });
      const joined = res?.num_joined ?? 0;
      if (res !== undefined && typeof res.error === "string" && res.error !== "")
        throw new JoinError(res.error, joined);
      return joined;
    },
    forceLeave: async (
      node: string,
      options: { prune?: boolean } = {},
      opts?: WriteOptions,
    ): Promise<void> => {
      await this.http.write("PUT", "/v1/agent/force-leave", undefined, opts, {
        node,
        prune: options.prune === true ? "true" : undefined,
      });
    },
    servers: (opts?: QueryOptions): Promise<QueryResult<string[]>> =>
      this.http.query("/v1/agent/servers", opts),
    metrics: (opts?: QueryOptions): Promise<QueryResult<Record<string, unknown>>> =>
      this.http.query("/v1/metrics", opts),
    /** Prometheus exposition text of `/v1/metrics?format=prometheus`. */
    metricsPrometheus: async (opts: { signal?: AbortSignal } = {}): Promise<string> => {
      const res = await this.http.stream("/v1/metrics", { format: "prometheus" }, opts);
      return res.text();
    },
  };

  readonly status = {
    /** The leader's RPC address (`ip:4647`), `""` when there is none. */
    leader: (opts?: QueryOptions): Promise<QueryResult<string>> => this.http.query("/v1/status/leader", opts),
    peers: (opts?: QueryOptions): Promise<QueryResult<string[]>> => this.http.query("/v1/status/peers", opts),
  };

  readonly operator = {
    raftConfiguration: (opts?: QueryOptions): Promise<QueryResult<RaftConfigurationResponse>> =>
      this.http.query("/v1/operator/raft/configuration", opts),
    raftRemovePeer: async (id: string, opts?: WriteOptions): Promise<void> => {
      await this.http.write("DELETE", "/v1/operator/raft/peer", undefined, opts, { id });
    },
  };

  readonly system = {
    gc: async (opts?: WriteOptions): Promise<void> => {
      await this.http.write("PUT", "/v1/system/gc", undefined, opts);
    },
  };

  readonly regions = {
    list: (opts?: QueryOptions): Promise<QueryResult<string[]>> => this.http.query("/v1/regions", opts),
  };

  readonly client = {
    /** Streams a task's log as frames (`/v1/client/fs/logs/:alloc`); ends when the server ends the stream. */
    logs: (allocID: string, options: LogsOptions): AsyncIterable<StreamFrame> =>
      streamLogs(this.http, allocID, options),
  };
}

/** `agent.join` reached some servers but the agent reported an error for the rest. */
export class JoinError extends Error {
  override readonly name = "JoinError";
  constructor(
    message: string,
    readonly numJoined: number,
  ) {
    super(message);
  }
}

function registerBody(job: Job, o: RegisterOptions): Record<string, unknown> {
  const body: Record<string, unknown> = { Job: job };
  if (o.enforceIndex === true) {
    body["EnforceIndex"] = true;
    body["JobModifyIndex"] = o.jobModifyIndex ?? 0;
  }
  if (o.preserveCounts === true) body["PreserveCounts"] = true;
  if (o.policyOverride === true) body["PolicyOverride"] = true;
  if (o.evalPriority !== undefined && o.evalPriority > 0) body["EvalPriority"] = o.evalPriority;
  return body;
}
