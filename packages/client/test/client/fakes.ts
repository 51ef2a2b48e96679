// Test doubles for the client's behaviour tests: a small in-memory stand-in for the server
// endpoints the client calls (behind the real LocalRpc, so arguments are copied and errors
// are RpcErrors as over the network), and a recording allocation runner.
import { LocalRpc, RpcError, type RpcHandler } from "@nomad/rpc";
import {
  NS_PER_MS,
  parseAllocation,
  type AllocClientUpdate,
  type Allocation,
  type AllocUpdateRequest,
  type Node,
  type NodeRegisterRequest,
  type NodeSpecificRequest,
  type NodeUpdateStatusRequest,
  type AllocsGetRequest,
} from "@nomad/structs";
import type {
  AllocRunnerFactory,
  AllocRunnerFactoryDeps,
  ClientAllocRunner,
} from "../../src/servers/runner-seam.js";

export interface Call {
  method: string;
  args: unknown;
  atMs: number;
}

export class FakeServer {
  readonly nodes = new Map<string, Node>();
  readonly allocs = new Map<string, Allocation>();
  readonly calls: Call[] = [];
  readonly updates: AllocClientUpdate[][] = [];
  heartbeatTtlMs = 10_000;
  servers = ["10.0.0.1:4647"];
  failRegistrations = 0;
  private index = 1;
  private waiters: Array<() => void> = [];

  readonly handler: RpcHandler = async (method, args, ctx) => {
    this.calls.push({ method, args, atMs: Date.now() });
    switch (method) {
      case "Node.Register": {
        if (this.failRegistrations > 0) {
          this.failRegistrations--;
          throw new RpcError("NO_LEADER", "No cluster leader");
        }
        const { Node: node } = args as NodeRegisterRequest;
        this.nodes.set(node.ID, structuredClone(node));
        this.bump();
        return this.nodeReply();
      }
      case "Node.UpdateStatus": {
        const req = args as NodeUpdateStatusRequest;
        const node = this.nodes.get(req.NodeID);
        if (node === undefined) throw new RpcError("NOT_FOUND", `node not found: ${req.NodeID}`);
        if (node.SecretID !== req.SecretID) throw new RpcError("PERMISSION", "Permission denied");
        node.Status = req.Status;
        return this.nodeReply();
      }
      case "Node.GetClientAllocs": {
        const req = args as NodeSpecificRequest;
        const deadline = Date.now() + (req.MaxQueryTime ?? 0) / NS_PER_MS;
        while (this.index <= (req.MinQueryIndex ?? 0) && Date.now() < deadline && !ctx.signal.aborted) {
          await new Promise<void>((resolve) => {
            const done = (): void => {
              clearTimeout(t);
              ctx.signal.removeEventListener("abort", done);
              resolve();
            };
            const t = setTimeout(done, Math.max(0, deadline - Date.now()));
            ctx.signal.addEventListener("abort", done, { once: true });
            this.waiters.push(done);
          });
        }
        const mine = [...this.allocs.values()].filter((a) => a.NodeID === req.NodeID);
        return {
          Allocs: Object.fromEntries(mine.map((a) => [a.ID, a.AllocModifyIndex])),
          MigrateTokens: {},
          Index: this.index,
          LastContact: 0,
          KnownLeader: true,
        };
      }
      case "Alloc.GetAllocs": {
        const req = args as AllocsGetRequest;
        return {
          Allocs: req.AllocIDs.map((id) => this.allocs.get(id)).filter((a) => a !== undefined),
          Index: this.index,
          LastContact: 0,
          KnownLeader: true,
        };
      }
      case "Node.UpdateAlloc": {
        const req = args as AllocUpdateRequest;
        this.updates.push(req.Alloc);
        for (const u of req.Alloc) {
          const a = this.allocs.get(u.ID);
          if (a) a.ClientStatus = u.ClientStatus as Allocation["ClientStatus"];
        }
        return { Index: this.index };
      }
      default:
        throw new RpcError("UNKNOWN_METHOD", method);
    }
  };

  rpc(): LocalRpc {
    return new LocalRpc(this.handler);
  }

  place(nodeID: string, id: string, over: Partial<Allocation> = {}): Allocation {
    const index = this.bump();
    const alloc = parseAllocation({
      ID: id,
      NodeID: nodeID,
      Name: `web.web[0]`,
      JobID: "web",
      TaskGroup: "web",
      CreateIndex: index,
      ModifyIndex: index,
      AllocModifyIndex: index,
      ...over,
    });
    this.allocs.set(id, alloc);
    this.wake();
    return alloc;
  }

  stop(id: string): void {
    const a = this.allocs.get(id);
    if (!a) throw new Error(`no alloc ${id}`);
    const index = this.bump();
    a.DesiredStatus = "stop";
    a.DesiredDescription = "alloc is being stopped";
    a.ModifyIndex = index;
    a.AllocModifyIndex = index;
    this.wake();
  }

  gc(id: string): void {
    this.allocs.delete(id);
    this.bump();
    this.wake();
  }

  forgetNodes(): void {
    this.nodes.clear();
  }

  count(method: string): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  private bump(): number {
    return ++this.index;
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private nodeReply() {
    return {
      HeartbeatTTL: this.heartbeatTtlMs * NS_PER_MS,
      EvalIDs: [],
      EvalCreateIndex: 0,
      NodeModifyIndex: this.index,
      LeaderRPCAddr: this.servers[0] ?? "",
      NumNodes: this.nodes.size,
      Servers: this.servers.map((s) => ({
        RPCAdvertiseAddr: s,
        RPCMajorVersion: 1,
        RPCMinorVersion: 0,
        Datacenter: "dc1",
      })),
      Index: this.index,
      LastContact: 0,
      KnownLeader: true,
    };
  }
}

export type RunnerEvent = {
  alloc: string;
  event: "run" | "restore" | "update" | "destroy" | "shutdown";
  desired?: string;
};

/** A runner that records what the client asks of it and reports statuses like a real one. */
export class RecordingRunners {
  readonly events: RunnerEvent[] = [];
  readonly deps = new Map<string, AllocRunnerFactoryDeps>();

  readonly factory: AllocRunnerFactory = (deps) => {
    this.deps.set(deps.alloc.ID, deps);
    const id = deps.alloc.ID;
    let status = deps.alloc.ClientStatus;
    const report = (s: Allocation["ClientStatus"]): void => {
      status = s;
      deps.onUpdate(runner.clientStatus());
    };
    const runner: ClientAllocRunner = {
      run: async () => {
        this.events.push({ alloc: id, event: "run" });
        await deps.state.putTaskState(id, "web", {
          taskState: {
            State: "running",
            Failed: false,
            Restarts: 0,
            LastRestart: "",
            StartedAt: "",
            FinishedAt: "",
            Events: [],
          },
        });
        // A stop may have arrived while the state write was in flight: never go back from it.
        if (status !== "complete") report("running");
      },
      restore: async () => {
        this.events.push({ alloc: id, event: "restore" });
      },
      update: (alloc) => {
        this.events.push({ alloc: id, event: "update", desired: alloc.DesiredStatus });
        if (alloc.DesiredStatus !== "run") report("complete");
      },
      destroy: async () => {
        this.events.push({ alloc: id, event: "destroy" });
      },
      shutdown: async () => {
        this.events.push({ alloc: id, event: "shutdown" });
      },
      clientStatus: () => ({
        ID: id,
        ClientStatus: status,
        ClientDescription: "",
        TaskStates: {},
        ModifyTime: 0,
      }),
    };
    return runner;
  };

  of(alloc: string): string[] {
    return this.events
      .filter((e) => e.alloc === alloc)
      .map((e) => e.event + (e.desired ? `:${e.desired}` : ""));
  }
}

/** Polls `pred` until it holds (robust on a loaded machine: no fixed sleeps). */
export async function waitFor(pred: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
