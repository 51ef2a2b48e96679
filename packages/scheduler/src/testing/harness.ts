import type { Evaluation, Plan, PlanResult } from "@nomad/structs";
import { process, type ProcessResult } from "../core/process.js";
import type { Planner, SchedulerAlgorithm, SchedulerDeps, SubmitResult } from "../core/types.js";
import { applyPlan } from "./plan-apply.js";
import { seededRandom, sequentialIDs } from "./rng.js";
import { InMemoryState } from "./state-store.js";

export interface HarnessOptions {
  seed?: number;
  /** Starting virtual time, Unix nanoseconds. */
  nowNs?: number;
  algorithm?: SchedulerAlgorithm;
  scoreMetaDataLimit?: number;
  state?: InMemoryState;
}

/**
 * Nomad's scheduler test harness: a real in-memory state, a Planner that applies plans to
 * it (with the applier's re-checks), and a record of everything the scheduler asked for.
 */
export class Harness implements Planner {
  readonly state: InMemoryState;
  readonly plans: Plan[] = [];
  readonly results: PlanResult[] = [];
  readonly createdEvals: Evaluation[] = [];
  readonly updatedEvals: Evaluation[] = [];
  readonly reblockedEvals: Evaluation[] = [];
  /** Nodes the planner will reject on the next submissions (simulates a stale snapshot). */
  rejectNodes = new Set<string>();
  /** How many submissions rejectNodes applies to. */
  rejectTimes = 0;
  nowNs: number;
  readonly deps: SchedulerDeps;

  constructor(options: HarnessOptions = {}) {
    this.state = options.state ?? new InMemoryState();
    this.nowNs = options.nowNs ?? 1_764_000_000_000_000_000;
    const random = seededRandom(options.seed ?? 1);
    const ids = sequentialIDs();
    this.deps = {
      random,
      nowNs: () => this.nowNs,
      newID: ids,
      ...(options.algorithm === undefined ? {} : { algorithm: options.algorithm }),
      ...(options.scoreMetaDataLimit === undefined ? {} : { scoreMetaDataLimit: options.scoreMetaDataLimit }),
    };
  }

  /** Runs the scheduler for `evaluation` against the harness state. */
  process(evaluation: Evaluation): Promise<ProcessResult> {
    this.state.upsertEval(evaluation);
    return process(evaluation, this.state, this, { ...this.deps, evalToken: `token-${evaluation.ID}` });
  }

  submitPlan(plan: Plan): Promise<SubmitResult> {
    this.plans.push(plan);
    const reject = this.rejectTimes > 0 ? this.rejectNodes : new Set<string>();
    if (this.rejectTimes > 0) this.rejectTimes--;
    const result = applyPlan(this.state, plan, reject);
    this.results.push(result);
    return Promise.resolve({ result, state: result.RefreshIndex > 0 ? this.state : null });
  }

  updateEval(evaluation: Evaluation): Promise<void> {
    this.updatedEvals.push(evaluation);
    this.state.upsertEval(evaluation);
    return Promise.resolve();
  }

  createEval(evaluation: Evaluation): Promise<void> {
    this.createdEvals.push(evaluation);
    this.state.upsertEval(evaluation);
    return Promise.resolve();
  }

  reblockEval(evaluation: Evaluation): Promise<void> {
    this.reblockedEvals.push(evaluation);
    this.state.upsertEval(evaluation);
    return Promise.resolve();
  }

  /** The last plan, for assertions. */
  lastPlan(): Plan {
    const p = this.plans[this.plans.length - 1];
    if (p === undefined) throw new Error("no plan submitted");
    return p;
  }
}
