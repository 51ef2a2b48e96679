// The per-task supervisor: a small detached Node process that owns one task process. It
// starts the task in its own session (so the task's process group can be signalled as a
// whole), writes the task's stdout/stderr into rotating log files, and records the exit
// status atomically in `exit-status.json`. Because it does not depend on the agent, a task
// keeps logging while the agent is down, and a restarted agent learns how it exited.
//
// `supervisorMain` must stay self-contained (no imports or outer references): its source
// text is written out as the supervisor script (see script.ts).

import type * as ChildProcessModule from "node:child_process";
import type * as FsModule from "node:fs";
import type * as OsModule from "node:os";
import type * as PathModule from "node:path";
import type { FileRotatorClass } from "../logs/file-rotator.js";

export interface SupervisorSpec {
  /** The driver's task ID, so a task whose handle was never persisted can be adopted. */
  taskID: string;
  driver: string;
  driverState: Record<string, unknown>;
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  uid?: number | undefined;
  gid?: number | undefined;
  stateDir: string;
  logs: {
    dir: string;
    stdoutBase: string;
    stderrBase: string;
    maxFiles: number;
    maxFileSizeBytes: number;
    disabled: boolean;
  };
  /** cgroup v1 `memory.oom_control` or v2 `memory.events`: read after exit to report OOM kills. */
  oomEventsPath?: string | undefined;
  /** How long to keep reading output after the task exits (grandchildren may hold the pipes). */
  drainMs: number;
}

export interface StartedRecord {
  pid?: number;
  startTicks?: string;
  supervisorPid?: number;
  supervisorStartTicks?: string;
  startedAtMs?: number;
  error?: string;
}

export interface ExitRecord {
  exitCode: number;
  signal: number;
  oomKilled: boolean;
  err?: string;
  finishedAtMs: number;
}

export const STARTED_FILE = "started.json";
export const EXIT_STATUS_FILE = "exit-status.json";
export const SPEC_FILE = "supervisor-spec.json";

export function supervisorMain(
  req: (id: string) => unknown,
  specPath: string,
  defineRotator: (fs: unknown, path: unknown) => FileRotatorClass,
): void {
  // `req` is the script's CommonJS require: the supervisor runs as a plain .cjs file.
  const fs = req("fs") as typeof FsModule;
  const path = req("path") as typeof PathModule;
  const cp = req("child_process") as typeof ChildProcessModule;
  const os = req("os") as typeof OsModule;

  const spec = JSON.parse(fs.readFileSync(specPath, "utf8")) as SupervisorSpec;
  const writeAtomic = (name: string, value: unknown): void => {
    const target = path.join(spec.stateDir, name);
    const tmp = target + ".tmp";
    const fd = fs.openSync(tmp, "w", 0o600);
    fs.writeSync(fd, JSON.stringify(value));
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, target);
  };
  let finished = false;
  const finish = (record: Omit<ExitRecord, "finishedAtMs">): void => {
    if (finished) return;
    finished = true;
    try {
      writeAtomic("exit-status.json", { ...record, finishedAtMs: Date.now() });
    } finally {
      process.exit(0);
    }
  };
  process.on("uncaughtException", (e: Error) => {
    finish({ exitCode: -1, signal: 0, oomKilled: false, err: "supervisor: " + String(e && e.message) });
  });
  // The task's stop signal may reach us too (an operator signalling the whole tree): the
  // supervisor must outlive the task to record its exit, so it ignores catchable signals.
  for (const s of ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGPIPE"]) {
    process.on(s as NodeJS.Signals, () => undefined);
  }

  const readStartTicks = (pid: number): string => {
    try {
      const stat = fs.readFileSync("/proc/" + String(pid) + "/stat", "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return fields[19] ?? "";
    } catch {
      return "";
    }
  };
  const oomKills = (): number => {
    if (spec.oomEventsPath === undefined) return 0;
    try {
      const text = fs.readFileSync(spec.oomEventsPath, "utf8");
      const m = /(?:^|\n)oom_kill (\d+)/.exec(text);
      return m ? Number(m[1]) : 0;
    } catch {
      return 0;
    }
  };
  const oomBefore = oomKills();

  const Rotator = defineRotator(fs, path);
  const makeSink = (base: string): { write(b: Uint8Array): void; close(): void } => {
    if (spec.logs.disabled) return { write: () => undefined, close: () => undefined };
    return new Rotator({
      dir: spec.logs.dir,
      baseName: base,
      maxFiles: spec.logs.maxFiles,
      maxFileSizeBytes: spec.logs.maxFileSizeBytes,
    });
  };
  const out = makeSink(spec.logs.stdoutBase);
  const err = makeSink(spec.logs.stderrBase);

  const child = cp.spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    uid: spec.uid,
    gid: spec.gid,
  });
  let spawned = false;
  child.on("error", (e: Error) => {
    if (!spawned) {
      writeAtomic("started.json", { error: e.message });
      finish({ exitCode: -1, signal: 0, oomKilled: false, err: e.message });
    }
  });
  child.on("spawn", () => {
    spawned = true;
    const pid = child.pid as number;
    writeAtomic("started.json", {
      pid,
      startTicks: readStartTicks(pid),
      supervisorPid: process.pid,
      supervisorStartTicks: readStartTicks(process.pid),
      startedAtMs: Date.now(),
    });
  });
  let openStreams = 2;
  let exited: Omit<ExitRecord, "finishedAtMs"> | undefined;
  const maybeFinish = (): void => {
    if (exited === undefined || openStreams > 0) return;
    out.close();
    err.close();
    finish(exited);
  };
  const pump = (stream: NodeJS.ReadableStream, sink: { write(b: Uint8Array): void }): void => {
    stream.on("data", (b: Uint8Array) => sink.write(b));
    stream.on("close", () => {
      openStreams -= 1;
      maybeFinish();
    });
  };
  pump(child.stdout as NodeJS.ReadableStream, out);
  pump(child.stderr as NodeJS.ReadableStream, err);
  child.on("exit", (code: number | null, signalName: string | null) => {
    const signal =
      signalName === null ? 0 : ((os.constants.signals as Record<string, number>)[signalName] ?? 0);
    // As Nomad's executor: a signalled process reports 128 + signal as its exit code.
    const exitCode = code !== null ? code : 128 + signal;
    const oomKilled = oomKills() > oomBefore;
    exited = { exitCode, signal, oomKilled };
    const drain = setTimeout(() => {
      openStreams = 0;
      maybeFinish();
    }, spec.drainMs);
    drain.unref();
    maybeFinish();
  });
}
