// A leader over the real StateStore + NomadFsm, with Raft replaced by "apply at the next
// index", a manual clock and seeded randomness: everything the leader decides is replayable.
import { mockJob, mockNode, seededRandom, type JobFixture, type NodeFixture } from "@nomad/scheduler/testing";
import { parseAllocation, parseEvaluation, type Allocation, type Evaluation, type Job } from "@nomad/structs";
import { encodeCommand, NomadFsm, type FsmCommand } from "../../src/fsm/index.js";
import { Leader, ManualClock, settle, type LeaderConfigInput } from "../../src/leader/index.js";
import { StateStore } from "../../src/state/index.js";

export interface HarnessOptions {
  config?: LeaderConfigInput;
  seed?: number;
  /** Throw from apply for commands this returns true for (simulates a failing Raft write). */
  failApply?: (cmd: FsmCommand) => boolean;
}

export class LeaderHarness {
  readonly state = new StateStore();
  readonly fsm = new NomadFsm(this.state);
  readonly clock = new ManualClock();
  readonly leader: Leader;
  readonly commands: FsmCommand[] = [];
  private nextIndex = 1;
  private ids = 0;

  constructor(opts: HarnessOptions = {}) {
    const random = seededRandom(opts.seed ?? 1);
    this.leader = new Leader({
      state: this.state,
      events: this.fsm.events,
      apply: (cmd) => {
        if (opts.failApply?.(cmd) === true) return Promise.reject(new Error(`injected failure: ${cmd.type}`));
        return Promise.resolve(this.apply(cmd));
      },
      config: { numSchedulers: 1, ...opts.config },
      clock: this.clock,
      random,
      newID: () => this.newID(),
    });
  }

  newID(): string {
    this.ids++;
    return `00000000-0000-4000-8000-${this.ids.toString(16).padStart(12, "0")}`;
  }

  /** Applies a command as Raft would once committed; throws on an FSM refusal. */
  apply(cmd: FsmCommand): { index: number } {
    this.commands.push(cmd);
    const r = this.fsm.apply({ index: this.nextIndex++, term: 1, type: "command", data: encodeCommand(cmd) });
    if (r.error !== undefined) throw new Error(`FSM refused ${cmd.type}: ${r.error}`);
    return { index: r.index };
  }

  registerNode(f: NodeFixture): string {
    const node = mockNode(f);
    this.apply({
      type: "NodeRegister",
      Node: { ...node, StatusUpdatedAt: Math.floor(this.clock.nowMs() / 1000) },
    });
    return node.ID;
  }

  /** Registers a job with its job-register eval, as Job.Register does. */
  registerJob(f: JobFixture): { job: Job; eval: Evaluation } {
    const job = { ...mockJob(f), SubmitTime: this.clock.nowNs() };
    const ev = parseEvaluation({
      ID: this.newID(),
      Namespace: job.Namespace,
      Priority: job.Priority,
      Type: job.Type,
      TriggeredBy: "job-register",
      JobID: job.ID,
      Status: "pending",
      CreateTime: this.clock.nowNs(),
      ModifyTime: this.clock.nowNs(),
    });
    this.apply({ type: "JobRegister", Job: job, Eval: ev });
    return { job, eval: ev };
  }

  liveAllocs(jobID: string): Allocation[] {
    return this.state
      .snapshot()
      .allocsByJob("default", jobID)
      .filter((a) => a.DesiredStatus === "run" && a.ClientStatus !== "lost");
  }

  evalByID(id: string): Evaluation | undefined {
    return this.state.snapshot().evalByID(id);
  }

  /** Lets async work run until `cond` holds (no time passes). */
  async until(cond: () => boolean, what: string, rounds = 400): Promise<void> {
    for (let i = 0; i < rounds; i++) {
      if (cond()) return;
      await settle(2);
    }
    throw new Error(`condition not reached: ${what}`);
  }
}

/** A hand-built allocation holding `cpuMHz` on `nodeID` (for plan applier tests). */
export function allocOn(
  job: Job,
  id: string,
  nodeID: string,
  cpuMHz: number,
  ports: number[] = [],
): Allocation {
  return parseAllocation({
    ID: id,
    Namespace: job.Namespace,
    EvalID: "eval-x",
    Name: `${job.ID}.web[0]`,
    NodeID: nodeID,
    NodeName: nodeID,
    JobID: job.ID,
    Job: job,
    TaskGroup: "web",
    AllocatedResources: {
      Tasks: {
        web: {
          Cpu: { CpuShares: cpuMHz },
          Memory: { MemoryMB: 128 },
          Networks: [{ Mode: "host", ReservedPorts: ports.map((p, i) => ({ Label: `p${i}`, Value: p })) }],
        },
      },
      Shared: { DiskMB: 100 },
    },
    DesiredStatus: "run",
    ClientStatus: "pending",
  });
}
