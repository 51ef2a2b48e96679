// A stand-in for the client around ClientGc: real AllocRunners (mock_driver and raw_exec),
// a real alloc dir and FileStateStore in a temp dir, a fake clock for the GC's timer and
// the terminal dates, and a scripted disk-usage probe.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Allocation } from "@nomad/structs";
import { AllocRunner } from "../../src/allocrunner/index.js";
import { DriverRegistry, MockDriver, RawExecDriver } from "../../src/drivers/index.js";
import { ClientGc, type ClientGcSettings, type GcAllocEntry } from "../../src/gc/index.js";
import type { DiskUsage } from "../../src/gc/index.js";
import type { Logger, LogFields } from "../../src/logger.js";
import type { ClientClock } from "../../src/node/clock.js";
import { FileStateStore } from "../../src/state/file-state-store.js";
import { makeAlloc, makeNode, type TaskSpec } from "../allocrunner/fixtures.js";

/** Timers fire only when the test advances time. */
export class FakeClock implements ClientClock {
  private now = 1_700_000_000_000;
  private timers: { atMs: number; fn: () => void; id: number }[] = [];
  private nextId = 0;
  nowMs(): number {
    return this.now;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.nextId;
    this.timers.push({ atMs: this.now + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  random(): number {
    return 0;
  }
  pendingTimers(): number {
    return this.timers.length;
  }
  advance(ms: number): void {
    this.now += ms;
    for (;;) {
      const due = this.timers.filter((t) => t.atMs <= this.now).sort((a, b) => a.atMs - b.atMs)[0];
      if (due === undefined) return;
      this.timers = this.timers.filter((t) => t !== due);
      due.fn();
    }
  }
}

export interface LogLine {
  level: string;
  message: string;
  fields: LogFields | undefined;
}

export function recordingLogger(lines: LogLine[]): Logger {
  const log =
    (level: string) =>
    (message: string, fields?: LogFields): void => {
      lines.push({ level, message, fields });
    };
  const logger: Logger = {
    trace: log("trace"),
    debug: log("debug"),
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
    named: () => logger,
  };
  return logger;
}

export async function waitFor(pred: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const SETTINGS: ClientGcSettings = {
  intervalMs: 60_000,
  diskUsageThreshold: 80,
  inodeUsageThreshold: 70,
  maxAllocs: 50,
  parallelDestroys: 2,
};

/** An alloc ID whose order among the test's IDs is `n`. */
export function allocID(n: number): string {
  return `${n.toString(16).padStart(8, "0")}-0000-4000-8000-${process.pid.toString(16).padStart(12, "0")}`;
}

const FINISHES: TaskSpec = { name: "web", driver: "mock_driver", config: { run_for: "1ms", exit_code: 0 } };
const RUNS: TaskSpec = { name: "web", driver: "mock_driver", config: {} };
const TRUE: TaskSpec = { name: "web", driver: "raw_exec", config: { command: "/bin/true" } };

export class GcHarness {
  readonly entries = new Map<string, GcAllocEntry & { runner: AllocRunner }>();
  readonly released: string[] = [];
  /** The last status each runner reported (what the client and the GC hear). */
  readonly reported = new Map<string, string>();
  readonly clock = new FakeClock();
  readonly logs: LogLine[] = [];
  usage: DiskUsage = { diskUsedPercent: 10, inodesUsedPercent: 10 };
  /** When set, the probe's answer is computed at each call. */
  usageFn: (() => DiskUsage) | undefined;
  probes = 0;
  readonly drivers = new DriverRegistry([
    new RawExecDriver({ enabled: true }),
    new MockDriver({ enabled: true }),
  ]);
  gc!: ClientGc;

  private constructor(
    readonly root: string,
    readonly allocDir: string,
    readonly state: FileStateStore,
  ) {}

  static async create(settings: Partial<ClientGcSettings> = {}): Promise<GcHarness> {
    const root = await mkdtemp(join(tmpdir(), "nomad-client-gc-"));
    const state = await FileStateStore.open(join(root, "client"));
    const h = new GcHarness(root, join(root, "alloc"), state);
    h.gc = new ClientGc({
      settings: { ...SETTINGS, ...settings },
      allocDir: h.allocDir,
      host: {
        allocs: () => h.entries.values(),
        release: (id) => {
          h.entries.delete(id);
          h.released.push(id);
        },
      },
      state,
      clock: h.clock,
      logger: recordingLogger(h.logs),
      diskUsage: async (path) => {
        if (path !== h.allocDir) throw new Error(`probed ${path}, not the alloc dir`);
        h.probes++;
        return h.usageFn?.() ?? h.usage;
      },
    });
    return h;
  }

  private async add(id: string, task: TaskSpec, jobType: "batch" | "service"): Promise<AllocRunner> {
    const alloc: Allocation = makeAlloc({
      id,
      jobType,
      restart: { Attempts: 0, DelayMs: 0, Mode: "fail" },
      tasks: [task],
    });
    await this.state.putAlloc(alloc);
    const runner = new AllocRunner({
      alloc,
      allocDir: this.allocDir,
      drivers: this.drivers,
      state: this.state,
      node: makeNode(),
      region: "global",
      logger: recordingLogger([]),
      onUpdate: (u) => {
        this.reported.set(u.ID, u.ClientStatus);
        this.gc.observe(u);
      },
    });
    this.entries.set(id, { alloc, runner });
    await runner.run();
    return runner;
  }

  /** A batch allocation whose task exits 0 at once; resolves when it is complete. */
  async finished(id: string, driver: "mock_driver" | "raw_exec" = "mock_driver"): Promise<AllocRunner> {
    const r = await this.add(id, driver === "raw_exec" ? TRUE : FINISHES, "batch");
    // The report, not clientStatus(): the GC dates the end from the report.
    await waitFor(() => this.reported.get(id) === "complete", `${id} reported complete`);
    return r;
  }

  /** A service allocation whose task runs until killed; resolves when it is running. */
  async running(id: string): Promise<AllocRunner> {
    const r = await this.add(id, RUNS, "service");
    await waitFor(() => this.reported.get(id) === "running", `${id} reported running`);
    return r;
  }

  allocDirExists(id: string): boolean {
    return existsSync(join(this.allocDir, id));
  }

  async persistedIDs(): Promise<string[]> {
    const { allocs } = await this.state.loadAll();
    return allocs.map((a) => a.alloc.ID).sort();
  }

  collectedLogged(): string[] {
    return this.logs
      .filter((l) => l.message === "garbage collecting allocation")
      .map((l) => String(l.fields?.["alloc_id"]));
  }

  async close(): Promise<void> {
    await this.gc.stop();
    await Promise.all([...this.entries.values()].map((e) => e.runner.destroy()));
    await this.state.close();
    await rm(this.root, { recursive: true, force: true });
  }
}
