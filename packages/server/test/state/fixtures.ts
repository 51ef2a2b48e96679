// Small builders for state and FSM tests (canonical objects through @nomad/structs parsers).
import { mockEval, mockJob, mockNode } from "@nomad/scheduler/testing";
import { parseAllocation, type Allocation, type Evaluation, type Job, type Node } from "@nomad/structs";
import { encodeCommand, NomadFsm, type FsmCommand, type FsmResult } from "../../src/fsm/index.js";

export { mockEval, mockJob, mockNode };

export function job(id: string, extra: Record<string, unknown> = {}, count = 1): Job {
  return mockJob({ id, count, extra });
}

export function node(id: string, extra: Partial<Node> = {}): Node {
  return { ...mockNode({ id }), StatusUpdatedAt: 1_764_000_000, ...extra };
}

export function evaluation(j: Job, id: string, extra: Partial<Evaluation> = {}): Evaluation {
  return mockEval(j, "job-register", { ID: id, ...extra });
}

export interface AllocFixture {
  id: string;
  job: Job;
  nodeID: string;
  evalID?: string;
  group?: string;
  cpuMHz?: number;
  memoryMB?: number;
  diskMB?: number;
  ports?: number[];
  cores?: number[];
  clientStatus?: Allocation["ClientStatus"];
  desiredStatus?: Allocation["DesiredStatus"];
  previous?: string;
  index?: number;
}

export function alloc(f: AllocFixture): Allocation {
  const group = f.group ?? f.job.TaskGroups[0]?.Name ?? "web";
  return parseAllocation({
    ID: f.id,
    Namespace: f.job.Namespace,
    EvalID: f.evalID ?? "eval-1",
    Name: `${f.job.ID}.${group}[${f.index ?? 0}]`,
    NodeID: f.nodeID,
    NodeName: f.nodeID,
    JobID: f.job.ID,
    Job: f.job,
    TaskGroup: group,
    AllocatedResources: {
      Tasks: {
        app: {
          Cpu: { CpuShares: f.cpuMHz ?? 500, ReservedCores: f.cores ?? [] },
          Memory: { MemoryMB: f.memoryMB ?? 256 },
          Networks: [
            {
              Mode: "host",
              ReservedPorts: (f.ports ?? []).map((p, i) => ({ Label: `p${i}`, Value: p })),
            },
          ],
        },
      },
      Shared: { DiskMB: f.diskMB ?? 300 },
    },
    DesiredStatus: f.desiredStatus ?? "run",
    ClientStatus: f.clientStatus ?? "pending",
    PreviousAllocation: f.previous ?? "",
  });
}

/** An FSM plus a log: `apply` encodes the command and applies it at the next index. */
export class FsmDriver {
  readonly fsm: NomadFsm;
  next = 1;
  constructor(fsm: NomadFsm = new NomadFsm()) {
    this.fsm = fsm;
  }
  apply(cmd: FsmCommand): FsmResult {
    return this.fsm.apply({ index: this.next++, term: 1, type: "command", data: encodeCommand(cmd) });
  }
  /** Applies and fails the test when the command is refused. */
  ok(cmd: FsmCommand): number {
    const r = this.apply(cmd);
    if (r.error !== undefined) throw new Error(`${cmd.type} refused: ${r.error}`);
    return r.index;
  }
  get state() {
    return this.fsm.state.snapshot();
  }
}

export function emptyPlan(j: Job | null, evalID: string): Extract<FsmCommand, { type: "ApplyPlanResults" }> {
  return {
    type: "ApplyPlanResults",
    Job: j,
    EvalID: evalID,
    AllocsStopped: [],
    AllocsPlaced: [],
    AllocsUpdated: [],
    AllocsPreempted: [],
  };
}
