// Shared machinery of the drivers that run real processes (raw_exec, exec): each task gets a
// detached supervisor (see ../supervisor) that starts it in its own session, collects its
// logs and records its exit status in the task's private dir. The driver only reads those
// files and signals the task's process group, so it can be dropped and re-created (agent
// restart) and `recover` the task from the persisted TaskHandle.
//
// Stopping sends the kill signal to the task's whole process group (so `sh -c` wrappers
// and their children all hear it), then SIGKILLs the group after the kill timeout.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import * as path from "node:path";
import type { Logger } from "../logger.js";
import { silentLogger } from "../logger.js";
import { BYTES_PER_MB, logBaseName } from "../logs/index.js";
import { ensureSupervisorScript } from "../supervisor/script.js";
import {
  EXIT_STATUS_FILE,
  SPEC_FILE,
  STARTED_FILE,
  type ExitRecord,
  type StartedRecord,
  type SupervisorSpec,
} from "../supervisor/supervisor-main.js";
import { killGroup, killPid, normalizeSignal, readStartTicks, sameProcessAlive } from "./proc.js";
import {
  DriverStartError,
  UnknownTaskError,
  type DriverFingerprint,
  type ExitResult,
  type TaskConfig,
  type TaskDriver,
  type TaskHandle,
} from "./types.js";

export interface ProcessDriverOptions {
  /** How often a task's exit status file and liveness are checked (default 100 ms). */
  pollIntervalMs?: number;
  /** How long the supervisor may take to report the task started (default 15 s, loaded machines). */
  startTimeoutMs?: number;
  /** How long after SIGKILL the driver waits for the exit record before giving up (default 10 s). */
  killGraceMs?: number;
  /** How long output is still collected after the task exits (default 500 ms). */
  drainMs?: number;
  logger?: Logger;
}

export interface LaunchPlan {
  command: string;
  args: string[];
  uid?: number | undefined;
  gid?: number | undefined;
  oomEventsPath?: string | undefined;
  driverState: Record<string, unknown>;
}

interface TrackedTask {
  handle: TaskHandle;
  exit: Promise<ExitResult>;
  result: ExitResult | undefined;
  settle(r: ExitResult): void;
  timer: NodeJS.Timeout | undefined;
  supervisor: ChildProcess | undefined;
}

const STATE_SUBDIR = "supervisor";

export abstract class ProcessDriver implements TaskDriver {
  abstract readonly name: string;
  protected readonly logger: Logger;
  private readonly tasks = new Map<string, TrackedTask>();
  private readonly pollIntervalMs: number;
  private readonly startTimeoutMs: number;
  private readonly killGraceMs: number;
  private readonly drainMs: number;

  constructor(options: ProcessDriverOptions = {}) {
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
    this.startTimeoutMs = options.startTimeoutMs ?? 15_000;
    this.killGraceMs = options.killGraceMs ?? 10_000;
    this.drainMs = options.drainMs ?? 500;
    this.logger = options.logger ?? silentLogger;
  }

  abstract fingerprint(): DriverFingerprint;
  /** Turns the task into the command the supervisor runs (isolation wrappers, cgroups...). */
  protected abstract plan(task: TaskConfig): Promise<LaunchPlan>;
  /** Kills what the process group may have missed (exec: every pid of the task's cgroup). */
  protected async killRemaining(_handle: TaskHandle): Promise<void> {}
  /** Lets a driver correct what its wrapper reported (exec: unshare and SIGKILL). */
  protected adjustExit(result: ExitResult): ExitResult {
    return result;
  }
  /** `signal()`: the task's main process, as Nomad does. */
  protected async sendSignal(handle: TaskHandle, sig: NodeJS.Signals): Promise<void> {
    killPid(handle.pid, sig);
  }
  /** `stop()`'s kill signal: every process of the task's group. */
  protected async sendStopSignal(handle: TaskHandle, sig: NodeJS.Signals): Promise<void> {
    killGroup(handle.pgid, sig);
  }
  /** Releases driver resources of a dead task (exec: removes its cgroups). */
  protected async release(_handle: TaskHandle): Promise<void> {}

  async start(task: TaskConfig): Promise<TaskHandle> {
    const fp = this.fingerprint();
    if (fp.health !== "healthy") {
      throw new DriverStartError(`${this.name} driver is not available: ${fp.healthDescription}`, false);
    }
    if (this.tasks.has(task.id)) throw new DriverStartError(`task ${task.id} is already started`, false);
    const plan = await this.plan(task);
    const stateDir = path.join(task.privateDir, STATE_SUBDIR);
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    // A previous attempt of the same task left its records: they must not be mistaken for ours.
    await rm(path.join(stateDir, STARTED_FILE), { force: true });
    await rm(path.join(stateDir, EXIT_STATUS_FILE), { force: true });
    const spec: SupervisorSpec = {
      taskID: task.id,
      driver: this.name,
      driverState: plan.driverState,
      command: plan.command,
      args: plan.args,
      cwd: task.taskDir,
      env: task.env,
      uid: plan.uid,
      gid: plan.gid,
      stateDir,
      logs: {
        dir: task.logs.dir,
        stdoutBase: logBaseName(task.name, "stdout"),
        stderrBase: logBaseName(task.name, "stderr"),
        maxFiles: task.logs.maxFiles,
        maxFileSizeBytes: Math.max(1, Math.round(task.logs.maxFileSizeMB * BYTES_PER_MB)),
        disabled: task.logs.disabled,
      },
      oomEventsPath: plan.oomEventsPath,
      drainMs: this.drainMs,
    };
    const specPath = path.join(stateDir, SPEC_FILE);
    await writeFile(specPath, JSON.stringify(spec), { mode: 0o600 });
    const script = await ensureSupervisorScript(stateDir);
    const supervisor = spawn(process.execPath, [script, specPath], {
      detached: true,
      stdio: "ignore",
      cwd: stateDir,
      env: {},
    });
    supervisor.unref();
    const supervisorPid = supervisor.pid;
    if (supervisorPid === undefined) {
      await new Promise<void>((resolve) => supervisor.once("error", () => resolve()));
      throw new DriverStartError("failed to start the task supervisor", true);
    }
    const supervisorStartTicks = readStartTicks(supervisorPid) ?? "";
    let supervisorExited = false;
    supervisor.once("exit", () => {
      supervisorExited = true;
    });

    const started = await this.awaitStarted(stateDir, () => supervisorExited);
    if (started.pid === undefined || started.error !== undefined) {
      // A supervisor that was merely slow must not start the task after we gave up on it.
      if (!supervisorExited && sameProcessAlive(supervisorPid, supervisorStartTicks))
        killPid(supervisorPid, "SIGKILL");
      const late = await readJson<StartedRecord>(path.join(stateDir, STARTED_FILE));
      if (
        late?.pid !== undefined &&
        late.startTicks !== undefined &&
        sameProcessAlive(late.pid, late.startTicks)
      ) {
        killGroup(late.pid, "SIGKILL");
      }
      await this.release({ driverState: plan.driverState } as TaskHandle).catch(() => undefined);
      throw new DriverStartError(
        `failed to launch command: ${started.error ?? "the supervisor exited before the task started"}`,
        true,
      );
    }
    const handle: TaskHandle = {
      version: 1,
      driver: this.name,
      taskID: task.id,
      pid: started.pid,
      pgid: started.pid,
      startTicks: started.startTicks ?? "",
      supervisorPid,
      supervisorStartTicks,
      stateDir,
      startedAtMs: started.startedAtMs ?? Date.now(),
      driverState: plan.driverState,
    };
    this.track(handle, supervisor);
    this.logger.debug("task started", { driver: this.name, task_id: task.id, pid: handle.pid });
    return handle;
  }

  async recover(handle: TaskHandle): Promise<boolean> {
    if (this.tasks.has(handle.taskID)) return true;
    if (handle.driver !== this.name || handle.version !== 1) return false;
    const record = await readJson<ExitRecord>(path.join(handle.stateDir, EXIT_STATUS_FILE));
    const alive =
      sameProcessAlive(handle.supervisorPid, handle.supervisorStartTicks) ||
      sameProcessAlive(handle.pid, handle.startTicks);
    if (record === undefined && !alive) return false;
    this.track(handle, undefined);
    return true;
  }

  /**
   * Finds a task this driver started under `privateDir` whose handle the caller never got to
   * persist (the agent died right after starting it) and re-attaches to it.
   */
  async adopt(privateDir: string): Promise<TaskHandle | undefined> {
    const stateDir = path.join(privateDir, STATE_SUBDIR);
    const spec = await readJson<SupervisorSpec>(path.join(stateDir, SPEC_FILE));
    const started = await readJson<StartedRecord>(path.join(stateDir, STARTED_FILE));
    if (spec === undefined || started?.pid === undefined || spec.driver !== this.name) return undefined;
    // An exit already recorded may have been accounted for before the agent died: only a
    // task still running is adopted (else it would be counted twice by the restart policy).
    if ((await readJson<ExitRecord>(path.join(stateDir, EXIT_STATUS_FILE))) !== undefined) return undefined;
    if (!sameProcessAlive(started.pid, started.startTicks ?? "")) return undefined;
    const handle: TaskHandle = {
      version: 1,
      driver: this.name,
      taskID: spec.taskID,
      pid: started.pid,
      pgid: started.pid,
      startTicks: started.startTicks ?? "",
      supervisorPid: started.supervisorPid ?? 0,
      supervisorStartTicks: started.supervisorStartTicks ?? "",
      stateDir,
      startedAtMs: started.startedAtMs ?? 0,
      driverState: spec.driverState,
    };
    return (await this.recover(handle)) ? handle : undefined;
  }

  wait(taskID: string): Promise<ExitResult> {
    const t = this.tasks.get(taskID);
    if (t === undefined) return Promise.reject(new UnknownTaskError(taskID));
    return t.exit;
  }

  async stop(taskID: string, signal: string, timeoutMs: number): Promise<void> {
    const t = this.mustGet(taskID);
    if (t.result !== undefined) return;
    const sig = normalizeSignal(signal);
    if (sameProcessAlive(t.handle.pid, t.handle.startTicks)) await this.sendStopSignal(t.handle, sig);
    const exitedInTime = await raceTimeout(t.exit, timeoutMs);
    if (!exitedInTime) await this.forceKill(t);
  }

  async signal(taskID: string, signal: string): Promise<void> {
    const t = this.mustGet(taskID);
    const sig = normalizeSignal(signal, "signal");
    if (t.result !== undefined || !sameProcessAlive(t.handle.pid, t.handle.startTicks)) {
      throw new Error(`task ${taskID} is not running`);
    }
    await this.sendSignal(t.handle, sig);
  }

  async destroy(taskID: string): Promise<void> {
    const t = this.tasks.get(taskID);
    if (t === undefined) return;
    if (t.result === undefined) await this.forceKill(t);
    if (t.timer !== undefined) clearTimeout(t.timer);
    this.tasks.delete(taskID);
    await this.release(t.handle);
  }

  detach(taskID: string): void {
    const t = this.tasks.get(taskID);
    if (t === undefined) return;
    if (t.timer !== undefined) clearTimeout(t.timer);
    t.timer = undefined;
    this.tasks.delete(taskID);
  }

  /** Stops watching every task without touching them (agent shutdown: tasks keep running). */
  detachAll(): void {
    for (const id of [...this.tasks.keys()]) this.detach(id);
  }

  private async forceKill(t: TrackedTask): Promise<void> {
    if (sameProcessAlive(t.handle.pid, t.handle.startTicks)) killGroup(t.handle.pgid, "SIGKILL");
    await this.killRemaining(t.handle);
    if (!(await raceTimeout(t.exit, this.killGraceMs))) {
      t.settle({ exitCode: -1, signal: 9, oomKilled: false, err: "task did not exit after SIGKILL" });
    }
  }

  private mustGet(taskID: string): TrackedTask {
    const t = this.tasks.get(taskID);
    if (t === undefined) throw new UnknownTaskError(taskID);
    return t;
  }

  private async awaitStarted(stateDir: string, supervisorGone: () => boolean): Promise<StartedRecord> {
    const deadline = Date.now() + this.startTimeoutMs;
    const file = path.join(stateDir, STARTED_FILE);
    for (;;) {
      const rec = await readJson<StartedRecord>(file);
      if (rec !== undefined) return rec;
      if (supervisorGone()) {
        const again = await readJson<StartedRecord>(file);
        return again ?? { error: "the supervisor exited before the task started" };
      }
      if (Date.now() > deadline) return { error: `the task did not start within ${this.startTimeoutMs} ms` };
      await sleep(10);
    }
  }

  private track(handle: TaskHandle, supervisor: ChildProcess | undefined): void {
    let settle!: (r: ExitResult) => void;
    const exit = new Promise<ExitResult>((resolve) => {
      settle = resolve;
    });
    const t: TrackedTask = {
      handle,
      exit,
      result: undefined,
      timer: undefined,
      supervisor,
      settle: (r) => {
        if (t.result !== undefined) return;
        t.result = r;
        if (t.timer !== undefined) clearTimeout(t.timer);
        t.timer = undefined;
        settle(r);
      },
    };
    this.tasks.set(handle.taskID, t);
    const poll = async (): Promise<void> => {
      t.timer = undefined;
      if (t.result !== undefined) return;
      const r = await this.checkExit(handle);
      if (r !== undefined) t.settle(r);
      else if (t.result === undefined && this.tasks.get(handle.taskID) === t) {
        // Not unref'd: a caller awaiting wait() must not see the process exit under it;
        // detach() (agent shutdown) and destroy() clear the timer.
        t.timer = setTimeout(() => void poll(), this.pollIntervalMs);
      }
    };
    // The supervisor being our child, its exit is the earliest hint; polling covers the rest.
    supervisor?.once("exit", () => {
      if (t.timer !== undefined) clearTimeout(t.timer);
      void poll();
    });
    void poll();
  }

  private async checkExit(handle: TaskHandle): Promise<ExitResult | undefined> {
    const file = path.join(handle.stateDir, EXIT_STATUS_FILE);
    const rec = await readJson<ExitRecord>(file);
    if (rec !== undefined) return this.adjustExit(toExitResult(rec));
    if (sameProcessAlive(handle.supervisorPid, handle.supervisorStartTicks)) return undefined;
    // The supervisor is gone: it may have just written the record, or died (killed by hand).
    const late = await readJson<ExitRecord>(file);
    if (late !== undefined) return this.adjustExit(toExitResult(late));
    if (sameProcessAlive(handle.pid, handle.startTicks)) return undefined;
    return {
      exitCode: -1,
      signal: 0,
      oomKilled: false,
      err: "task supervisor exited without recording the task's exit status",
    };
  }
}

function toExitResult(rec: ExitRecord): ExitResult {
  const r: ExitResult = { exitCode: rec.exitCode, signal: rec.signal, oomKilled: rec.oomKilled };
  if (rec.err !== undefined) r.err = rec.err;
  return r;
}

async function readJson<T>(file: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    // Written with write+rename, so a torn file means someone else wrote it: treat as absent.
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves true if `p` settles within `ms`. */
async function raceTimeout(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, ms));
  });
  try {
    return await Promise.race([p.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Validates the `command`/`args` of a raw_exec/exec task config, naming the field. */
export function commandFromConfig(config: Record<string, unknown>): { command: string; args: string[] } {
  const command = config["command"];
  if (typeof command !== "string" || command.trim() === "") {
    throw new DriverStartError("config.command: a non-empty string is required", false);
  }
  const rawArgs = config["args"] ?? [];
  if (!Array.isArray(rawArgs)) throw new DriverStartError("config.args: must be a list of strings", false);
  const args = rawArgs.map((a: unknown, i: number) => {
    if (typeof a === "string") return a;
    if (typeof a === "number" || typeof a === "boolean") return String(a);
    throw new DriverStartError(`config.args[${i}]: must be a string`, false);
  });
  return { command, args };
}
