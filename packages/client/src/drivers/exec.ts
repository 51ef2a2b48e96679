// exec: the task runs isolated. Linux and root only. Isolation here: new mount, PID, IPC and
// UTS namespaces (`unshare --fork --mount-proc`, so the task is PID 1 of its own PID
// namespace and sees only its processes in /proc) and a cgroup per task limiting memory
// (hard limit = memory_max or memory) and CPU shares. The first process joins the cgroups
// before exec'ing `unshare`, so every descendant is accounted and can be killed through the
// cgroup. Tasks run as their `user`, by default `nobody` as in Nomad. Unlike Nomad there is
// no chroot (the task sees the host filesystem).

import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chown } from "node:fs/promises";
import { platform } from "node:os";
import * as path from "node:path";
import { DRIVER_HEALTHY } from "@nomad/fingerprint";
import { TASK_SECRETS } from "../allocdir/index.js";
import {
  cgroupPids,
  createTaskCgroup,
  detectCgroupLayout,
  removeTaskCgroup,
  type CgroupLayout,
  type TaskCgroup,
} from "./cgroups.js";
import { killPid, readParentPid } from "./proc.js";
import {
  commandFromConfig,
  ProcessDriver,
  type LaunchPlan,
  type ProcessDriverOptions,
} from "./process-driver.js";
import type { DriverFingerprint, ExitResult, TaskConfig, TaskHandle } from "./types.js";
import { resolveUser } from "./user.js";

// Nomad's exec driver descriptions (same strings as @nomad/fingerprint's exec detector).
export const EXEC_UNSUPPORTED_OS = "exec driver unsupported on client OS";
export const DRIVER_REQUIRES_ROOT = "Driver must run as root";
export const NO_CGROUP_MOUNT = "Failed to discover cgroup mount point";
export const NO_UNSHARE = "unshare(1) not found: namespaces unavailable";
export const NO_SETPRIV = "setpriv(1) not found: cannot run tasks as their user";

export interface ExecDriverOptions extends ProcessDriverOptions {
  /** Default true; false makes the driver undetected with description "disabled". */
  enabled?: boolean;
  /** Client `cgroup_parent` without the leading slash (Nomad: "/nomad"). */
  cgroupParent?: string;
  cgroupRoot?: string;
  unsharePath?: string;
  shellPath?: string;
  setprivPath?: string;
  /** User of tasks that do not set `user` (Nomad: "nobody" for exec). */
  defaultUser?: string;
  /** Overridable for tests of the fingerprint rules. */
  uid?: () => number;
  platform?: () => string;
}

export class ExecDriver extends ProcessDriver {
  readonly name = "exec";
  private readonly enabled: boolean;
  private readonly cgroupParent: string;
  private readonly cgroupRoot: string;
  private readonly unsharePath: string;
  private readonly shellPath: string;
  private readonly setprivPath: string;
  private readonly defaultUser: string;
  private readonly uid: () => number;
  private readonly platform: () => string;
  private namespaces: string[] | undefined;

  constructor(options: ExecDriverOptions = {}) {
    super(options);
    this.enabled = options.enabled ?? true;
    this.cgroupParent = (options.cgroupParent ?? "nomad").replace(/^\/+/, "");
    this.cgroupRoot = options.cgroupRoot ?? "/sys/fs/cgroup";
    this.unsharePath = options.unsharePath ?? "/usr/bin/unshare";
    this.shellPath = options.shellPath ?? "/bin/sh";
    this.setprivPath = options.setprivPath ?? "/usr/bin/setpriv";
    this.defaultUser = options.defaultUser ?? "nobody";
    this.uid = options.uid ?? (() => (process.getuid === undefined ? -1 : process.getuid()));
    this.platform = options.platform ?? platform;
  }

  fingerprint(): DriverFingerprint {
    const none = (d: string): DriverFingerprint => ({
      health: "undetected",
      healthDescription: d,
      attributes: {},
    });
    if (!this.enabled) return none("disabled");
    if (this.platform() !== "linux") return none(EXEC_UNSUPPORTED_OS);
    if (this.uid() !== 0) return none(DRIVER_REQUIRES_ROOT);
    const layout = this.layout();
    if (layout === undefined)
      return { health: "unhealthy", healthDescription: NO_CGROUP_MOUNT, attributes: {} };
    if (!existsSync(this.unsharePath))
      return { health: "unhealthy", healthDescription: NO_UNSHARE, attributes: {} };
    if (!existsSync(this.setprivPath))
      return { health: "unhealthy", healthDescription: NO_SETPRIV, attributes: {} };
    return {
      health: "healthy",
      healthDescription: DRIVER_HEALTHY,
      attributes: { "driver.exec": "true" },
    };
  }

  /**
   * The namespaces this host lets us create (a container may refuse some), probed once:
   * all of mount/pid/ipc/uts when possible, else each one that works on its own.
   */
  namespaceFlags(): string[] {
    if (this.namespaces !== undefined) return this.namespaces;
    const works = (flags: string[]): boolean => {
      try {
        execFileSync(this.unsharePath, [...flags, "--", "/bin/true"], { stdio: "ignore", timeout: 10_000 });
        return true;
      } catch {
        return false;
      }
    };
    const all = ["--mount", "--pid", "--ipc", "--uts"];
    let chosen = works([...all, "--fork", "--mount-proc"])
      ? all
      : all.filter((f) => works(f === "--pid" ? [f, "--fork"] : [f]));
    // A private /proc needs both a mount and a PID namespace.
    const procFlags = chosen.includes("--mount") && chosen.includes("--pid") ? ["--mount-proc"] : [];
    chosen = [...chosen, "--fork", ...procFlags];
    this.namespaces = chosen;
    return chosen;
  }

  private layout(): CgroupLayout | undefined {
    try {
      return detectCgroupLayout(this.cgroupRoot);
    } catch {
      return undefined;
    }
  }

  protected async plan(task: TaskConfig): Promise<LaunchPlan> {
    const { command, args } = commandFromConfig(task.driverConfig);
    const layout = this.layout();
    if (layout === undefined) throw new Error(NO_CGROUP_MOUNT);
    const user = resolveUser(task.user === "" ? this.defaultUser : task.user);
    // The task's secrets are for its user only.
    await chown(path.join(task.taskDir, TASK_SECRETS), user.uid, user.gid);
    const cg = await createTaskCgroup(layout, this.cgroupParent, cgroupName(task.allocID, task.name), {
      memoryMB: task.resources.memoryMB,
      memoryMaxMB: task.resources.memoryMaxMB,
      cpuShares: task.resources.cpuShares,
    });
    // The wrapper shell joins the cgroups, then becomes unshare, which forks the task as
    // PID 1 of the new namespace; --kill-child takes the task down if unshare is killed.
    const joinAndExec =
      'while [ "$1" != "--" ]; do echo $$ > "$1" || exit 126; shift; done; shift; exec "$@"';
    const dropPrivileges =
      user.uid === 0 && user.gid === 0
        ? []
        : [this.setprivPath, `--reuid=${user.uid}`, `--regid=${user.gid}`, "--init-groups", "--"];
    return {
      command: this.shellPath,
      args: [
        "-c",
        joinAndExec,
        "nomad-exec",
        ...cg.procsFiles,
        "--",
        this.unsharePath,
        ...this.namespaceFlags(),
        "--kill-child",
        "--",
        ...dropPrivileges,
        command,
        ...args,
      ],
      oomEventsPath: cg.oomEventsPath,
      driverState: { cgroup: cg },
    };
  }

  // The handle's pid is `unshare`, which neither forwards signals nor survives them (and
  // its death SIGKILLs the task): signals go to the task's own processes in the cgroup.

  protected override async sendSignal(handle: TaskHandle, sig: NodeJS.Signals): Promise<void> {
    const pids = await this.taskPids(handle);
    // The task's main process is the one unshare forked (PID 1 of the namespace).
    const main = pids.find((p) => readParentPid(p) === handle.pid);
    if (main !== undefined) killPid(main, sig);
  }

  protected override async sendStopSignal(handle: TaskHandle, sig: NodeJS.Signals): Promise<void> {
    // unshare cannot re-raise a SIGKILL its child died of (it exits 1 instead): SIGKILL it
    // too, so the exit is reported as signal 9.
    if (sig === "SIGKILL") killPid(handle.pid, sig);
    for (const pid of await this.taskPids(handle)) killPid(pid, sig);
  }

  protected override adjustExit(result: ExitResult): ExitResult {
    // The OOM killer SIGKILLs the task; unshare cannot re-raise SIGKILL and exits 1. Report
    // it as Nomad does: killed by signal 9.
    if (result.oomKilled && result.signal === 0 && result.exitCode === 1)
      return { ...result, exitCode: 137, signal: 9 };
    return result;
  }

  private async taskPids(handle: TaskHandle): Promise<number[]> {
    const cg = cgroupOf(handle);
    if (cg === undefined || cg.procsFiles[0] === undefined) return [];
    return (await cgroupPids(cg.procsFiles[0])).filter((p) => p !== handle.pid);
  }

  protected override async killRemaining(handle: TaskHandle): Promise<void> {
    const cg = cgroupOf(handle);
    if (cg === undefined) return;
    for (const file of cg.procsFiles) for (const pid of await cgroupPids(file)) killPid(pid, "SIGKILL");
  }

  protected override async release(handle: TaskHandle): Promise<void> {
    const cg = cgroupOf(handle);
    if (cg === undefined) return;
    await this.killRemaining(handle);
    await removeTaskCgroup(cg.dirs);
  }
}

export function cgroupName(allocID: string, task: string): string {
  return `${allocID}-${task}`;
}

function cgroupOf(handle: Pick<TaskHandle, "driverState">): TaskCgroup | undefined {
  const cg = handle.driverState?.["cgroup"] as TaskCgroup | undefined;
  return cg !== undefined && Array.isArray(cg.dirs) ? cg : undefined;
}
