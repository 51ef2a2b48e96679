import { pack } from "msgpackr";
import { describe, expect, it } from "vitest";
import {
  COMMAND_VERSION,
  decodeCommand,
  encodeCommand,
  FSM_COMMAND_TYPES,
  type FsmCommand,
} from "../../src/fsm/index.js";
import { alloc, emptyPlan, evaluation, job, node } from "../state/fixtures.js";

const j = job("web");
const e = evaluation(j, "e1");
const a = alloc({ id: "a1", job: j, nodeID: "n1" });
const event = {
  Message: "m",
  Subsystem: "Cluster",
  Details: null,
  Timestamp: "2026-01-01T00:00:00Z",
  CreateIndex: 0,
};

const samples: FsmCommand[] = [
  { type: "JobRegister", Job: j, Eval: e },
  { type: "JobDeregister", Namespace: "default", JobID: "web", Purge: false, Eval: e, SubmitTime: 5 },
  { type: "JobBatchDeregister", Jobs: [{ Namespace: "default", ID: "web" }], Evals: [] },
  { type: "NodeRegister", Node: node("n1"), Evals: [e] },
  { type: "NodeUpdateStatus", NodeID: "n1", Status: "down", NodeEvent: event, UpdatedAt: 10, Evals: [] },
  { type: "NodeUpdateDrain", NodeID: "n1", DrainStrategy: null, MarkEligible: true, Evals: [], UpdatedAt: 1 },
  { type: "NodeUpdateEligibility", NodeID: "n1", Eligibility: "ineligible", Evals: [], UpdatedAt: 1 },
  { type: "NodeBatchDeregister", NodeIDs: ["n1"] },
  { type: "EvalUpdate", Evals: [e] },
  { type: "EvalDelete", Evals: ["e1"], Allocs: ["a1"] },
  {
    type: "AllocClientUpdate",
    Allocs: [{ ID: "a1", ClientStatus: "running", ClientDescription: "", TaskStates: {}, ModifyTime: 1 }],
    Evals: [],
  },
  { ...emptyPlan(j, "e1"), AllocsPlaced: [a], EvalsToUpsert: [e] },
  {
    type: "AllocUpdateDesiredTransition",
    Allocs: { a1: { Migrate: true, Reschedule: null, ForceReschedule: null, NoShutdownDelay: null } },
    Evals: [e],
  },
];

function raw(body: unknown, version = COMMAND_VERSION): Uint8Array {
  const packed = pack(body);
  const out = new Uint8Array(packed.length + 1);
  out[0] = version;
  out.set(packed, 1);
  return out;
}

describe("FSM command codec", () => {
  it("has a sample for every command type", () => {
    expect(new Set(samples.map((s) => s.type))).toEqual(new Set(FSM_COMMAND_TYPES));
  });

  it.each(samples.map((s) => [s.type, s] as const))("%s round-trips through encode/decode", (_t, cmd) => {
    const bytes = encodeCommand(cmd);
    expect(bytes[0]).toBe(COMMAND_VERSION);
    const decoded = decodeCommand(bytes);
    expect(decoded).toEqual({ ok: true, command: cmd });
  });

  it("refuses empty input, a foreign version and undecodable bytes without throwing", () => {
    expect(decodeCommand(new Uint8Array())).toEqual({ ok: false, error: "command is empty" });
    expect(decodeCommand(raw({ type: "EvalUpdate", Evals: [] }, 99))).toEqual({
      ok: false,
      error: "unsupported command version 99",
    });
    const garbage = decodeCommand(new Uint8Array([COMMAND_VERSION, 0xc1, 0xc1, 0xc1]));
    expect(garbage.ok).toBe(false);
    expect(decodeCommand(raw([1, 2, 3]))).toEqual({ ok: false, error: "command is not a map" });
  });

  it("refuses an unknown command type by name", () => {
    expect(decodeCommand(raw({ type: "Nope" }))).toEqual({ ok: false, error: 'unknown command type "Nope"' });
    expect(decodeCommand(raw({ type: "toString" })).ok).toBe(false);
  });

  it("names the offending field of a malformed command", () => {
    expect(decodeCommand(raw({ type: "EvalUpdate", Evals: [{ ID: 3 }] }))).toEqual({
      ok: false,
      error: "EvalUpdate.Evals[0].ID must be a non-empty string",
    });
    expect(
      decodeCommand(raw({ type: "JobDeregister", Namespace: "default", JobID: "x", Purge: "yes" })),
    ).toEqual({
      ok: false,
      error: "JobDeregister.Purge must be a boolean",
    });
    expect(
      decodeCommand(raw({ type: "NodeUpdateStatus", NodeID: "n", Status: "gone", UpdatedAt: 1, Evals: [] })),
    ).toEqual({
      ok: false,
      error: "NodeUpdateStatus.Status must be one of initializing, ready, down, disconnected",
    });
  });

  it("survives random bytes (never throws)", () => {
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let i = 0; i < 2000; i++) {
      const bytes = new Uint8Array(1 + Math.floor(rnd() * 40));
      for (let k = 0; k < bytes.length; k++) bytes[k] = Math.floor(rnd() * 256);
      if (rnd() < 0.5) bytes[0] = COMMAND_VERSION;
      expect(() => decodeCommand(bytes)).not.toThrow();
    }
  });
});
