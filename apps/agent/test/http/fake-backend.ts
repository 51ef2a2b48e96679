// An in-test backend: a real LocalRpc over a small handler that records calls and answers from
// a table, plus a server and client twin with the AgentBackend shapes.
import { LocalRpc, RpcError, type RpcHandler } from "@nomad/rpc";
import type { AgentMember } from "@nomad/structs";
import type {
  AgentBackend,
  ClientBackend,
  LogStreamFrame,
  LogStreamRequest,
  ServerBackend,
} from "../../src/agent/backend.js";
import { silentLogger } from "../../src/agent/logger.js";
import { HttpApi } from "../../src/http/index.js";
import type { AgentInfo } from "../../src/http/index.js";

export interface RecordedCall {
  readonly method: string;
  readonly args: Record<string, unknown>;
}

export type Answer = (args: Record<string, unknown>) => unknown;

export class FakeRpcHandler {
  readonly calls: RecordedCall[] = [];
  readonly answers = new Map<string, Answer>();
  readonly handler: RpcHandler = async (method, args) => {
    this.calls.push({ method, args: args as Record<string, unknown> });
    const answer = this.answers.get(method);
    if (answer === undefined) throw new RpcError("UNKNOWN_METHOD", `no answer for ${method}`);
    return answer(args as Record<string, unknown>);
  };
  answer(method: string, fn: Answer): this {
    this.answers.set(method, fn);
    return this;
  }
  last(method: string): Record<string, unknown> | undefined {
    return [...this.calls].reverse().find((c) => c.method === method)?.args;
  }
}

export const SELF_MEMBER: AgentMember = {
  Name: "node1.global",
  Addr: "127.0.0.1",
  Port: 4648,
  Tags: { role: "nomad", region: "global", dc: "dc1" },
  Status: "alive",
  ProtocolMin: 1,
  ProtocolMax: 5,
  ProtocolCur: 2,
  DelegateMin: 2,
  DelegateMax: 5,
  DelegateCur: 4,
};

export class FakeServer implements ServerBackend {
  readonly nodeID = "0b3c0000-0000-4000-8000-000000000001";
  readonly rpcAdvertise = "127.0.0.1:4647";
  readonly serfAdvertise = "127.0.0.1:4648";
  joined: string[][] = [];
  forced: Array<{ node: string; prune: boolean }> = [];
  left = false;
  stopped = false;
  constructor(readonly rpc: LocalRpc) {}
  members(): AgentMember[] {
    return [SELF_MEMBER];
  }
  async join(addrs: string[]): Promise<number> {
    this.joined.push(addrs);
    if (addrs.includes("unreachable:4648")) throw new Error("no agent at unreachable:4648");
    return addrs.length;
  }
  async forceLeave(node: string, prune: boolean): Promise<void> {
    this.forced.push({ node, prune });
  }
  stats(): Record<string, Record<string, string>> {
    return {
      nomad: { server: "true", leader: "true", bootstrap: "true" },
      raft: { state: "Leader", commit_index: "42", num_peers: "0" },
      // A flat value, as NomadServer.stats() currently spreads its leader stats.
      ...({ eval_broker_ready: "3" } as unknown as Record<string, Record<string, string>>),
    };
  }
  isLeader(): boolean {
    return true;
  }
  async leave(): Promise<void> {
    this.left = true;
  }
  async shutdown(): Promise<void> {
    this.stopped = true;
  }
}

/** The one allocation the fake client runs locally. */
export const LOCAL_ALLOC = "a1b2c3d4-0000-4000-8000-000000000003";

export class FakeClient implements ClientBackend {
  readonly nodeID = "c1000000-0000-4000-8000-000000000002";
  readonly allocs = new Set<string>([LOCAL_ALLOC]);
  frames: LogStreamFrame[] = [];
  /** When set, the stream waits on it after the frames (follow mode). */
  hold: Promise<void> | undefined;
  lastRequest: LogStreamRequest | undefined;
  streamAborted = false;
  stopped = false;
  serverList = ["127.0.0.1:4647"];
  /** Client GC requests seen ("*" = collect all); `finished` allocs are the collectable ones. */
  readonly gcCalls: string[] = [];
  readonly finished = new Set<string>();
  readonly gc = {
    collectAll: async (): Promise<void> => {
      this.gcCalls.push("*");
    },
    collectAlloc: async (allocID: string): Promise<boolean> => {
      this.gcCalls.push(allocID);
      return this.finished.has(allocID);
    },
  };

  async *streamLogs(request: LogStreamRequest): AsyncIterable<LogStreamFrame> {
    this.lastRequest = request;
    for (const f of this.frames) yield f;
    if (this.hold !== undefined) {
      await Promise.race([
        this.hold,
        new Promise<void>((resolve) =>
          request.signal.addEventListener("abort", () => resolve(), { once: true }),
        ),
      ]);
      if (request.signal.aborted) this.streamAborted = true;
    }
  }
  stats(): Record<string, string> {
    return { node_id: this.nodeID, known_servers: "127.0.0.1:4647", num_allocations: "1" };
  }
  hasAlloc(allocID: string): boolean {
    return this.allocs.has(allocID);
  }
  servers(): string[] {
    return this.serverList;
  }
  setServers(addrs: string[]): void {
    this.serverList = addrs;
  }
  async shutdown(): Promise<void> {
    this.stopped = true;
  }
}

export const AGENT_INFO: AgentInfo = {
  region: "global",
  datacenter: "dc1",
  nodeName: "node1",
  version: "0.1.0",
  selfConfig: () => ({ Region: "global", Datacenter: "dc1", NodeName: "node1" }),
};

export interface Harness {
  readonly api: HttpApi;
  readonly base: string;
  readonly rpc: FakeRpcHandler;
  readonly server: FakeServer;
  readonly client: FakeClient;
  readonly backend: AgentBackend;
  close(): Promise<void>;
}

export async function startHarness(
  options: { maxBodyBytes?: number; server?: boolean; client?: boolean; maxConnsPerClient?: number } = {},
): Promise<Harness> {
  const rpc = new FakeRpcHandler();
  const local = new LocalRpc(rpc.handler);
  const server = new FakeServer(local);
  const client = new FakeClient();
  const backend: AgentBackend = {
    rpc: local,
    ...(options.server === false ? {} : { server }),
    ...(options.client === false ? {} : { client }),
  };
  const api = new HttpApi({
    agent: AGENT_INFO,
    logger: silentLogger,
    backend,
    ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
    ...(options.maxConnsPerClient === undefined ? {} : { maxConnsPerClient: options.maxConnsPerClient }),
  });
  const [addr] = await api.listen(["127.0.0.1"], 0);
  return { api, base: `http://${addr}`, rpc, server, client, backend, close: () => api.close() };
}
