// The task driver seam (contract "Driver contract"). A driver starts a task from a
// TaskConfig and returns a TaskHandle: plain JSON the client persists so that a restarted
// agent can `recover` the task and still learn how it exits.

import type { DriverFingerprint } from "@nomad/fingerprint";

export type { DriverFingerprint };

export interface TaskResourcesConfig {
  /** Allocated CPU shares (MHz); cgroup cpu.shares for exec. */
  cpuShares: number;
  memoryMB: number;
  /** Oversubscription ceiling; 0 = none (hard limit = memoryMB). */
  memoryMaxMB: number;
}

export interface TaskLogConfig {
  /** `<alloc_dir>/<alloc_id>/alloc/logs`. */
  dir: string;
  maxFiles: number;
  maxFileSizeMB: number;
  /** Nomad's `disabled`: output is discarded. */
  disabled: boolean;
}

export interface TaskConfig {
  /** Unique per start attempt: `<alloc_id>/<task>/<attempt>`; drivers key their state by it. */
  id: string;
  allocID: string;
  /** Task name. */
  name: string;
  /** The task's `config { }` block after interpolation. */
  driverConfig: Record<string, unknown>;
  /** Full task environment (NOMAD_* and the task's `env`). */
  env: Record<string, string>;
  /** Task `user`; empty = the agent's user. */
  user: string;
  resources: TaskResourcesConfig;
  /** `<alloc_dir>/<alloc_id>`. */
  allocRoot: string;
  /** `<alloc_dir>/<alloc_id>/<task>`: the working directory of the task. */
  taskDir: string;
  /** `<task>/private`: the driver's own files (supervisor state); not for the task. */
  privateDir: string;
  logs: TaskLogConfig;
}

/** Plain JSON: persisted by the client and handed back to `recover` after an agent restart. */
export interface TaskHandle {
  version: 1;
  driver: string;
  taskID: string;
  /** The task's main process (also its process group leader: pgid === pid). */
  pid: number;
  pgid: number;
  /** Field 22 of /proc/<pid>/stat: with the pid, identifies the process against PID reuse. */
  startTicks: string;
  /** The per-task supervisor that collects logs and records the exit status (0 = none). */
  supervisorPid: number;
  supervisorStartTicks: string;
  /** Where the supervisor keeps `started.json` and `exit-status.json`. */
  stateDir: string;
  /** Unix ms at which the task started. */
  startedAtMs: number;
  /** Driver-specific data (exec: cgroup paths; mock_driver: its config). */
  driverState: Record<string, unknown>;
}

export interface ExitResult {
  exitCode: number;
  /** Signal number that ended the task, 0 if none (Nomad's ExitResult.Signal). */
  signal: number;
  oomKilled: boolean;
  err?: string;
}

export function exitSuccessful(r: ExitResult): boolean {
  return r.exitCode === 0 && r.signal === 0 && r.err === undefined;
}

export interface TaskDriver {
  readonly name: string;
  fingerprint(): DriverFingerprint;
  start(task: TaskConfig): Promise<TaskHandle>;
  recover(handle: TaskHandle): Promise<boolean>;
  wait(taskID: string): Promise<ExitResult>;
  stop(taskID: string, signal: string, timeoutMs: number): Promise<void>;
  signal(taskID: string, signal: string): Promise<void>;
  destroy(taskID: string): Promise<void>;
  /**
   * Optional: stop tracking a task without touching it (agent shutdown), so the driver holds
   * no timers for it; `recover` re-attaches later. Pending `wait` promises stay unresolved.
   */
  detach?(taskID: string): void;
  /**
   * Optional: re-attach to a task started under the task's private dir whose handle was
   * never persisted (the agent died between start and persist). Undefined when none.
   */
  adopt?(privateDir: string): Promise<TaskHandle | undefined>;
}

/** A start failure the restart policy may retry (Nomad's recoverable errors). */
export class DriverStartError extends Error {
  constructor(
    message: string,
    readonly recoverable: boolean,
  ) {
    super(message);
    this.name = "DriverStartError";
  }
}

export class UnknownTaskError extends Error {
  constructor(readonly taskID: string) {
    super(`unknown task ${JSON.stringify(taskID)}`);
    this.name = "UnknownTaskError";
  }
}
