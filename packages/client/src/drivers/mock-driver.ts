// mock_driver: Nomad's test driver, no processes. The task `config` scripts its behaviour:
//   start_error / start_error_recoverable  fail the start
//   start_block_for                        delay the start
//   run_for                                exit after this long (absent: run until stopped)
//   exit_code / exit_signal / exit_err_msg how it exits
//   kill_after                             how long it takes to die after the kill signal
//   signal_error                           error returned by signal()
//   stdout_string, stdout_repeat, stdout_repeat_duration   output written to the task's log
// Durations are Go strings ("10s") or integer nanoseconds.

import { DRIVER_HEALTHY } from "@nomad/fingerprint";
import { NS_PER_MS, parseDurationNs } from "@nomad/structs";
import { BYTES_PER_MB, FileRotatorImpl, logBaseName } from "../logs/index.js";
import { systemClock, type RunnerClock } from "./clock.js";
import { normalizeSignal } from "./proc.js";
import {
  DriverStartError,
  UnknownTaskError,
  type DriverFingerprint,
  type ExitResult,
  type TaskConfig,
  type TaskDriver,
  type TaskHandle,
} from "./types.js";
import { constants } from "node:os";

export interface MockTaskConfig {
  startError?: string | undefined;
  startErrorRecoverable: boolean;
  startBlockForMs: number;
  runForMs?: number | undefined;
  exitCode: number;
  exitSignal: number;
  exitErrMsg?: string | undefined;
  killAfterMs: number;
  signalError?: string | undefined;
  stdoutString?: string | undefined;
  stdoutRepeat: number;
  stdoutRepeatMs: number;
}

export function parseMockConfig(config: Record<string, unknown>): MockTaskConfig {
  const dur = (key: string): number | undefined => {
    const v = config[key];
    if (v === undefined || v === null || v === "") return undefined;
    if (typeof v === "number" && Number.isFinite(v) && v >= 0) return v / NS_PER_MS;
    if (typeof v === "string") {
      try {
        return parseDurationNs(v) / NS_PER_MS;
      } catch (e) {
        throw new DriverStartError(`config.${key}: ${(e as Error).message}`, false);
      }
    }
    throw new DriverStartError(`config.${key}: must be a duration`, false);
  };
  const int = (key: string, dflt: number): number => {
    const v = config[key];
    if (v === undefined || v === null) return dflt;
    const n = typeof v === "string" ? Number(v) : v;
    if (typeof n !== "number" || !Number.isInteger(n))
      throw new DriverStartError(`config.${key}: must be an integer`, false);
    return n;
  };
  const str = (key: string): string | undefined => {
    const v = config[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") throw new DriverStartError(`config.${key}: must be a string`, false);
    return v;
  };
  const exitSignalRaw = config["exit_signal"];
  let exitSignal = 0;
  if (typeof exitSignalRaw === "string" && exitSignalRaw !== "") {
    exitSignal = constants.signals[normalizeSignal(exitSignalRaw, "config.exit_signal")];
  } else exitSignal = int("exit_signal", 0);
  return {
    startError: str("start_error"),
    startErrorRecoverable: config["start_error_recoverable"] === true,
    startBlockForMs: dur("start_block_for") ?? 0,
    runForMs: dur("run_for"),
    exitCode: int("exit_code", 0),
    exitSignal,
    exitErrMsg: str("exit_err_msg"),
    killAfterMs: dur("kill_after") ?? 0,
    signalError: str("signal_error"),
    stdoutString: str("stdout_string"),
    stdoutRepeat: int("stdout_repeat", 0),
    stdoutRepeatMs: dur("stdout_repeat_duration") ?? 0,
  };
}

interface MockTask {
  handle: TaskHandle;
  config: MockTaskConfig;
  exit: Promise<ExitResult>;
  result: ExitResult | undefined;
  settle(r: ExitResult): void;
  timers: unknown[];
  killing: boolean;
}

export interface MockDriverOptions {
  enabled?: boolean;
  clock?: RunnerClock;
  /** Scripted fingerprint (a test makes the driver unhealthy). */
  fingerprint?: DriverFingerprint;
}

export class MockDriver implements TaskDriver {
  readonly name = "mock_driver";
  private readonly tasks = new Map<string, MockTask>();
  private readonly clock: RunnerClock;
  private readonly enabled: boolean;
  private scripted: DriverFingerprint | undefined;
  /** Every signal delivered, for assertions. */
  readonly signals: { taskID: string; signal: string }[] = [];

  constructor(options: MockDriverOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.enabled = options.enabled ?? true;
    this.scripted = options.fingerprint;
  }

  setFingerprint(fp: DriverFingerprint | undefined): void {
    this.scripted = fp;
  }

  fingerprint(): DriverFingerprint {
    if (!this.enabled) return { health: "undetected", healthDescription: "disabled", attributes: {} };
    return (
      this.scripted ?? {
        health: "healthy",
        healthDescription: DRIVER_HEALTHY,
        attributes: { "driver.mock_driver": "true" },
      }
    );
  }

  async start(task: TaskConfig): Promise<TaskHandle> {
    const config = parseMockConfig(task.driverConfig);
    if (config.startBlockForMs > 0)
      await new Promise((r) => this.clock.setTimeout(() => r(undefined), config.startBlockForMs));
    if (config.startError !== undefined)
      throw new DriverStartError(config.startError, config.startErrorRecoverable);
    const handle: TaskHandle = {
      version: 1,
      driver: this.name,
      taskID: task.id,
      pid: 0,
      pgid: 0,
      startTicks: "",
      supervisorPid: 0,
      supervisorStartTicks: "",
      stateDir: "",
      startedAtMs: this.clock.nowMs(),
      driverState: { config: task.driverConfig, logs: task.logs, taskName: task.name },
    };
    this.track(handle, config, true);
    return handle;
  }

  async recover(handle: TaskHandle): Promise<boolean> {
    if (this.tasks.has(handle.taskID)) return true;
    if (handle.driver !== this.name) return false;
    const config = parseMockConfig((handle.driverState["config"] ?? {}) as Record<string, unknown>);
    this.track(handle, config, false);
    return true;
  }

  wait(taskID: string): Promise<ExitResult> {
    const t = this.tasks.get(taskID);
    if (t === undefined) return Promise.reject(new UnknownTaskError(taskID));
    return t.exit;
  }

  async stop(taskID: string, signal: string, timeoutMs: number): Promise<void> {
    const t = this.mustGet(taskID);
    if (t.result !== undefined) return;
    this.signals.push({ taskID, signal: normalizeSignal(signal) });
    if (!t.killing) {
      t.killing = true;
      t.timers.push(
        this.clock.setTimeout(
          () =>
            t.settle({ exitCode: 0, signal: constants.signals[normalizeSignal(signal)], oomKilled: false }),
          t.config.killAfterMs,
        ),
      );
    }
    await new Promise<void>((resolve) => {
      const timer = this.clock.setTimeout(() => {
        t.settle({ exitCode: 128 + 9, signal: 9, oomKilled: false });
        resolve();
      }, timeoutMs);
      void t.exit.then(() => {
        this.clock.clearTimeout(timer);
        resolve();
      });
    });
  }

  async signal(taskID: string, signal: string): Promise<void> {
    const t = this.mustGet(taskID);
    this.signals.push({ taskID, signal: normalizeSignal(signal, "signal") });
    if (t.config.signalError !== undefined) throw new Error(t.config.signalError);
  }

  detach(taskID: string): void {
    const t = this.tasks.get(taskID);
    if (t === undefined) return;
    for (const timer of t.timers) this.clock.clearTimeout(timer);
    this.tasks.delete(taskID);
  }

  async destroy(taskID: string): Promise<void> {
    const t = this.tasks.get(taskID);
    if (t === undefined) return;
    t.settle({ exitCode: 128 + 9, signal: 9, oomKilled: false });
    this.tasks.delete(taskID);
  }

  private mustGet(taskID: string): MockTask {
    const t = this.tasks.get(taskID);
    if (t === undefined) throw new UnknownTaskError(taskID);
    return t;
  }

  private track(handle: TaskHandle, config: MockTaskConfig, fresh: boolean): void {
    let resolve!: (r: ExitResult) => void;
    const exit = new Promise<ExitResult>((r) => {
      resolve = r;
    });
    const t: MockTask = {
      handle,
      config,
      exit,
      result: undefined,
      timers: [],
      killing: false,
      settle: (r) => {
        if (t.result !== undefined) return;
        t.result = r;
        for (const timer of t.timers) this.clock.clearTimeout(timer);
        resolve(r);
      },
    };
    this.tasks.set(handle.taskID, t);
    if (config.runForMs !== undefined) {
      const remaining = Math.max(0, handle.startedAtMs + config.runForMs - this.clock.nowMs());
      const result: ExitResult = { exitCode: config.exitCode, signal: config.exitSignal, oomKilled: false };
      if (config.exitErrMsg !== undefined) result.err = config.exitErrMsg;
      t.timers.push(this.clock.setTimeout(() => t.settle(result), remaining));
    }
    if (fresh && config.stdoutString !== undefined) this.writeStdout(t);
  }

  private writeStdout(t: MockTask): void {
    const logs = t.handle.driverState["logs"] as TaskConfig["logs"];
    const taskName = t.handle.driverState["taskName"] as string;
    if (logs.disabled) return;
    const writer = new FileRotatorImpl({
      dir: logs.dir,
      baseName: logBaseName(taskName, "stdout"),
      maxFiles: logs.maxFiles,
      maxFileSizeBytes: Math.max(1, Math.round(logs.maxFileSizeMB * BYTES_PER_MB)),
    });
    const data = Buffer.from(t.config.stdoutString ?? "");
    let remaining = t.config.stdoutRepeat;
    const emit = (): void => {
      if (t.result !== undefined) {
        writer.close();
        return;
      }
      writer.write(data);
      if (remaining <= 0) {
        writer.close();
        return;
      }
      remaining -= 1;
      t.timers.push(this.clock.setTimeout(emit, t.config.stdoutRepeatMs));
    };
    emit();
  }
}
