// The Raft log's payloads: one command per entry, named after Nomad's FSM message types
// (nomad/structs MessageType). Every server applies the same bytes in the same order, so
// everything a command needs (timestamps, IDs, evaluations) is decided by the proposer
// (endpoint or leader) before it is proposed, never inside apply.
import { Packr } from "msgpackr";
import type {
  AllocClientUpdate,
  Allocation,
  DesiredTransition,
  DrainStrategy,
  Evaluation,
  Job,
  Node,
  NodeEvent,
  NodeStatus,
  SchedulingEligibility,
} from "@nomad/structs";

/** Bumped when a command's shape changes incompatibly; old logs must still decode. */
export const COMMAND_VERSION = 1;

export interface NamespacedJobID {
  Namespace: string;
  ID: string;
}

export interface JobRegisterCommand {
  type: "JobRegister";
  Job: Job;
  Eval?: Evaluation;
}

export interface JobDeregisterCommand {
  type: "JobDeregister";
  Namespace: string;
  JobID: string;
  /** Remove the job and its versions now instead of marking it stopped. */
  Purge: boolean;
  Eval?: Evaluation;
  /** Unix nanoseconds the stop was submitted (becomes Job.SubmitTime); absent keeps the old one. */
  SubmitTime?: number;
}

/** GC: purge jobs. */
export interface JobBatchDeregisterCommand {
  type: "JobBatchDeregister";
  Jobs: NamespacedJobID[];
  Evals: Evaluation[];
}

export interface NodeRegisterCommand {
  type: "NodeRegister";
  Node: Node;
  Evals?: Evaluation[];
}

export interface NodeUpdateStatusCommand {
  type: "NodeUpdateStatus";
  NodeID: string;
  Status: NodeStatus;
  NodeEvent?: NodeEvent;
  /** Unix seconds (Node.StatusUpdatedAt). */
  UpdatedAt: number;
  Evals: Evaluation[];
}

export interface NodeUpdateDrainCommand {
  type: "NodeUpdateDrain";
  NodeID: string;
  /** null ends the drain. */
  DrainStrategy: DrainStrategy | null;
  /** With a null DrainStrategy: make the node eligible again. */
  MarkEligible: boolean;
  NodeEvent?: NodeEvent;
  Evals: Evaluation[];
  /** Unix seconds. */
  UpdatedAt: number;
}

export interface NodeUpdateEligibilityCommand {
  type: "NodeUpdateEligibility";
  NodeID: string;
  Eligibility: SchedulingEligibility;
  NodeEvent?: NodeEvent;
  Evals: Evaluation[];
  /** Unix seconds. */
  UpdatedAt: number;
}

/** GC: remove nodes. */
export interface NodeBatchDeregisterCommand {
  type: "NodeBatchDeregister";
  NodeIDs: string[];
}

/** Upsert evaluations. */
export interface EvalUpdateCommand {
  type: "EvalUpdate";
  Evals: Evaluation[];
}

/** GC: delete evaluations and allocations by ID. */
export interface EvalDeleteCommand {
  type: "EvalDelete";
  Evals: string[];
  Allocs: string[];
}

/** What clients report (Node.UpdateAlloc); Evals are the follow-ups for failed allocations. */
export interface AllocClientUpdateCommand {
  type: "AllocClientUpdate";
  Allocs: AllocClientUpdate[];
  Evals: Evaluation[];
}

/** The plan applier's verdict. Stopped and preempted allocs are merged into the stored ones. */
export interface ApplyPlanResultsCommand {
  type: "ApplyPlanResults";
  /** Attached to placed/updated allocs that carry no job of their own. */
  Job: Job | null;
  EvalID: string;
  AllocsStopped: Allocation[];
  AllocsPlaced: Allocation[];
  AllocsUpdated: Allocation[];
  AllocsPreempted: Allocation[];
  EvalsToUpsert?: Evaluation[];
}

/** Also how Alloc.Stop is expressed (Migrate: true + an eval), as Nomad does. */
export interface AllocUpdateDesiredTransitionCommand {
  type: "AllocUpdateDesiredTransition";
  Allocs: Record<string, DesiredTransition>;
  Evals: Evaluation[];
}

export type FsmCommand =
  | JobRegisterCommand
  | JobDeregisterCommand
  | JobBatchDeregisterCommand
  | NodeRegisterCommand
  | NodeUpdateStatusCommand
  | NodeUpdateDrainCommand
  | NodeUpdateEligibilityCommand
  | NodeBatchDeregisterCommand
  | EvalUpdateCommand
  | EvalDeleteCommand
  | AllocClientUpdateCommand
  | ApplyPlanResultsCommand
  | AllocUpdateDesiredTransitionCommand;

export type FsmCommandType = FsmCommand["type"];
export type FsmCommandOf<T extends FsmCommandType> = Extract<FsmCommand, { type: T }>;

export const FSM_COMMAND_TYPES: readonly FsmCommandType[] = [
  "JobRegister",
  "JobDeregister",
  "JobBatchDeregister",
  "NodeRegister",
  "NodeUpdateStatus",
  "NodeUpdateDrain",
  "NodeUpdateEligibility",
  "NodeBatchDeregister",
  "EvalUpdate",
  "EvalDelete",
  "AllocClientUpdate",
  "ApplyPlanResults",
  "AllocUpdateDesiredTransition",
];

export type DecodeCommandResult = { ok: true; command: FsmCommand } | { ok: false; error: string };

// Plain msgpack maps (no record extension): the bytes stay readable by any msgpack tool and do
// not depend on a shared structure table, which a log replayed years later could not have.
const packr = new Packr({ useRecords: false, mapsAsObjects: true });

export function encodeCommand(cmd: FsmCommand): Uint8Array {
  const body = packr.pack(cmd);
  const out = new Uint8Array(body.length + 1);
  out[0] = COMMAND_VERSION;
  out.set(body, 1);
  return out;
}

/** Never throws: garbage yields `{ ok: false, error }` naming what is wrong. */
export function decodeCommand(bytes: Uint8Array): DecodeCommandResult {
  if (!(bytes instanceof Uint8Array) || bytes.length < 2) return fail("command is empty");
  if (bytes[0] !== COMMAND_VERSION) return fail(`unsupported command version ${bytes[0]}`);
  let raw: unknown;
  try {
    raw = packr.unpack(bytes.subarray(1));
  } catch (err) {
    return fail(`undecodable command: ${(err as Error).message}`);
  }
  if (!isRecord(raw)) return fail("command is not a map");
  const problem = validate(raw);
  return problem === null ? { ok: true, command: raw as unknown as FsmCommand } : fail(problem);
}

function fail(error: string): DecodeCommandResult {
  return { ok: false, error };
}

type Rec = Record<string, unknown>;

function isRecord(v: unknown): v is Rec {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

// Shape checks only: endpoints validate content with zod before proposing. These guard apply
// against bytes that are not what any proposer wrote (corruption, a foreign writer).
type Check = (v: unknown, path: string) => string | null;

const str: Check = (v, p) => (typeof v === "string" ? null : `${p} must be a string`);
const nonEmpty: Check = (v, p) =>
  typeof v === "string" && v !== "" ? null : `${p} must be a non-empty string`;
const num: Check = (v, p) => (typeof v === "number" && Number.isFinite(v) ? null : `${p} must be a number`);
const bool: Check = (v, p) => (typeof v === "boolean" ? null : `${p} must be a boolean`);
const optional =
  (c: Check): Check =>
  (v, p) =>
    v === undefined || v === null ? null : c(v, p);
const oneOf =
  (values: readonly string[]): Check =>
  (v, p) =>
    typeof v === "string" && values.includes(v) ? null : `${p} must be one of ${values.join(", ")}`;
const arrayOf =
  (c: Check): Check =>
  (v, p) => {
    if (!Array.isArray(v)) return `${p} must be an array`;
    for (let i = 0; i < v.length; i++) {
      const e = c(v[i], `${p}[${i}]`);
      if (e !== null) return e;
    }
    return null;
  };
const recordOf =
  (c: Check): Check =>
  (v, p) => {
    if (!isRecord(v)) return `${p} must be a map`;
    for (const [k, x] of Object.entries(v)) {
      const e = c(x, `${p}[${JSON.stringify(k)}]`);
      if (e !== null) return e;
    }
    return null;
  };
const object =
  (fields: Record<string, Check>): Check =>
  (v, p) => {
    if (!isRecord(v)) return `${p} must be a map`;
    for (const [k, c] of Object.entries(fields)) {
      const e = c(v[k], `${p}.${k}`);
      if (e !== null) return e;
    }
    return null;
  };
const map: Check = (v, p) => (isRecord(v) ? null : `${p} must be a map`);

const job = object({ ID: nonEmpty, Namespace: str, Type: str, TaskGroups: arrayOf(object({ Name: str })) });
const evaluation = object({ ID: nonEmpty, Namespace: str, JobID: str, Status: str });
const allocation = object({
  ID: nonEmpty,
  Namespace: str,
  JobID: str,
  NodeID: str,
  EvalID: str,
  TaskGroup: str,
  DesiredStatus: str,
  ClientStatus: str,
});
const node = object({ ID: nonEmpty, Status: str });
const nodeEvent = object({ Message: str, Subsystem: str, Timestamp: str });
const evals = arrayOf(evaluation);
const clientUpdate = object({ ID: nonEmpty, ClientStatus: str, ClientDescription: str, ModifyTime: num });

const SHAPES: Record<FsmCommandType, Record<string, Check>> = {
  JobRegister: { Job: job, Eval: optional(evaluation) },
  JobDeregister: {
    Namespace: str,
    JobID: nonEmpty,
    Purge: bool,
    Eval: optional(evaluation),
    SubmitTime: optional(num),
  },
  JobBatchDeregister: { Jobs: arrayOf(object({ Namespace: str, ID: nonEmpty })), Evals: evals },
  NodeRegister: { Node: node, Evals: optional(evals) },
  NodeUpdateStatus: {
    NodeID: nonEmpty,
    Status: oneOf(["initializing", "ready", "down", "disconnected"]),
    NodeEvent: optional(nodeEvent),
    UpdatedAt: num,
    Evals: evals,
  },
  NodeUpdateDrain: {
    NodeID: nonEmpty,
    DrainStrategy: optional(map),
    MarkEligible: bool,
    NodeEvent: optional(nodeEvent),
    Evals: evals,
    UpdatedAt: num,
  },
  NodeUpdateEligibility: {
    NodeID: nonEmpty,
    Eligibility: oneOf(["eligible", "ineligible"]),
    NodeEvent: optional(nodeEvent),
    Evals: evals,
    UpdatedAt: num,
  },
  NodeBatchDeregister: { NodeIDs: arrayOf(nonEmpty) },
  EvalUpdate: { Evals: evals },
  EvalDelete: { Evals: arrayOf(nonEmpty), Allocs: arrayOf(nonEmpty) },
  AllocClientUpdate: { Allocs: arrayOf(clientUpdate), Evals: evals },
  ApplyPlanResults: {
    Job: optional(job),
    EvalID: str,
    AllocsStopped: arrayOf(allocation),
    AllocsPlaced: arrayOf(allocation),
    AllocsUpdated: arrayOf(allocation),
    AllocsPreempted: arrayOf(allocation),
    EvalsToUpsert: optional(evals),
  },
  AllocUpdateDesiredTransition: { Allocs: recordOf(map), Evals: evals },
};

function validate(raw: Rec): string | null {
  const type = raw["type"];
  if (typeof type !== "string" || !Object.hasOwn(SHAPES, type))
    return `unknown command type ${JSON.stringify(type)}`;
  const shape = SHAPES[type as FsmCommandType];
  for (const [k, c] of Object.entries(shape)) {
    const e = c(raw[k], `${type}.${k}`);
    if (e !== null) return e;
  }
  return null;
}
