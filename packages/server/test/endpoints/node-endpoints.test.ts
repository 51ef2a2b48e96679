import { isRpcError, type RpcError } from "@nomad/rpc";
import type {
  NodeClientAllocsResponse,
  NodeDrainUpdateResponse,
  NodeListResponse,
  NodeUpdateResponse,
  SingleNodeResponse,
} from "@nomad/structs";
import { describe, expect, it } from "vitest";
import { alloc } from "../state/fixtures.js";
import { harness, HEARTBEAT_TTL_MS, job, node, START_MS, type Harness } from "./harness.js";

async function failure(p: Promise<unknown>): Promise<RpcError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!isRpcError(e)) throw new Error(`expected an RpcError, got ${String(e)}`);
  return e;
}

function nodeJson(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...(JSON.parse(JSON.stringify(node(id))) as Record<string, unknown>), ...extra };
}

/** A node "n1" running one alloc of job "web", and a system job. */
function withWorkload(h: Harness): void {
  const web = job("web");
  h.seed({ type: "JobRegister", Job: web });
  h.seed({ type: "NodeRegister", Node: node("n1") });
  h.seed({
    type: "ApplyPlanResults",
    Job: web,
    EvalID: "e0",
    AllocsStopped: [],
    AllocsPlaced: [alloc({ id: "a1", job: web, nodeID: "n1", clientStatus: "running" })],
    AllocsUpdated: [],
    AllocsPreempted: [],
  });
  h.seed({ type: "JobRegister", Job: job("sys", { Type: "system" }) });
}

describe("Node.Register", () => {
  it("stores the node and answers with the heartbeat TTL in ns, the leader, servers and node count", async () => {
    const h = harness();
    const reply = await h.rpc.call<NodeUpdateResponse>("Node.Register", {
      Node: nodeJson("n1", { Status: "initializing" }),
    });
    expect(reply.HeartbeatTTL).toBe(HEARTBEAT_TTL_MS * 1_000_000);
    expect(reply.LeaderRPCAddr).toBe("127.0.0.1:4647");
    expect(reply.NumNodes).toBe(1);
    expect(reply.Servers.map((s) => s.RPCAdvertiseAddr)).toEqual(["127.0.0.1:4647", "127.0.0.2:4647"]);
    expect(reply.Servers[0]?.Datacenter).toBe("dc1");
    expect(reply.EvalIDs).toEqual([]);
    expect(reply.NodeModifyIndex).toBe(reply.Index);
    expect(h.heartbeats).toEqual(["n1"]);
    const stored = h.fsm.state.snapshot().nodeByID("n1");
    expect(stored?.StatusUpdatedAt).toBe(Math.floor(START_MS / 1000));
  });

  it("a node registering as ready creates node-update evals for the jobs that may run there", async () => {
    const h = harness();
    h.seed({ type: "JobRegister", Job: job("sys", { Type: "system" }) });
    const reply = await h.rpc.call<NodeUpdateResponse>("Node.Register", { Node: nodeJson("n1") });
    expect(reply.EvalIDs).toHaveLength(1);
    const evaluation = h.fsm.state.snapshot().evalByID(reply.EvalIDs[0]!);
    expect(evaluation).toMatchObject({ TriggeredBy: "node-update", JobID: "sys", NodeID: "n1" });
    expect(reply.EvalCreateIndex).toBe(reply.Index);
  });

  it("refuses a missing SecretID, and a re-registration with another secret", async () => {
    const h = harness();
    const missing = await failure(h.rpc.call("Node.Register", { Node: nodeJson("n1", { SecretID: "" }) }));
    expect(missing.code).toBe("INVALID");
    expect(missing.details?.["field"]).toBe("Node.SecretID");
    await h.rpc.call("Node.Register", { Node: nodeJson("n1") });
    const other = await failure(
      h.rpc.call("Node.Register", { Node: nodeJson("n1", { SecretID: "stolen" }) }),
    );
    expect(other.code).toBe("PERMISSION");
    const noID = await failure(h.rpc.call("Node.Register", { Node: nodeJson("n1", { ID: "" }) }));
    expect(noID.details?.["field"]).toBe("Node.ID");
  });
});

describe("Node.UpdateStatus", () => {
  it("a heartbeat with an unchanged status resets the timer without a Raft write", async () => {
    const h = harness();
    await h.rpc.call("Node.Register", { Node: nodeJson("n1") });
    const writes = h.applied.length;
    const reply = await h.rpc.call<NodeUpdateResponse>("Node.UpdateStatus", {
      NodeID: "n1",
      Status: "ready",
      SecretID: "secret-n1",
    });
    expect(h.applied).toHaveLength(writes);
    expect(reply.HeartbeatTTL).toBe(HEARTBEAT_TTL_MS * 1_000_000);
    expect(h.heartbeats).toEqual(["n1", "n1"]);
  });

  it("a node back to ready from down gets node-update evals for its jobs", async () => {
    const h = harness();
    withWorkload(h);
    h.seed({ type: "NodeUpdateStatus", NodeID: "n1", Status: "down", UpdatedAt: 1, Evals: [] });
    const reply = await h.rpc.call<NodeUpdateResponse>("Node.UpdateStatus", {
      NodeID: "n1",
      Status: "ready",
    });
    const snap = h.fsm.state.snapshot();
    expect(snap.nodeByID("n1")?.Status).toBe("ready");
    expect(reply.EvalIDs.map((id) => snap.evalByID(id)?.JobID).sort()).toEqual(["sys", "web"]);
    expect(reply.EvalIDs.every((id) => snap.evalByID(id)?.TriggeredBy === "node-update")).toBe(true);
  });

  it("going down gives no heartbeat TTL; unknown nodes are NOT_FOUND; bad statuses INVALID; wrong secrets PERMISSION", async () => {
    const h = harness();
    await h.rpc.call("Node.Register", { Node: nodeJson("n1") });
    const down = await h.rpc.call<NodeUpdateResponse>("Node.UpdateStatus", { NodeID: "n1", Status: "down" });
    expect(down.HeartbeatTTL).toBe(0);
    expect((await failure(h.rpc.call("Node.UpdateStatus", { NodeID: "zz", Status: "ready" }))).code).toBe(
      "NOT_FOUND",
    );
    const bad = await failure(h.rpc.call("Node.UpdateStatus", { NodeID: "n1", Status: "sleepy" }));
    expect(bad.code).toBe("INVALID");
    expect(bad.details?.["field"]).toBe("Status");
    const secret = await failure(
      h.rpc.call("Node.UpdateStatus", { NodeID: "n1", Status: "ready", SecretID: "x" }),
    );
    expect(secret.code).toBe("PERMISSION");
  });
});

describe("node reads", () => {
  it("Node.GetNode hides the secret; Node.List returns stubs filtered by prefix", async () => {
    const h = harness();
    await h.rpc.call("Node.Register", { Node: nodeJson("n1") });
    await h.rpc.call("Node.Register", { Node: nodeJson("m2") });
    const got = await h.rpc.call<SingleNodeResponse>("Node.GetNode", { NodeID: "n1" });
    expect(got.Node?.ID).toBe("n1");
    expect(got.Node?.SecretID).toBe("");
    expect(got.Index).toBe(got.Node?.ModifyIndex);
    const list = await h.rpc.call<NodeListResponse>("Node.List", { Prefix: "n" });
    expect(list.Nodes.map((n) => n.ID)).toEqual(["n1"]);
    expect(list.Nodes[0]).toMatchObject({
      Status: "ready",
      SchedulingEligibility: "eligible",
      Drain: false,
      Datacenter: "dc1",
    });
    expect(list.Nodes[0]?.Drivers["exec"]).toBeDefined();
  });

  it("Node.GetClientAllocs maps alloc IDs to AllocModifyIndex and checks the node's secret", async () => {
    const h = harness();
    withWorkload(h);
    const reply = await h.rpc.call<NodeClientAllocsResponse>("Node.GetClientAllocs", {
      NodeID: "n1",
      SecretID: "secret-n1",
    });
    const a1 = h.fsm.state.snapshot().allocByID("a1");
    expect(reply.Allocs).toEqual({ a1: a1?.AllocModifyIndex });
    expect(reply.Index).toBe(a1?.AllocModifyIndex);
    const wrong = await failure(h.rpc.call("Node.GetClientAllocs", { NodeID: "n1", SecretID: "nope" }));
    expect(wrong.code).toBe("PERMISSION");
  });
});

describe("drain, eligibility, evaluate", () => {
  it("Node.UpdateDrain sets the strategy with a node event, marks allocs to migrate and creates node-drain evals", async () => {
    const h = harness();
    withWorkload(h);
    const reply = await h.rpc.call<NodeDrainUpdateResponse>("Node.UpdateDrain", {
      NodeID: "n1",
      DrainStrategy: { DrainSpec: { Deadline: 3_600_000_000_000, IgnoreSystemJobs: false } },
    });
    const snap = h.fsm.state.snapshot();
    const n1 = snap.nodeByID("n1");
    expect(n1?.SchedulingEligibility).toBe("ineligible");
    expect(n1?.DrainStrategy?.ForceDeadline).toBe(
      new Date(START_MS + 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
    );
    expect(JSON.stringify(n1)).toContain("Node drain strategy set");
    expect(snap.allocByID("a1")?.DesiredTransition.Migrate).toBe(true);
    expect(reply.EvalIDs.map((id) => snap.evalByID(id)?.TriggeredBy)).toEqual(["node-drain"]);
    expect(reply.NodeModifyIndex).toBeLessThan(reply.EvalCreateIndex);
  });

  it("ending a drain with MarkEligible makes the node eligible and re-evaluates its jobs", async () => {
    const h = harness();
    withWorkload(h);
    await h.rpc.call("Node.UpdateDrain", { NodeID: "n1", DrainStrategy: { DrainSpec: { Deadline: -1 } } });
    const reply = await h.rpc.call<NodeDrainUpdateResponse>("Node.UpdateDrain", {
      NodeID: "n1",
      DrainStrategy: null,
      MarkEligible: true,
    });
    const snap = h.fsm.state.snapshot();
    expect(snap.nodeByID("n1")?.SchedulingEligibility).toBe("eligible");
    expect(snap.nodeByID("n1")?.DrainStrategy ?? null).toBeNull();
    expect(reply.EvalIDs.length).toBeGreaterThan(0);
  });

  it("Node.UpdateEligibility records an event; eligible while draining is refused", async () => {
    const h = harness();
    withWorkload(h);
    const off = await h.rpc.call<NodeDrainUpdateResponse>("Node.UpdateEligibility", {
      NodeID: "n1",
      Eligibility: "ineligible",
    });
    expect(off.EvalIDs).toEqual([]);
    expect(JSON.stringify(h.fsm.state.snapshot().nodeByID("n1"))).toContain(
      "Node marked as ineligible for scheduling",
    );
    const on = await h.rpc.call<NodeDrainUpdateResponse>("Node.UpdateEligibility", {
      NodeID: "n1",
      Eligibility: "eligible",
    });
    expect(on.EvalIDs.length).toBeGreaterThan(0);
    await h.rpc.call("Node.UpdateDrain", { NodeID: "n1", DrainStrategy: { DrainSpec: { Deadline: 0 } } });
    const refused = await failure(
      h.rpc.call("Node.UpdateEligibility", { NodeID: "n1", Eligibility: "eligible" }),
    );
    expect(refused.message).toBe(
      "can not set node's scheduling eligibility to eligible while it is draining",
    );
  });

  it("Node.Evaluate creates node-update evals", async () => {
    const h = harness();
    withWorkload(h);
    const reply = await h.rpc.call<NodeUpdateResponse>("Node.Evaluate", { NodeID: "n1" });
    const snap = h.fsm.state.snapshot();
    expect(reply.EvalIDs.map((id) => snap.evalByID(id)?.JobID).sort()).toEqual(["sys", "web"]);
  });
});
