import type { GcAlloc, GcDeployment, GcEval, GcJob, GcNode } from "../src/index.js";
import { parseServerGcConfig } from "../src/index.js";

export const NS_PER_S = 1e9;
export const HOUR = 3600 * NS_PER_S;
export const MINUTE = 60 * NS_PER_S;
/** 2026-01-01T00:00:00Z in Unix nanoseconds. */
export const NOW = 1_767_225_600 * NS_PER_S;

export const cfg = parseServerGcConfig({});

export function node(p: Partial<GcNode> & { ID: string }): GcNode {
  return { Status: "down", StatusUpdatedAt: NOW / NS_PER_S - 48 * 3600, ...p };
}

export function job(p: Partial<GcJob> & { ID: string }): GcJob {
  return {
    Namespace: "default",
    Type: "service",
    Status: "dead",
    Stop: true,
    SubmitTime: NOW - 10 * HOUR,
    ParentID: "",
    JobModifyIndex: 10,
    TaskGroups: [{ Name: "web", ReschedulePolicy: null }],
    ...p,
  };
}

export function evaluation(p: Partial<GcEval> & { ID: string; JobID: string }): GcEval {
  return { Namespace: "default", Type: "service", Status: "complete", ModifyTime: NOW - 10 * HOUR, ...p };
}

export function alloc(p: Partial<GcAlloc> & { ID: string; JobID: string; EvalID: string }): GcAlloc {
  return {
    Namespace: "default",
    NodeID: "n1",
    TaskGroup: "web",
    DesiredStatus: "stop",
    ClientStatus: "complete",
    CreateIndex: 5,
    ModifyTime: NOW - 10 * HOUR,
    NextAllocation: "",
    DeploymentID: "",
    RescheduleTracker: null,
    ...p,
  };
}

export function deployment(p: Partial<GcDeployment> & { ID: string; JobID: string }): GcDeployment {
  return { Namespace: "default", Status: "successful", ModifyTime: NOW - 10 * HOUR, ...p };
}
