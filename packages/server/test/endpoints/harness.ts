// A real NomadFsm + StateStore behind the endpoints, with an in-test `apply` that applies each
// command at the next Raft index, and fakes for what only a running cluster has (leader
// duties, forwarding, serf members).
import { LocalRpc } from "@nomad/rpc";
import { mockJob, mockNode } from "@nomad/scheduler/testing";
import type { AgentMember, Job, Node } from "@nomad/structs";
import { createEndpoints, type EndpointDeps, type EndpointLeader } from "../../src/endpoints/index.js";
import { encodeCommand, NomadFsm, type FsmCommand } from "../../src/fsm/index.js";
import { planJob } from "../../src/leader/job-plan.js";
import { silentLogger } from "../../src/logger.js";

export const START_MS = 1_764_000_000_000;
export const HEARTBEAT_TTL_MS = 12_500;

export interface Harness {
  readonly fsm: NomadFsm;
  readonly rpc: LocalRpc;
  readonly deps: EndpointDeps;
  readonly applied: FsmCommand[];
  readonly forwarded: { method: string; args: unknown }[];
  readonly heartbeats: string[];
  readonly removedPeers: string[];
  gcCalls: number;
  leading: boolean;
  nowMs: number;
  /** Applies a command directly (setup), failing on refusal. */
  seed(cmd: FsmCommand): number;
}

export function member(
  name: string,
  rpcAddr: string,
  id: string,
  extra: Partial<AgentMember> = {},
): AgentMember {
  const [host, port] = rpcAddr.split(":") as [string, string];
  return {
    Name: name,
    Addr: host,
    Port: 4648,
    Tags: { role: "nomad", region: "global", dc: "dc1", rpc_addr: host, port, id },
    Status: "alive",
    ProtocolMin: 1,
    ProtocolMax: 5,
    ProtocolCur: 2,
    DelegateMin: 2,
    DelegateMax: 5,
    DelegateCur: 4,
    ...extra,
  };
}

export function harness(): Harness {
  const fsm = new NomadFsm();
  let nextIndex = 1;
  let ids = 0;
  const h: Harness = {
    fsm,
    rpc: undefined as unknown as LocalRpc,
    deps: undefined as unknown as EndpointDeps,
    applied: [],
    forwarded: [],
    heartbeats: [],
    removedPeers: [],
    gcCalls: 0,
    leading: true,
    nowMs: START_MS,
    seed(cmd) {
      const result = fsm.apply({ index: nextIndex++, term: 1, type: "command", data: encodeCommand(cmd) });
      if (result.error !== undefined) throw new Error(`seed refused: ${result.error}`);
      return result.index;
    },
  };
  const newID = (): string => `00000000-0000-4000-8000-${(++ids).toString().padStart(12, "0")}`;
  const leader: EndpointLeader = {
    resetHeartbeat: (nodeID) => {
      h.heartbeats.push(nodeID);
      return HEARTBEAT_TTL_MS;
    },
    planJob: (job: Job) =>
      planJob(fsm.state.snapshot(), job, { random: () => 0.5, nowNs: () => h.nowMs * 1e6, newID }),
    forceGC: async () => {
      h.gcCalls += 1;
      return "gc-eval";
    },
  };
  const deps: EndpointDeps = {
    state: fsm.state,
    apply: async (cmd) => {
      h.applied.push(cmd);
      return fsm.apply({ index: nextIndex++, term: 1, type: "command", data: encodeCommand(cmd) });
    },
    isLeader: () => h.leading,
    leaderRpcAddr: () => (h.leading ? "127.0.0.1:4647" : "10.0.0.1:4647"),
    forward: async (method, args) => {
      h.forwarded.push({ method, args });
      return { Forwarded: method };
    },
    leader: () => (h.leading ? leader : null),
    members: () => [
      member("s1.global", "127.0.0.1:4647", "server-1"),
      member("s2.global", "127.0.0.2:4647", "server-2"),
    ],
    raftConfiguration: () => ({
      Index: 7,
      Servers: [
        { ID: "server-1", Node: "", Address: "127.0.0.1:4647", Leader: true, Voter: true, RaftProtocol: "3" },
        {
          ID: "server-2",
          Node: "",
          Address: "127.0.0.2:4647",
          Leader: false,
          Voter: true,
          RaftProtocol: "3",
        },
      ],
    }),
    removeRaftPeer: async (id) => {
      h.removedPeers.push(id);
    },
    regions: () => ["global"],
    region: "global",
    serverName: "s1.global",
    datacenter: "dc1",
    lastContactMs: () => (h.leading ? 0 : 42),
    clock: { nowMs: () => h.nowMs, nowNs: () => h.nowMs * 1e6 },
    newID,
    random: () => 0,
    logger: silentLogger,
    allocUpdateBatchMs: 5,
  };
  Object.assign(h, { deps, rpc: new LocalRpc(createEndpoints(deps)) });
  return h;
}

export function job(id: string, extra: Record<string, unknown> = {}, count = 1): Job {
  return mockJob({ id, count, extra });
}

export function node(id: string, extra: Partial<Node> = {}): Node {
  return { ...mockNode({ id }), SecretID: `secret-${id}`, ...extra };
}

/** Job JSON as a caller sends it (what the CLI/HTTP layer would put in Job.Register). */
export function jobJson(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return JSON.parse(JSON.stringify(job(id, extra))) as Record<string, unknown>;
}
