// Nomad-shaped JSON as the agent's HTTP API returns it (field names and shapes from Nomad).
import { nsAgo, NOW_MS } from "./harness.js";

export const EVAL_ID = "5744eb15-bb6d-4ad2-9c51-4f1a1f5c2c3a";
export const EVAL2_ID = "a1b2c3d4-0000-4000-8000-000000000002";
export const BLOCKED_EVAL_ID = "b10cced0-0000-4000-8000-000000000003";
export const ALLOC_ID = "8ba85cef-3c50-4ba3-9d3d-70cfa2c3e2a1";
export const NODE_ID = "f7476465-0c2a-4dc4-83a9-03b7d7a3bbd1";
export const NODE2_ID = "f7a00001-0000-4000-8000-000000000009";

export const JOB_STUB = {
  ID: "example",
  ParentID: "",
  Name: "example",
  Namespace: "default",
  Datacenters: ["dc1"],
  NodePool: "default",
  Type: "service",
  Priority: 50,
  Periodic: false,
  ParameterizedJob: false,
  Stop: false,
  Status: "running",
  StatusDescription: "",
  JobSummary: {
    JobID: "example",
    Namespace: "default",
    Summary: {},
    Children: { Pending: 0, Running: 0, Dead: 0 },
  },
  CreateIndex: 10,
  ModifyIndex: 12,
  JobModifyIndex: 10,
  SubmitTime: NOW_MS * 1e6,
};

export const JOB = {
  Region: "global",
  Namespace: "default",
  ID: "example",
  Name: "example",
  Type: "service",
  Priority: 50,
  Datacenters: ["dc1"],
  NodePool: "default",
  TaskGroups: [
    {
      Name: "cache",
      Count: 1,
      Tasks: [
        {
          Name: "redis",
          Driver: "raw_exec",
          Config: { command: "/bin/sleep", args: ["1000"] },
          Resources: { CPU: 100, MemoryMB: 300 },
          Lifecycle: null,
        },
      ],
    },
  ],
  Periodic: null,
  ParameterizedJob: null,
  Status: "running",
  Stop: false,
  Version: 0,
  SubmitTime: NOW_MS * 1e6,
  CreateIndex: 10,
  ModifyIndex: 12,
  JobModifyIndex: 10,
};

export const SUMMARY = {
  JobID: "example",
  Namespace: "default",
  Summary: { cache: { Queued: 0, Complete: 0, Failed: 0, Running: 1, Starting: 0, Lost: 0, Unknown: 0 } },
  Children: { Pending: 0, Running: 0, Dead: 0 },
  CreateIndex: 10,
  ModifyIndex: 13,
};

export function allocStub(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ID: ALLOC_ID,
    EvalID: EVAL_ID,
    Name: "example.cache[0]",
    Namespace: "default",
    NodeID: NODE_ID,
    NodeName: "node-1",
    JobID: "example",
    JobType: "service",
    JobVersion: 0,
    TaskGroup: "cache",
    DesiredStatus: "run",
    DesiredDescription: "",
    ClientStatus: "running",
    ClientDescription: "Tasks are running",
    DesiredTransition: {},
    TaskStates: null,
    FollowupEvalID: "",
    NextAllocation: "",
    CreateIndex: 11,
    ModifyIndex: 13,
    CreateTime: nsAgo(5 * 60_000),
    ModifyTime: nsAgo(4 * 60_000 + 50_000),
    ...over,
  };
}

export function evaluation(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ID: EVAL_ID,
    Namespace: "default",
    Priority: 50,
    Type: "service",
    TriggeredBy: "job-register",
    JobID: "example",
    JobModifyIndex: 10,
    NodeID: "",
    DeploymentID: "",
    Status: "complete",
    StatusDescription: "",
    Wait: 0,
    WaitUntil: 0,
    NextEval: "",
    PreviousEval: "",
    BlockedEval: "",
    FailedTGAllocs: null,
    QueuedAllocations: { cache: 0 },
    CreateIndex: 11,
    ModifyIndex: 12,
    CreateTime: nsAgo(5 * 60_000),
    ModifyTime: nsAgo(5 * 60_000 - 2_000),
    ...over,
  };
}

export const FAILED_METRIC = {
  NodesEvaluated: 1,
  NodesFiltered: 0,
  NodesInPool: 1,
  NodesAvailable: { dc1: 1 },
  ClassFiltered: null,
  ConstraintFiltered: { "missing drivers": 1 },
  NodesExhausted: 1,
  ClassExhausted: null,
  DimensionExhausted: { memory: 1 },
  QuotaExhausted: null,
  CoalescedFailures: 2,
};

export const NODE_STUB = {
  Address: "127.0.0.1",
  ID: NODE_ID,
  Attributes: { "os.name": "debian" },
  Datacenter: "dc1",
  Name: "node-1",
  NodePool: "default",
  NodeClass: "",
  Version: "0.1.0",
  Drain: false,
  SchedulingEligibility: "eligible",
  Status: "ready",
  StatusDescription: "",
  Drivers: {},
  CreateIndex: 5,
  ModifyIndex: 7,
};

export const NODE = {
  ID: NODE_ID,
  Name: "node-1",
  Datacenter: "dc1",
  NodePool: "default",
  NodeClass: "",
  HTTPAddr: "127.0.0.1:4646",
  Attributes: { "driver.raw_exec": "1", "kernel.name": "linux", "os.name": "debian" },
  Meta: { rack: "r1" },
  NodeResources: { Cpu: { CpuShares: 4000 }, Memory: { MemoryMB: 8192 }, Disk: { DiskMB: 102400 } },
  ReservedResources: { Cpu: { CpuShares: 0 }, Memory: { MemoryMB: 0 }, Disk: { DiskMB: 0 } },
  DrainStrategy: null,
  SchedulingEligibility: "eligible",
  Status: "ready",
  StatusDescription: "",
  Drivers: {
    raw_exec: {
      Attributes: {},
      Detected: true,
      Healthy: true,
      HealthDescription: "Healthy",
      UpdateTime: "2026-11-25T00:50:00Z",
    },
    exec: {
      Attributes: {},
      Detected: false,
      Healthy: false,
      HealthDescription: "Driver must run as root",
      UpdateTime: "2026-11-25T00:50:00Z",
    },
  },
  Events: [
    {
      Message: "Node registered",
      Subsystem: "Cluster",
      Details: null,
      Timestamp: "2026-11-25T00:50:00Z",
      CreateIndex: 5,
    },
    {
      Message: "Node marked as eligible for scheduling",
      Subsystem: "Cluster",
      Details: null,
      Timestamp: "2026-11-25T00:55:00Z",
      CreateIndex: 7,
    },
  ],
  NodeMaxAllocs: 0,
  CreateIndex: 5,
  ModifyIndex: 7,
};

export const ALLOCATION = {
  ...allocStub(),
  Job: JOB,
  AllocatedResources: {
    Tasks: {
      redis: {
        Cpu: { CpuShares: 100, ReservedCores: [] },
        Memory: { MemoryMB: 300, MemoryMaxMB: 0 },
        Networks: [],
      },
    },
    TaskLifecycles: {},
    Shared: { Networks: [], DiskMB: 300, Ports: [] },
  },
  Metrics: {
    ...FAILED_METRIC,
    NodesExhausted: 0,
    DimensionExhausted: null,
    ConstraintFiltered: null,
    CoalescedFailures: 0,
    AllocationTime: 125000,
  },
  TaskStates: {
    redis: {
      State: "running",
      Failed: false,
      Restarts: 0,
      LastRestart: "0001-01-01T00:00:00Z",
      StartedAt: "2026-11-25T00:55:05Z",
      FinishedAt: "0001-01-01T00:00:00Z",
      Events: [
        { Type: "Received", Time: nsAgo(5 * 60_000), Message: "", DisplayMessage: "Task received by client" },
        {
          Type: "Task Setup",
          Time: nsAgo(5 * 60_000 - 1000),
          Message: "Building Task Directory",
          DisplayMessage: "",
        },
        { Type: "Started", Time: nsAgo(5 * 60_000 - 5000), Message: "", DisplayMessage: "" },
      ],
    },
  },
};
