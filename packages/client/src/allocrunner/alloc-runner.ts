// Runs the tasks of one allocation (contract "AllocRunner contract"): builds the alloc dir,
// runs a TaskRunner per task, derives the alloc's ClientStatus from the task states and
// reports every change through `onUpdate`. A failed task kills its siblings, a dead leader
// task kills the others, as in Nomad. `shutdown` (agent stop) leaves the tasks running;
// `restore` re-attaches to them from persisted state; `destroy` kills them and removes the
// alloc dir.

import type {
  AllocClientStatus,
  AllocClientUpdate,
  Allocation,
  Job,
  Node,
  TaskGroup,
  TaskState,
} from "@nomad/structs";
import { NS_PER_MS } from "@nomad/structs";
import { AllocDir } from "../allocdir/index.js";
import { systemClock, type RunnerClock } from "../drivers/clock.js";
import type { DriverRegistry } from "../drivers/registry.js";
import type { Logger } from "../logger.js";
import { TaskRunner } from "../taskrunner/task-runner.js";
import { newEvent, TaskEventType } from "../taskrunner/task-events.js";
import { clientStatusOf } from "./client-status.js";
import {
  gateOf,
  lifecycleRole,
  mainTasksDead,
  openGates,
  type Gate,
  type LifecycleRole,
} from "./lifecycle.js";
import type { AllocStateStore } from "./state-store.js";

/** An AllocClientUpdate whose status is one of Nomad's client statuses. */
export type AllocRunnerUpdate = AllocClientUpdate & { ClientStatus: AllocClientStatus };

export interface AllocRunnerDeps {
  alloc: Allocation;
  /** The client's `alloc_dir`; this alloc lives in `<allocDir>/<alloc.ID>`. */
  allocDir: string;
  drivers: DriverRegistry;
  state: AllocStateStore;
  node: Node;
  region: string;
  logger: Logger;
  onUpdate(update: AllocRunnerUpdate): void;
  clock?: RunnerClock | undefined;
  /** Client `max_kill_timeout` (default 30 s). */
  maxKillTimeoutMs?: number | undefined;
  random?: (() => number) | undefined;
  /** Agent environment inherited by tasks (default process.env), filtered by `envDenylist`. */
  hostEnv?: Readonly<Record<string, string | undefined>> | undefined;
  envDenylist?: readonly string[] | undefined;
  /** Mount each task's secrets dir as a tmpfs of this size (Nomad on Linux as root: 1 MB); 0 = off. */
  secretsTmpfsMB?: number | undefined;
}

export class AllocRunner {
  private alloc: Allocation;
  private readonly deps: AllocRunnerDeps;
  private readonly clock: RunnerClock;
  readonly dir: AllocDir;
  private readonly runners = new Map<string, TaskRunner>();
  private readonly roles = new Map<string, LifecycleRole>();
  private readonly gates = new Map<Gate, { promise: Promise<void>; open(): void }>();
  private mainDeadHandled = false;
  private stopping = false;
  private setupError: string | undefined;
  private lastReported = "";
  private started = false;
  private destroyed = false;

  constructor(deps: AllocRunnerDeps) {
    this.deps = deps;
    this.alloc = deps.alloc;
    this.clock = deps.clock ?? systemClock;
    this.dir = new AllocDir(deps.allocDir, deps.alloc.ID, { secretsTmpfsMB: deps.secretsTmpfsMB });
    const found = this.groupOf(deps.alloc);
    if (typeof found === "string") {
      this.setupError = found;
      return;
    }
    for (const gate of ["none", "prestart-done", "main-started", "others-dead"] as const) {
      let open!: () => void;
      const promise = new Promise<void>((resolve) => {
        open = resolve;
      });
      this.gates.set(gate, { promise, open });
    }
    for (const task of found.group.Tasks) {
      const role = lifecycleRole(task);
      this.roles.set(task.Name, role);
      this.runners.set(
        task.Name,
        new TaskRunner({
          alloc: deps.alloc,
          job: found.job,
          group: found.group,
          task,
          allocDir: this.dir,
          driver: deps.drivers.get(task.Driver),
          state: deps.state,
          node: deps.node,
          region: deps.region,
          logger: deps.logger.named("task_runner"),
          clock: this.clock,
          maxKillTimeoutMs: deps.maxKillTimeoutMs,
          random: deps.random,
          hostEnv: deps.hostEnv,
          envDenylist: deps.envDenylist,
          startGate: this.gates.get(gateOf(role))!.promise,
          onChange: () => this.onTaskChange(task.Name),
        }),
      );
    }
  }

  get id(): string {
    return this.alloc.ID;
  }

  /** The latest alloc from the server. */
  allocation(): Allocation {
    return this.alloc;
  }

  /** Starts every task; resolves once they are launched (see `done()` for their end). */
  async run(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.deps.state.putAlloc(this.alloc);
    if (this.setupError !== undefined) {
      this.report();
      return;
    }
    try {
      await this.dir.build();
    } catch (e) {
      this.setupError = `failed to build alloc dir: ${(e as Error).message}`;
      this.report();
      return;
    }
    this.launch();
  }

  /** Re-attaches to the tasks of a persisted alloc; no task is started twice. */
  async restore(): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (this.setupError !== undefined) {
      this.report();
      return;
    }
    for (const [name, runner] of this.runners) {
      const saved = await this.deps.state.getTaskState(this.alloc.ID, name);
      if (saved !== undefined) runner.restoreFrom(saved);
    }
    this.launch();
  }

  /** New desired state from the server: stop/evict kills the tasks. */
  update(alloc: Allocation): void {
    if (alloc.ID !== this.alloc.ID)
      throw new Error(`alloc update for ${alloc.ID} sent to runner of ${this.alloc.ID}`);
    this.alloc = alloc;
    void this.deps.state.putAlloc(alloc).catch((e: unknown) => {
      this.deps.logger.error("failed to persist alloc", { alloc_id: alloc.ID, error: String(e) });
    });
    // Poststop tasks still run once the others are dead (cleanup work), as in Nomad.
    if (alloc.DesiredStatus === "stop" || alloc.DesiredStatus === "evict") {
      void this.stopForServer(alloc.DesiredTransition.NoShutdownDelay === true);
    }
  }

  /** A stop from the server: the group's shutdown_delay first, then every task but poststop. */
  private async stopForServer(noShutdownDelay: boolean): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const found = this.groupOf(this.alloc);
    const groupDelayMs = typeof found === "string" ? 0 : (found.group.ShutdownDelay ?? 0) / NS_PER_MS;
    if (groupDelayMs > 0 && !noShutdownDelay) {
      await new Promise<void>((resolve) => this.clock.setTimeout(resolve, groupDelayMs));
    }
    await this.killAll(false, noShutdownDelay);
  }

  /**
   * Kills the tasks (kill_signal, kill_timeout, SIGKILL) and resolves when they are dead;
   * `includePoststop` false lets poststop tasks run afterwards.
   */
  async killAll(includePoststop = true, noShutdownDelay = false): Promise<void> {
    await Promise.all(
      [...this.runners]
        .filter(([name]) => includePoststop || this.roles.get(name) !== "poststop")
        .map(([, r]) => r.kill(undefined, { noShutdownDelay })),
    );
  }

  /** Resolves when every task is dead (or the runner was shut down). */
  async done(): Promise<void> {
    await Promise.all([...this.runners.values()].map((r) => r.done()));
  }

  /** Agent shutdown: tasks keep running; their state is already persisted. */
  async shutdown(): Promise<void> {
    await Promise.all([...this.runners.values()].map((r) => r.shutdown()));
  }

  /** Kills the tasks, removes the alloc dir and the persisted state. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await this.killAll(true, true);
    await this.done();
    await this.dir.destroy();
    await this.deps.state.deleteAlloc(this.alloc.ID);
  }

  async signalTask(task: string, signal: string): Promise<void> {
    const r = this.runners.get(task);
    if (r === undefined)
      throw new Error(`task: ${JSON.stringify(task)} is not a task of alloc ${this.alloc.ID}`);
    await r.signal(signal);
  }

  taskStates(): Record<string, TaskState> {
    const out: Record<string, TaskState> = {};
    for (const [name, r] of this.runners) out[name] = r.state();
    return out;
  }

  clientStatus(): AllocRunnerUpdate {
    const taskStates = this.taskStates();
    const { status, description }: { status: AllocClientStatus; description: string } =
      this.setupError !== undefined
        ? { status: "failed", description: this.setupError }
        : clientStatusOf(taskStates);
    return {
      ID: this.alloc.ID,
      ClientStatus: status,
      ClientDescription: description,
      TaskStates: taskStates,
      ModifyTime: this.clock.nowMs() * NS_PER_MS,
    };
  }

  private launch(): void {
    this.updateGates();
    for (const r of this.runners.values()) void r.run();
    this.report();
  }

  private updateGates(): void {
    const tasks = [...this.runners].map(([name, r]) => ({ role: this.roles.get(name)!, state: r.state() }));
    for (const gate of openGates(tasks)) this.gates.get(gate)?.open();
    if (!this.mainDeadHandled && mainTasksDead(tasks)) {
      this.mainDeadHandled = true;
      for (const [name, r] of this.runners) {
        const role = this.roles.get(name);
        if (role === "main" || role === "poststop" || role === "prestart" || r.isDead()) continue;
        void r.kill(newEvent(TaskEventType.MainDead, this.clock.nowMs() * NS_PER_MS));
      }
    }
  }

  private onTaskChange(name: string): void {
    const changed = this.runners.get(name);
    this.updateGates();
    if (changed !== undefined && changed.isDead()) {
      const st = changed.state();
      const leader = this.leaderTask() === name;
      if (st.Failed || leader) {
        for (const [other, r] of this.runners) {
          if (other === name || r.isDead() || this.roles.get(other) === "poststop") continue;
          const ev = st.Failed
            ? newEvent(TaskEventType.SiblingFailed, this.clock.nowMs() * NS_PER_MS, { FailedSibling: name })
            : newEvent(TaskEventType.LeaderDead, this.clock.nowMs() * NS_PER_MS);
          void r.kill(ev);
        }
      }
    }
    this.report();
  }

  private leaderTask(): string | undefined {
    const found = this.groupOf(this.alloc);
    if (typeof found === "string") return undefined;
    return found.group.Tasks.find((t) => t.Leader)?.Name;
  }

  private report(): void {
    const update = this.clientStatus();
    // Only changes are reported (ModifyTime aside): the client batches these to the servers.
    const key = JSON.stringify([update.ClientStatus, update.ClientDescription, update.TaskStates]);
    if (key === this.lastReported) return;
    this.lastReported = key;
    this.deps.onUpdate(update);
  }

  private groupOf(alloc: Allocation): { job: Job; group: TaskGroup } | string {
    const job = alloc.Job;
    if (job === null || job === undefined) return "alloc has no job";
    const group = job.TaskGroups.find((g) => g.Name === alloc.TaskGroup);
    if (group === undefined)
      return `task group ${JSON.stringify(alloc.TaskGroup)} not found in job ${JSON.stringify(job.ID)}`;
    return { job, group };
  }
}
