// The whole state as bytes (Raft snapshots): a version byte, then one msgpack map holding the
// primary tables as arrays in key order plus the table indexes. Secondary indexes and node
// usage are derived data, rebuilt on restore, so they can never disagree with the rows.
// Allocations carry their job (denormalised, as in Nomad); equal jobs are written once in
// `allocJobs` and referenced by position, which keeps a snapshot of many allocs of one job
// small and lets the restored allocs share one job object in memory.
import { Packr } from "msgpackr";
import type { NodeUsage } from "@nomad/scheduler";
import type { Allocation, Evaluation, Job, JobSummary, Node } from "@nomad/structs";
import { deepEqual } from "./deep-equal.js";
import { StateError } from "./errors.js";
import { key3, nsKey, versionPart } from "./keys.js";
import { adjustUsage, holdsResources } from "./node-usage.js";
import { PersistentMap } from "./persistent-map.js";
import { zeroIndexes, type Tables } from "./tables.js";
import { TABLE_NAMES } from "./types.js";

export const STATE_FORMAT_VERSION = 1;

const packr = new Packr({ useRecords: false, mapsAsObjects: true });

interface Serialized {
  indexes: Record<string, number>;
  jobs: Job[];
  jobVersions: Job[];
  jobSummary: JobSummary[];
  nodes: Node[];
  evals: Evaluation[];
  allocs: Allocation[];
  allocJobs: Job[];
  /** Per alloc: index into allocJobs, or -1 when the alloc has no job. */
  allocJobRefs: number[];
}

export function serializeTables(t: Tables): Uint8Array {
  const { allocs, allocJobs, allocJobRefs } = normaliseAllocJobs(t.allocs.values());
  const body: Serialized = {
    indexes: { ...t.indexes },
    jobs: t.jobs.values(),
    jobVersions: t.jobVersions.values(),
    jobSummary: t.jobSummary.values(),
    nodes: t.nodes.values(),
    evals: t.evals.values(),
    allocs,
    allocJobs,
    allocJobRefs,
  };
  const packed = packr.pack(body);
  const out = new Uint8Array(packed.length + 1);
  out[0] = STATE_FORMAT_VERSION;
  out.set(packed, 1);
  return out;
}

export function deserializeTables(bytes: Uint8Array): Tables {
  if (bytes.length < 2) throw new StateError("INVALID", "state snapshot is empty");
  if (bytes[0] !== STATE_FORMAT_VERSION)
    throw new StateError("INVALID", `unsupported state snapshot version ${bytes[0]}`);
  let raw: unknown;
  try {
    raw = packr.unpack(bytes.subarray(1));
  } catch (err) {
    throw new StateError("INVALID", `undecodable state snapshot: ${(err as Error).message}`);
  }
  const s = denormaliseAllocJobs(checkShape(raw));
  const indexes = zeroIndexes();
  for (const name of TABLE_NAMES) {
    const v = s.indexes[name];
    if (typeof v === "number") indexes[name] = v;
  }
  const allocUsage = new Map<string, NodeUsage>();
  for (const a of s.allocs)
    if (holdsResources(a)) allocUsage.set(a.NodeID, adjustUsage(allocUsage.get(a.NodeID), a, 1));
  const withParent = s.jobs.filter((j) => j.ParentID !== "");
  const withDeployment = s.allocs.filter((a) => a.DeploymentID !== "");
  return {
    jobs: PersistentMap.fromEntries(s.jobs.map((j) => [nsKey(j.Namespace, j.ID), j])),
    jobsByParent: PersistentMap.fromEntries(withParent.map((j) => [key3(j.Namespace, j.ParentID, j.ID), j])),
    jobVersions: PersistentMap.fromEntries(
      s.jobVersions.map((j) => [key3(j.Namespace, j.ID, versionPart(j.Version)), j]),
    ),
    jobSummary: PersistentMap.fromEntries(s.jobSummary.map((x) => [nsKey(x.Namespace, x.JobID), x])),
    nodes: PersistentMap.fromEntries(s.nodes.map((n) => [n.ID, n])),
    evals: PersistentMap.fromEntries(s.evals.map((e) => [e.ID, e])),
    evalsByJob: PersistentMap.fromEntries(s.evals.map((e) => [key3(e.Namespace, e.JobID, e.ID), e])),
    allocs: PersistentMap.fromEntries(s.allocs.map((a) => [a.ID, a])),
    allocsByNode: PersistentMap.fromEntries(s.allocs.map((a) => [nsKey(a.NodeID, a.ID), a])),
    allocsByJob: PersistentMap.fromEntries(s.allocs.map((a) => [key3(a.Namespace, a.JobID, a.ID), a])),
    allocsByEval: PersistentMap.fromEntries(s.allocs.map((a) => [nsKey(a.EvalID, a.ID), a])),
    allocsByDeployment: PersistentMap.fromEntries(
      withDeployment.map((a) => [nsKey(a.DeploymentID, a.ID), a]),
    ),
    nodeUsage: PersistentMap.fromEntries([...allocUsage.entries()]),
    indexes,
  };
}

function jobKey(j: Job): string {
  return `${j.Namespace}\u0000${j.ID}\u0000${j.Version}\u0000${j.ModifyIndex}\u0000${j.JobModifyIndex}`;
}

function normaliseAllocJobs(input: Allocation[]): Pick<Serialized, "allocs" | "allocJobs" | "allocJobRefs"> {
  const allocJobs: Job[] = [];
  const byKey = new Map<string, number[]>();
  const byIdentity = new Map<Job, number>();
  const allocJobRefs = input.map((a) => {
    const job = a.Job;
    if (job === null) return -1;
    const known = byIdentity.get(job);
    if (known !== undefined) return known;
    // Same key is the common case for equal jobs; deepEqual makes sharing exact, never a guess.
    const candidates = byKey.get(jobKey(job)) ?? [];
    let ref = candidates.find((i) => deepEqual(allocJobs[i], job));
    if (ref === undefined) {
      ref = allocJobs.push(job) - 1;
      byKey.set(jobKey(job), [...candidates, ref]);
    }
    byIdentity.set(job, ref);
    return ref;
  });
  const allocs = input.map((a) => (a.Job === null ? a : { ...a, Job: null }));
  return { allocs, allocJobs, allocJobRefs };
}

function denormaliseAllocJobs(s: Serialized): Serialized {
  if (s.allocJobRefs.length !== s.allocs.length)
    throw new StateError("INVALID", "state snapshot: allocJobRefs must have one entry per alloc");
  const allocs = s.allocs.map((a, i) => {
    const ref = s.allocJobRefs[i] as number;
    if (ref === -1) return a;
    const job = s.allocJobs[ref];
    if (job === undefined)
      throw new StateError("INVALID", `state snapshot: allocs[${i}] refers to a missing job`);
    a.Job = job;
    return a;
  });
  return { ...s, allocs };
}

function checkShape(raw: unknown): Serialized {
  if (typeof raw !== "object" || raw === null) throw new StateError("INVALID", "state snapshot is not a map");
  const r = raw as Record<string, unknown>;
  if (typeof r["indexes"] !== "object" || r["indexes"] === null)
    throw new StateError("INVALID", "state snapshot: indexes must be a map");
  for (const k of ["jobs", "jobVersions", "jobSummary", "nodes", "evals", "allocs", "allocJobs"]) {
    const list = r[k];
    if (!Array.isArray(list)) throw new StateError("INVALID", `state snapshot: ${k} must be an array`);
    for (const [i, v] of list.entries()) {
      if (typeof v !== "object" || v === null)
        throw new StateError("INVALID", `state snapshot: ${k}[${i}] must be a map`);
    }
  }
  if (!Array.isArray(r["allocJobRefs"]) || !r["allocJobRefs"].every((x) => Number.isInteger(x)))
    throw new StateError("INVALID", "state snapshot: allocJobRefs must be an array of integers");
  return r as unknown as Serialized;
}
