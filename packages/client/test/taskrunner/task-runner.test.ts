import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AllocDir } from "../../src/allocdir/index.js";
import { MemoryAllocStateStore } from "../../src/allocrunner/index.js";
import { RawExecDriver, systemClock, type TaskDriver } from "../../src/drivers/index.js";
import { silentLogger } from "../../src/logger.js";
import { TaskRunner } from "../../src/taskrunner/index.js";
import { eventually, processAlive, readLog } from "../drivers/helpers.js";
import { makeAlloc, makeNode, type AllocSpec } from "../allocrunner/fixtures.js";

const roots: string[] = [];
const runners: TaskRunner[] = [];
afterEach(async () => {
  for (const r of runners.splice(0)) await r.kill();
  for (const d of roots.splice(0)) await rm(d, { recursive: true, force: true });
});

async function runner(spec: AllocSpec, driver: TaskDriver = new RawExecDriver({ enabled: true })) {
  const root = await mkdtemp(path.join(tmpdir(), "nomad-tr-"));
  roots.push(root);
  const alloc = makeAlloc(spec);
  const job = alloc.Job!;
  const group = job.TaskGroups[0]!;
  const store = new MemoryAllocStateStore();
  const allocDir = new AllocDir(root, alloc.ID);
  const r = new TaskRunner({
    alloc,
    job,
    group,
    task: group.Tasks[0]!,
    allocDir,
    driver,
    state: store,
    node: makeNode(),
    region: "global",
    logger: silentLogger,
    clock: systemClock,
    random: () => 0,
    onChange: () => undefined,
  });
  runners.push(r);
  return { r, store, alloc, allocDir };
}

const types = (r: TaskRunner): string[] => r.state().Events.map((e) => e.Type);

describe("task runner", () => {
  it("a batch task that exits 0 is dead, not failed, with Nomad's event sequence and RFC 3339 times", async () => {
    const { r, store, alloc, allocDir } = await runner({
      jobType: "batch",
      tasks: [{ name: "hello", config: { command: "/bin/sh", args: ["-c", "echo hello $NOMAD_TASK_NAME"] } }],
    });
    await r.run();
    const st = r.state();
    expect(st.State).toBe("dead");
    expect(st.Failed).toBe(false);
    expect(types(r)).toEqual(["Received", "Task Setup", "Started", "Terminated", "Not Restarting"]);
    expect(st.Events.map((e) => e.DisplayMessage)).toEqual([
      "Task received by client",
      "Building Task Directory",
      "Task started by client",
      "Exit Code: 0",
      "Restart unnecessary as task terminated successfully",
    ]);
    expect(st.StartedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(Date.parse(st.FinishedAt)).toBeGreaterThanOrEqual(Date.parse(st.StartedAt));
    expect(await readLog(allocDir.logsDir, "hello.stdout.0")).toBe("hello hello\n");
    const persisted = await store.getTaskState(alloc.ID, "hello");
    expect(persisted?.taskState.State).toBe("dead");
    expect(persisted?.handle).toBeUndefined();
  });

  it("restarts a failing task `attempts` times, then marks it failed (mode fail)", async () => {
    const { r } = await runner({
      restart: { Attempts: 2, DelayMs: 20, Mode: "fail" },
      tasks: [{ name: "crash", config: { command: "/bin/sh", args: ["-c", "exit 3"] } }],
    });
    await r.run();
    const st = r.state();
    expect(st.State).toBe("dead");
    expect(st.Failed).toBe(true);
    expect(st.Restarts).toBe(2);
    expect(st.LastRestart).not.toBe("");
    // Nomad keeps the last 10 events.
    expect(types(r)).toEqual([
      "Task Setup",
      "Started",
      "Terminated",
      "Restarting",
      "Started",
      "Terminated",
      "Restarting",
      "Started",
      "Terminated",
      "Not Restarting",
    ]);
    const last = st.Events.at(-1)!;
    expect(last.DisplayMessage).toBe('Exceeded allowed attempts 2 in interval 10m0s and mode is "fail"');
    expect(last.FailsTask).toBe(true);
    expect(st.Events.find((e) => e.Type === "Terminated")!.ExitCode).toBe(3);
    expect(st.Events.find((e) => e.Type === "Restarting")!.DisplayMessage).toBe("Task restarting in 20ms");
  });

  it("a start failure is a Driver Failure event and fails the task when not recoverable", async () => {
    const { r } = await runner({
      restart: { Attempts: 0, DelayMs: 20, Mode: "fail" },
      tasks: [{ name: "bad", config: { args: [] } }],
    });
    await r.run();
    expect(r.state().Failed).toBe(true);
    const failure = r.state().Events.find((e) => e.Type === "Driver Failure")!;
    expect(failure.DisplayMessage).toMatch(/config\.command/);
  });

  it("kill sends kill_signal, waits kill_timeout, then SIGKILLs; events Killing, Terminated, Killed", async () => {
    const { r, allocDir } = await runner({
      tasks: [
        {
          name: "stubborn",
          killTimeoutMs: 300,
          killSignal: "SIGTERM",
          config: {
            command: "/bin/sh",
            args: ["-c", 'trap "echo got-term" TERM; echo ready; while true; do sleep 0.05; done'],
          },
        },
      ],
    });
    void r.run();
    // The task may print before the runner has its handle: wait for both.
    await eventually(
      async () =>
        r.currentHandle() !== undefined &&
        (await readLog(allocDir.logsDir, "stubborn.stdout.0")).includes("ready"),
    );
    const pid = r.currentHandle()!.pid;
    const t0 = Date.now();
    await r.kill();
    const st = r.state();
    const why = JSON.stringify(st.Events.map((e) => [e.Type, e.DisplayMessage]));
    expect(Date.now() - t0, why).toBeGreaterThanOrEqual(290);
    expect(processAlive(pid), why).toBe(false);
    expect(st.State).toBe("dead");
    expect(st.Failed).toBe(false);
    expect(types(r).slice(-3)).toEqual(["Killing", "Terminated", "Killed"]);
    expect(st.Events.at(-3)!.DisplayMessage).toBe("Sent interrupt. Waiting 300ms before force killing");
    expect(st.Events.at(-2)!.DisplayMessage).toBe("Exit Code: 137, Signal: 9");
    expect(await readLog(allocDir.logsDir, "stubborn.stdout.0")).toContain("got-term");
  });

  it("the kill timeout is capped by the client's max_kill_timeout", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "nomad-tr-"));
    roots.push(root);
    const alloc = makeAlloc({
      tasks: [
        {
          name: "slow",
          killTimeoutMs: 60_000,
          config: {
            command: "/bin/sh",
            args: ["-c", 'trap "" INT; echo ready; while true; do sleep 0.05; done'],
          },
        },
      ],
    });
    const group = alloc.Job!.TaskGroups[0]!;
    const allocDir = new AllocDir(root, alloc.ID);
    const r = new TaskRunner({
      alloc,
      job: alloc.Job!,
      group,
      task: group.Tasks[0]!,
      allocDir,
      driver: new RawExecDriver({ enabled: true }),
      state: new MemoryAllocStateStore(),
      node: makeNode(),
      region: "global",
      logger: silentLogger,
      clock: systemClock,
      maxKillTimeoutMs: 200,
      onChange: () => undefined,
    });
    runners.push(r);
    void r.run();
    await eventually(async () => (await readLog(allocDir.logsDir, "slow.stdout.0")).includes("ready"));
    const t0 = Date.now();
    await r.kill();
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(r.state().Events.find((e) => e.Type === "Killing")!.DisplayMessage).toBe(
      "Sent interrupt. Waiting 200ms before force killing",
    );
  });
});
