import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { StructsValidationError } from "@nomad/structs";
import {
  allocIndex,
  allocIsTerminal,
  allocName,
  emptyPlan,
  parseAllocation,
  parseEvaluation,
  parseJob,
  parsePlan,
  parsePlanResult,
  planIsNoOp,
} from "@nomad/structs";

const jobJson = JSON.parse(
  readFileSync(new URL("./fixtures/job-service.json", import.meta.url), "utf8"),
) as unknown;

const allocJson = {
  ID: "5456bd7a-9fc0-c0dd-6131-cbee77f57577",
  EvalID: "a3e9fcd4-1b8a-4a7e-95e8-0f5c0d1e2a11",
  Name: "cache.redis[2]",
  Namespace: "default",
  NodeID: "f7476465-4d6e-c0de-26d0-e383c49be941",
  NodeName: "worker-1",
  JobID: "cache",
  Job: jobJson,
  TaskGroup: "redis",
  DesiredStatus: "run",
  DesiredDescription: "",
  DesiredTransition: { Migrate: null, Reschedule: null, ForceReschedule: null },
  ClientStatus: "running",
  ClientDescription: "Tasks are running",
  TaskStates: {
    redis: {
      State: "running",
      Failed: false,
      Restarts: 0,
      LastRestart: "0001-01-01T00:00:00Z",
      StartedAt: "2026-11-24T20:01:00.5Z",
      FinishedAt: "0001-01-01T00:00:00Z",
      Events: [
        {
          Type: "Received",
          Time: 1764014400000000000,
          Message: "",
          DisplayMessage: "Task received by client",
        },
      ],
    },
  },
  AllocatedResources: {
    Tasks: {
      redis: {
        Cpu: { CpuShares: 500, ReservedCores: null },
        Memory: { MemoryMB: 256, MemoryMaxMB: 512 },
        Networks: null,
        Devices: null,
      },
    },
    TaskLifecycles: { redis: null },
    Shared: {
      Networks: [{ Mode: "bridge", DynamicPorts: [{ Label: "db", Value: 24117, To: 6379 }] }],
      DiskMB: 300,
      Ports: [{ Label: "db", Value: 24117, To: 6379, HostIP: "10.0.0.11" }],
    },
  },
  RescheduleTracker: {
    Events: [
      { RescheduleTime: 1764014000000000000, PrevAllocID: "old", PrevNodeID: "n0", Delay: 30000000000 },
    ],
  },
  PreviousAllocation: "old",
  NextAllocation: "",
  FollowupEvalID: "",
  CreateIndex: 41,
  ModifyIndex: 45,
  AllocModifyIndex: 41,
  CreateTime: 1764014400000000000,
  ModifyTime: 1764014460000000000,
};

describe("Allocation", () => {
  it("reads an alloc with its job, task states, allocated resources and reschedule tracker", () => {
    const a = parseAllocation(allocJson);
    expect(a.Job?.ID).toBe("cache");
    expect(a.TaskStates["redis"]?.State).toBe("running");
    expect(a.AllocatedResources?.Shared.Ports[0]).toEqual({
      Label: "db",
      Value: 24117,
      To: 6379,
      HostIP: "10.0.0.11",
    });
    expect(a.AllocatedResources?.Tasks["redis"]?.Cpu).toEqual({ CpuShares: 500, ReservedCores: [] });
    expect(a.RescheduleTracker?.Events[0]?.Delay).toBe(30e9);
    expect(a.PreviousAllocation).toBe("old");
    expect(allocIsTerminal(a)).toBe(false);
  });

  it("an invalid client status names ClientStatus", () => {
    try {
      parseAllocation({ ...allocJson, ClientStatus: "exploded" });
      expect.unreachable();
    } catch (e) {
      expect((e as StructsValidationError).issues.map((i) => i.path)).toEqual(["ClientStatus"]);
    }
  });

  it("names carry the slot index", () => {
    expect(allocName("cache", "redis", 2)).toBe("cache.redis[2]");
    expect(allocIndex("cache.redis[2]")).toBe(2);
    expect(allocIndex("weird.name[x]")).toBe(-1);
  });

  it("stopped, complete, failed and lost allocs are terminal", () => {
    expect(allocIsTerminal({ DesiredStatus: "stop", ClientStatus: "running" })).toBe(true);
    for (const s of ["complete", "failed", "lost"] as const)
      expect(allocIsTerminal({ DesiredStatus: "run", ClientStatus: s })).toBe(true);
    expect(allocIsTerminal({ DesiredStatus: "run", ClientStatus: "pending" })).toBe(false);
  });
});

describe("Evaluation", () => {
  it("reads a blocked-eval producing evaluation with failed group metrics and queued allocations", () => {
    const ev = parseEvaluation({
      ID: "e1",
      Priority: 50,
      Type: "service",
      TriggeredBy: "job-register",
      JobID: "cache",
      Status: "complete",
      BlockedEval: "e2",
      FailedTGAllocs: {
        redis: {
          NodesEvaluated: 3,
          NodesFiltered: 1,
          ConstraintFiltered: { "${attr.kernel.name} = linux": 1 },
          NodesExhausted: 2,
          DimensionExhausted: { memory: 2 },
          CoalescedFailures: 1,
        },
      },
      QueuedAllocations: { redis: 2 },
      WaitUntil: null,
    });
    expect(ev.FailedTGAllocs["redis"]?.DimensionExhausted).toEqual({ memory: 2 });
    expect(ev.FailedTGAllocs["redis"]?.ScoreMetaData).toEqual([]);
    expect(ev.QueuedAllocations).toEqual({ redis: 2 });
    expect(ev.WaitUntil).toBe(0);
  });

  it("an unknown trigger names TriggeredBy", () => {
    expect(() => parseEvaluation({ ID: "e", TriggeredBy: "whim" })).toThrow(
      /TriggeredBy: unknown evaluation trigger/,
    );
  });
});

describe("Plan and PlanResult", () => {
  it("an empty plan is a no-op; one with a placement is not; both parse back from JSON", () => {
    const job = parseJob(jobJson);
    const plan = emptyPlan("e1", "tok", 70, job);
    expect(planIsNoOp(plan)).toBe(true);
    plan.NodeAllocation["n1"] = [parseAllocation(allocJson)];
    expect(planIsNoOp(plan)).toBe(false);
    const back = parsePlan(JSON.parse(JSON.stringify(plan)));
    expect(back.NodeAllocation["n1"]?.[0]?.Name).toBe("cache.redis[2]");
    expect(back.Priority).toBe(70);
    const result = parsePlanResult({
      NodeAllocation: null,
      RejectedNodes: ["n9"],
      RefreshIndex: 77,
      AllocIndex: 0,
    });
    expect(result).toMatchObject({
      NodeAllocation: {},
      RejectedNodes: ["n9"],
      RefreshIndex: 77,
      IneligibleNodes: [],
    });
  });
});
