// One task of an allocation through its life: setup, start, wait, restart per policy,
// kill. Every change of its TaskState (and the driver's handle) is persisted through the
// AllocStateStore before the alloc runner is told, so a restarted agent can `restore` the
// runner and re-attach to the same process without starting it again.

import type { Allocation, Job, Node, Task, TaskGroup, TaskState } from "@nomad/structs";
import { formatDurationNs, NS_PER_MS } from "@nomad/structs";
import type { AllocDir, TaskDir } from "../allocdir/index.js";
import type { AllocStateStore, PersistedTaskState } from "../allocrunner/state-store.js";
import type { RunnerClock } from "../drivers/clock.js";
import {
  DriverStartError,
  exitSuccessful,
  type ExitResult,
  type TaskDriver,
  type TaskHandle,
} from "../drivers/types.js";
import type { Logger } from "../logger.js";
import { RestartTracker, type RestartDecision } from "./restart-tracker.js";
import { buildTaskEnv, interpolateConfig } from "./task-env.js";
import { newEvent, TaskEventType, type RunnerTaskEvent } from "./task-events.js";

/** Nomad keeps the last 10 events of a task. */
export const MAX_TASK_EVENTS = 10;
/** Nomad's default kill signal for raw_exec/exec tasks. */
export const DEFAULT_KILL_SIGNAL = "SIGINT";
/** Client `max_kill_timeout` default. */
export const DEFAULT_MAX_KILL_TIMEOUT_MS = 30_000;

export interface TaskRunnerDeps {
  alloc: Allocation;
  job: Job;
  group: TaskGroup;
  task: Task;
  allocDir: AllocDir;
  /** Undefined when the node has no such driver: the task fails with a Driver Failure. */
  driver: TaskDriver | undefined;
  state: AllocStateStore;
  node: Node;
  region: string;
  logger: Logger;
  clock: RunnerClock;
  maxKillTimeoutMs?: number | undefined;
  random?: (() => number) | undefined;
  /** Agent environment passed to tasks (minus the deny list); default process.env. */
  hostEnv?: Readonly<Record<string, string | undefined>> | undefined;
  envDenylist?: readonly string[] | undefined;
  /**
   * Resolves when the task may start (lifecycle ordering: prestart before main, poststart
   * after main started, poststop after the others died). Default: at once.
   */
  startGate?: Promise<void> | undefined;
  /** Called after every state change, once its write to the state store has completed. */
  onChange(): void;
}

export function emptyTaskState(): TaskState {
  return {
    State: "pending",
    Failed: false,
    Restarts: 0,
    LastRestart: "",
    StartedAt: "",
    FinishedAt: "",
    Events: [],
  };
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export class TaskRunner {
  readonly name: string;
  private readonly deps: TaskRunnerDeps;
  private readonly taskDir: TaskDir;
  private readonly tracker: RestartTracker;
  private readonly random: () => number;
  private taskState: TaskState = emptyTaskState();
  private handle: TaskHandle | undefined;
  private restoredHandle = false;
  private restored = false;
  private killRequested = false;
  private stopIssuedFor: string | undefined;
  /** The driver tracks `handle` (started or re-attached by this runner). */
  private attached = false;
  private noShutdownDelay = false;
  private shutdownRequested = false;
  private readonly killed = deferred();
  private readonly shutdownSignal = deferred();
  private loop: Promise<void> | undefined;
  private persistChain: Promise<void> = Promise.resolve();

  constructor(deps: TaskRunnerDeps) {
    this.deps = deps;
    this.name = deps.task.Name;
    this.taskDir = deps.allocDir.taskDir(deps.task.Name);
    this.random = deps.random ?? Math.random;
    const batch = deps.job.Type === "batch" || deps.job.Type === "sysbatch";
    this.tracker = new RestartTracker(deps.task.RestartPolicy, batch, this.random);
  }

  state(): TaskState {
    return structuredClone(this.taskState);
  }

  currentHandle(): TaskHandle | undefined {
    return this.handle === undefined ? undefined : structuredClone(this.handle);
  }

  isDead(): boolean {
    return this.taskState.State === "dead";
  }

  /** Loads persisted state; `run()` then re-attaches to the handle instead of starting. */
  restoreFrom(saved: PersistedTaskState): void {
    this.taskState = structuredClone(saved.taskState);
    this.handle = saved.handle === undefined ? undefined : structuredClone(saved.handle);
    this.restoredHandle = this.handle !== undefined;
    this.restored = true;
  }

  /** Runs the task to its end (dead), or until `shutdown()`. Idempotent. */
  run(): Promise<void> {
    this.loop ??= this.runLoop().catch((e: unknown) => {
      this.deps.logger.error("task runner failed", { task: this.name, error: String(e) });
      return this.markDead(true);
    });
    return this.loop;
  }

  /** Waits for the loop of `run()` (resolves at once if it never ran). */
  async done(): Promise<void> {
    await (this.loop ?? Promise.resolve());
    await this.persistChain;
  }

  /**
   * Kills the task (kill_signal, kill_timeout, then SIGKILL) and stops restarts. `event`
   * explains why (e.g. Sibling Task Failed) and is recorded before Killing.
   */
  async kill(event?: RunnerTaskEvent, options: { noShutdownDelay?: boolean } = {}): Promise<void> {
    if (this.isDead() || this.killRequested) {
      await this.done();
      return;
    }
    this.killRequested = true;
    this.noShutdownDelay = options.noShutdownDelay === true;
    this.killed.resolve();
    if (event !== undefined) this.appendEvent(event);
    if (this.loop === undefined) {
      if (this.handle === undefined) {
        // Never started: nothing to stop.
        await this.markDead(false);
        return;
      }
      // Restored but not yet re-attached: the loop re-attaches, sees the kill and stops it.
      void this.run();
    }
    if (this.handle !== undefined && this.attached && this.taskState.State === "running")
      await this.stopTask();
    await this.done();
  }

  /** Forwards a signal to the running task (`nomad alloc signal`). */
  async signal(signal: string): Promise<void> {
    if (this.handle === undefined || this.deps.driver === undefined || this.taskState.State !== "running") {
      throw new Error(`task ${JSON.stringify(this.name)} is not running`);
    }
    this.appendEvent(
      newEvent(TaskEventType.Signaling, this.nowNs(), { Message: `Task being sent signal ${signal}` }),
    );
    this.persist();
    await this.deps.driver.signal(this.handle.taskID, signal);
  }

  /** Agent shutdown: stop supervising, leave the task running, flush persisted state. */
  async shutdown(): Promise<void> {
    this.shutdownRequested = true;
    this.shutdownSignal.resolve();
    await this.done();
    if (this.handle !== undefined) this.deps.driver?.detach?.(this.handle.taskID);
  }

  private async runLoop(): Promise<void> {
    const { driver } = this.deps;
    if (this.isDead()) return;
    if (this.restoredHandle && this.handle !== undefined) {
      const ok = driver !== undefined && (await driver.recover(this.handle).catch(() => false));
      this.attached = ok;
      if (!ok) {
        this.appendEvent(
          newEvent(TaskEventType.RestoreFailed, this.nowNs(), {
            Message: "failed to restore task; the task will be started again",
          }),
        );
        this.handle = undefined;
        this.taskState.State = "pending";
        this.persist();
      }
    }
    if (this.restored && !this.attached && driver?.adopt !== undefined) {
      // The agent may have died between starting the task and persisting its handle.
      const adopted = await driver.adopt(this.taskDir.privateDir).catch(() => undefined);
      if (adopted !== undefined && adopted.taskID !== this.handle?.taskID) {
        this.handle = adopted;
        this.attached = true;
        this.taskState.State = "running";
        if (this.taskState.StartedAt === "") this.taskState.StartedAt = this.rfc3339();
        this.appendEvent(newEvent(TaskEventType.Started, this.nowNs()));
        this.persist();
      }
    }
    if (!this.restored && this.taskState.Events.length === 0) {
      this.appendEvent(newEvent(TaskEventType.Received, this.nowNs()));
      this.appendEvent(newEvent(TaskEventType.Setup, this.nowNs(), { Message: "Building Task Directory" }));
      this.persist();
    }

    if (this.handle === undefined && this.deps.startGate !== undefined) {
      await Promise.race([this.deps.startGate, this.killed.promise, this.shutdownSignal.promise]);
    }
    for (;;) {
      if (this.shutdownRequested) return;
      if (this.killRequested && this.handle === undefined) {
        await this.markDead(false);
        return;
      }
      if (this.handle === undefined) {
        const err = await this.startTask();
        if (this.shutdownRequested) return;
        if (err !== undefined && this.killRequested) {
          await this.markDead(false);
          return;
        }
        if (err !== undefined) {
          const d = this.tracker.decide(
            { successful: false, startError: { recoverable: err.recoverable } },
            this.nowMs(),
          );
          if (!(await this.applyDecision(d))) return;
          continue;
        }
      }
      const handle = this.handle as TaskHandle | undefined;
      if (handle === undefined || driver === undefined) continue;
      // A kill that arrived while the task was starting or being re-attached.
      if (this.killRequested) await this.stopTask();
      const result = await Promise.race([
        driver
          .wait(handle.taskID)
          .catch((e: unknown): ExitResult => ({ exitCode: -1, signal: 0, oomKilled: false, err: String(e) })),
        this.shutdownSignal.promise.then(() => undefined),
      ]);
      if (result === undefined) return; // shutdown: the task keeps running
      this.handle = undefined;
      this.attached = false;
      this.appendEvent(
        newEvent(TaskEventType.Terminated, this.nowNs(), {
          ExitCode: result.exitCode,
          Signal: result.signal,
          Message: result.err ?? (result.oomKilled ? "OOM Killed" : ""),
          Details: {
            exit_code: String(result.exitCode),
            signal: String(result.signal),
            oom_killed: String(result.oomKilled),
          },
        }),
      );
      await driver.destroy(handle.taskID).catch((e: unknown) => {
        this.deps.logger.warn("failed to clean up task", { task: this.name, error: String(e) });
      });
      if (this.killRequested) {
        this.appendEvent(newEvent(TaskEventType.Killed, this.nowNs()));
        await this.markDead(false);
        return;
      }
      this.persist();
      const d = this.tracker.decide({ successful: exitSuccessful(result) }, this.nowMs());
      if (!(await this.applyDecision(d))) return;
    }
  }

  /** Returns the start error, or undefined once the task runs. */
  private async startTask(): Promise<DriverStartError | undefined> {
    const { driver, alloc, job, group, task, node, region } = this.deps;
    if (driver === undefined) {
      return this.startFailed(
        new DriverStartError(`driver ${JSON.stringify(task.Driver)} is not available on this node`, false),
      );
    }
    let handle: TaskHandle;
    try {
      await this.deps.allocDir.build();
      await this.taskDir.build();
      const { env, lookup } = buildTaskEnv({
        alloc,
        job,
        group,
        task,
        node,
        region,
        allocSharedDir: this.deps.allocDir.sharedDir,
        taskLocalDir: this.taskDir.localDir,
        secretsDir: this.taskDir.secretsDir,
        hostEnv: this.deps.hostEnv ?? process.env,
        envDenylist: this.deps.envDenylist,
      });
      const res = alloc.AllocatedResources?.Tasks[task.Name];
      const nonce = Math.floor(this.random() * 2 ** 32).toString(36);
      handle = await driver.start({
        id: `${alloc.ID}/${task.Name}/${nonce}`,
        allocID: alloc.ID,
        name: task.Name,
        driverConfig: interpolateConfig(task.Config, lookup) as Record<string, unknown>,
        env,
        user: task.User,
        resources: {
          cpuShares: res?.Cpu.CpuShares ?? task.Resources.CPU,
          memoryMB: res?.Memory.MemoryMB ?? task.Resources.MemoryMB,
          memoryMaxMB: res?.Memory.MemoryMaxMB ?? task.Resources.MemoryMaxMB,
        },
        allocRoot: this.deps.allocDir.allocRoot,
        taskDir: this.taskDir.dir,
        privateDir: this.taskDir.privateDir,
        logs: {
          dir: this.deps.allocDir.logsDir,
          maxFiles: task.LogConfig.MaxFiles,
          maxFileSizeMB: task.LogConfig.MaxFileSizeMB,
          disabled: task.LogConfig.Disabled,
        },
      });
    } catch (e) {
      const err =
        e instanceof DriverStartError ? e : new DriverStartError((e as Error).message ?? String(e), false);
      return this.startFailed(err);
    }
    this.handle = handle;
    this.attached = true;
    this.taskState.State = "running";
    if (this.taskState.StartedAt === "") this.taskState.StartedAt = this.rfc3339();
    this.taskState.FinishedAt = "";
    this.appendEvent(newEvent(TaskEventType.Started, this.nowNs()));
    this.persist();
    return undefined;
  }

  private startFailed(err: DriverStartError): DriverStartError {
    this.appendEvent(
      newEvent(TaskEventType.DriverFailure, this.nowNs(), { DriverError: err.message, Message: err.message }),
    );
    this.persist();
    return err;
  }

  private async stopTask(): Promise<void> {
    const { driver, task } = this.deps;
    const handle = this.handle;
    if (driver === undefined || handle === undefined || this.stopIssuedFor === handle.taskID) return;
    this.stopIssuedFor = handle.taskID;
    const timeoutMs = Math.min(
      task.KillTimeout / NS_PER_MS,
      this.deps.maxKillTimeoutMs ?? DEFAULT_MAX_KILL_TIMEOUT_MS,
    );
    const signal = task.KillSignal === "" ? DEFAULT_KILL_SIGNAL : task.KillSignal;
    const delayMs = task.ShutdownDelay / NS_PER_MS;
    if (delayMs > 0 && !this.noShutdownDelay) {
      // Time for load balancers to drain the task once it is no longer advertised.
      this.appendEvent(
        newEvent(TaskEventType.WaitingShutdownDelay, this.nowNs(), {
          Message: `Waiting for shutdown_delay of ${formatDurationNs(task.ShutdownDelay)} before killing the task.`,
        }),
      );
      this.persist();
      await new Promise<void>((resolve) => this.deps.clock.setTimeout(resolve, delayMs));
    }
    this.appendEvent(newEvent(TaskEventType.Killing, this.nowNs(), { KillTimeout: timeoutMs * NS_PER_MS }));
    this.persist();
    try {
      await driver.stop(handle.taskID, signal, timeoutMs);
    } catch (e) {
      // E.g. the driver has not re-attached yet: the loop retries once it has.
      this.stopIssuedFor = undefined;
      this.deps.logger.warn("failed to stop task", { task: this.name, error: String(e) });
    }
  }

  /** True when the loop goes on (restart), false when the task is now dead. */
  private async applyDecision(d: RestartDecision): Promise<boolean> {
    if (!d.restart) {
      this.appendEvent(
        newEvent(TaskEventType.NotRestarting, this.nowNs(), { RestartReason: d.reason, FailsTask: d.failed }),
      );
      await this.markDead(d.failed);
      return false;
    }
    this.appendEvent(
      newEvent(TaskEventType.Restarting, this.nowNs(), {
        RestartReason: d.reason,
        StartDelay: d.delayMs * NS_PER_MS,
      }),
    );
    this.taskState.Restarts += 1;
    this.taskState.LastRestart = this.rfc3339();
    this.taskState.State = "pending";
    this.persist();
    let timer: unknown;
    const delay = new Promise<void>((resolve) => {
      timer = this.deps.clock.setTimeout(resolve, d.delayMs);
    });
    await Promise.race([delay, this.killed.promise, this.shutdownSignal.promise]);
    this.deps.clock.clearTimeout(timer);
    if (this.shutdownRequested) return false;
    if (this.killRequested) {
      await this.markDead(false);
      return false;
    }
    return true;
  }

  private async markDead(failed: boolean): Promise<void> {
    this.taskState.State = "dead";
    this.taskState.Failed = this.taskState.Failed || failed;
    this.taskState.FinishedAt = this.rfc3339();
    this.handle = undefined;
    this.persist();
    await this.persistChain;
  }

  private appendEvent(e: RunnerTaskEvent): void {
    const events = [...this.taskState.Events, e];
    this.taskState.Events = events.slice(-MAX_TASK_EVENTS);
  }

  /** Queues a durable write of the current state, in order; the alloc runner hears of it after the write. */
  private persist(): void {
    const snapshot: PersistedTaskState = { taskState: structuredClone(this.taskState) };
    if (this.handle !== undefined) snapshot.handle = structuredClone(this.handle);
    this.persistChain = this.persistChain
      .then(() => this.deps.state.putTaskState(this.deps.alloc.ID, this.name, snapshot))
      .catch((e: unknown) =>
        this.deps.logger.error("failed to persist task state", { task: this.name, error: String(e) }),
      )
      // As Nomad: the state is durable before anyone is told about it.
      .then(() => this.deps.onChange());
  }

  private nowMs(): number {
    return this.deps.clock.nowMs();
  }

  private nowNs(): number {
    return this.deps.clock.nowMs() * NS_PER_MS;
  }

  private rfc3339(): string {
    return new Date(this.deps.clock.nowMs()).toISOString();
  }
}
