// A task outlives the agent process that started it: the "agent" here is a child Node
// process, SIGKILLed mid-run; a new AllocRunner in this process restores from the persisted
// state, re-attaches to the same PID and learns the exit code.

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { AllocRunner } from "../../src/allocrunner/index.js";
import { DriverRegistry, RawExecDriver, sameProcessAlive } from "../../src/drivers/index.js";
import { silentLogger } from "../../src/logger.js";
import { eventually, processAlive, readLog } from "../drivers/helpers.js";
import { JsonFileStateStore, makeAlloc, makeNode } from "./fixtures.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../../../..");
const roots: string[] = [];
const children: ChildProcess[] = [];
const runners: AllocRunner[] = [];
const stores: { store: JsonFileStateStore; allocID: string }[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const r of runners.splice(0)) await r.destroy();
  // A test that failed before restoring leaves the task of the killed agent: end it by handle.
  for (const { store, allocID } of stores.splice(0)) {
    const h = (await store.getTaskState(allocID, "web"))?.handle;
    if (h !== undefined && sameProcessAlive(h.pid, h.startTicks)) process.kill(-h.pgid, "SIGKILL");
  }
  for (const d of roots.splice(0)) await rm(d, { recursive: true, force: true });
});

/** Starts the child agent and resolves with the task's PID once it reports RUNNING. */
async function startChildAgent(
  allocDir: string,
  stateDir: string,
  allocFile: string,
): Promise<{ child: ChildProcess; pid: number }> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--conditions=@nomad/source",
      path.join(here, "agent-child.ts"),
      allocDir,
      stateDir,
      allocFile,
    ],
    { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
  );
  children.push(child);
  let out = "";
  let err = "";
  child.stderr!.on("data", (b: Buffer) => (err += b.toString()));
  const pid = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`child agent did not report RUNNING; stderr: ${err}`)),
      60_000,
    );
    child.stdout!.on("data", (b: Buffer) => {
      out += b.toString();
      const m = /RUNNING (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`child agent exited with ${code}; stderr: ${err}`));
    });
  });
  return { child, pid };
}

async function killChild(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await exited;
}

async function fixture() {
  const root = await mkdtemp(path.join(tmpdir(), "nomad-restore-"));
  roots.push(root);
  const allocDir = path.join(root, "alloc");
  const stateDir = path.join(root, "state");
  const alloc = makeAlloc({
    restart: { Attempts: 0, DelayMs: 10, Mode: "fail" },
    tasks: [
      {
        name: "web",
        config: {
          command: "/bin/sh",
          args: [
            "-c",
            'echo started; while [ ! -e "$NOMAD_ALLOC_DIR/go" ]; do sleep 0.05; done; echo "after agent death"; exit 5',
          ],
        },
      },
    ],
  });
  const allocFile = path.join(root, "alloc.json");
  await writeFile(allocFile, JSON.stringify(alloc));
  const store = new JsonFileStateStore(stateDir);
  stores.push({ store, allocID: alloc.ID });
  const restoreRunner = () => {
    const r = new AllocRunner({
      alloc: store.getAlloc(alloc.ID)!,
      allocDir,
      drivers: new DriverRegistry([new RawExecDriver({ enabled: true })]),
      state: store,
      node: makeNode(),
      region: "global",
      logger: silentLogger,
      onUpdate: () => undefined,
    });
    runners.push(r);
    return r;
  };
  const shared = path.join(allocDir, alloc.ID, "alloc");
  return { allocDir, stateDir, allocFile, alloc, store, restoreRunner, shared };
}

describe("restore across agent processes", { timeout: 120_000 }, () => {
  it("a task survives its agent being SIGKILLed; restore in a new process re-attaches to the same PID and learns its exit code", async () => {
    const f = await fixture();
    const { child, pid } = await startChildAgent(f.allocDir, f.stateDir, f.allocFile);
    await killChild(child);
    expect(processAlive(pid)).toBe(true);

    const runner = f.restoreRunner();
    await runner.restore();
    const st = runner.clientStatus();
    expect(st.ClientStatus).toBe("running");
    expect(st.TaskStates["web"]!.Events.filter((e) => e.Type === "Started")).toHaveLength(1);
    expect((await f.store.getTaskState(f.alloc.ID, "web"))!.handle!.pid).toBe(pid);

    await writeFile(path.join(f.shared, "go"), "");
    await runner.done();
    const done = runner.clientStatus();
    expect(done.ClientStatus).toBe("failed");
    const events = done.TaskStates["web"]!.Events;
    expect(events.filter((e) => e.Type === "Started")).toHaveLength(1);
    expect(events.find((e) => e.Type === "Terminated")!.ExitCode).toBe(5);
    expect(await readLog(path.join(f.shared, "logs"), "web.stdout.0")).toBe("started\nafter agent death\n");
  });

  it("a task that exits while no agent runs keeps logging, and the restored runner learns its exit code", async () => {
    const f = await fixture();
    const { child, pid } = await startChildAgent(f.allocDir, f.stateDir, f.allocFile);
    await killChild(child);
    await writeFile(path.join(f.shared, "go"), "");
    await eventually(() => !processAlive(pid), 20_000, "the task to exit while the agent is down");
    await eventually(
      () => existsSync(path.join(f.allocDir, f.alloc.ID, "web", "private", "supervisor", "exit-status.json")),
      20_000,
      "the supervisor to record the exit",
    );
    expect(await readLog(path.join(f.shared, "logs"), "web.stdout.0")).toBe("started\nafter agent death\n");

    const runner = f.restoreRunner();
    await runner.restore();
    await runner.done();
    const events = runner.clientStatus().TaskStates["web"]!.Events;
    expect(events.filter((e) => e.Type === "Started")).toHaveLength(1);
    expect(events.find((e) => e.Type === "Terminated")!.ExitCode).toBe(5);
    expect(runner.clientStatus().ClientStatus).toBe("failed");
  });
});
