import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { AllocClientUpdate } from "@nomad/structs";
import { afterEach, describe, expect, it } from "vitest";
import { mountPointsUnder } from "../../src/allocdir/index.js";
import {
  AllocRunner,
  MemoryAllocStateStore,
  type AllocStateStore,
  type PersistedTaskState,
} from "../../src/allocrunner/index.js";
import { DriverRegistry, MockDriver, RawExecDriver } from "../../src/drivers/index.js";
import { silentLogger } from "../../src/logger.js";
import { eventually, processAlive, readLog } from "../drivers/helpers.js";
import { makeAlloc, makeNode, type AllocSpec } from "./fixtures.js";

const roots: string[] = [];
const live: AllocRunner[] = [];
afterEach(async () => {
  for (const r of live.splice(0)) await r.destroy();
  for (const d of roots.splice(0)) await rm(d, { recursive: true, force: true });
});

async function setup(spec: AllocSpec, opts: { store?: AllocStateStore; root?: string } = {}) {
  const root = opts.root ?? (await mkdtemp(path.join(tmpdir(), "nomad-ar-")));
  if (opts.root === undefined) roots.push(root);
  const updates: AllocClientUpdate[] = [];
  const store = opts.store ?? new MemoryAllocStateStore();
  const alloc = makeAlloc(spec);
  const make = (a = alloc) =>
    new AllocRunner({
      alloc: a,
      allocDir: root,
      drivers: new DriverRegistry([new RawExecDriver({ enabled: true }), new MockDriver()]),
      state: store,
      node: makeNode(),
      region: "global",
      logger: silentLogger,
      onUpdate: (u) => updates.push(u),
      random: () => 0,
    });
  const runner = make();
  live.push(runner);
  return { root, updates, store, alloc, runner, make };
}

const statuses = (updates: AllocClientUpdate[]): string[] =>
  updates.map((u) => u.ClientStatus).filter((s, i, a) => i === 0 || a[i - 1] !== s);

describe("alloc runner", () => {
  it("builds Nomad's alloc dir layout with sane modes", async () => {
    const { runner, root, alloc } = await setup({
      jobType: "batch",
      tasks: [{ name: "t1", config: { command: "/bin/true" } }],
    });
    await runner.run();
    await runner.done();
    const base = path.join(root, alloc.ID);
    for (const d of [
      "alloc/data",
      "alloc/logs",
      "alloc/tmp",
      "t1/local",
      "t1/secrets",
      "t1/tmp",
      "t1/private",
    ]) {
      expect(existsSync(path.join(base, d)), d).toBe(true);
    }
    expect((await stat(path.join(base, "alloc/tmp"))).mode & 0o7777).toBe(0o1777);
    expect((await stat(path.join(base, "t1/secrets"))).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(base, "t1/local"))).mode & 0o777).toBe(0o777);
    expect(existsSync(path.join(base, "t1/alloc/logs"))).toBe(true);
  });

  it("reports pending, running, then complete for a batch alloc whose tasks succeed", async () => {
    const { runner, updates, store, alloc } = await setup({
      jobType: "batch",
      tasks: [
        { name: "a", config: { command: "/bin/sh", args: ["-c", "sleep 0.2"] } },
        { name: "b", driver: "mock_driver", config: { run_for: "300ms" } },
      ],
    });
    await runner.run();
    await runner.done();
    // A task may finish before its sibling has started on a loaded machine (the alloc is then
    // briefly pending again, as in Nomad): the sequence starts pending, runs, and completes.
    const seen = statuses(updates);
    expect(seen[0]).toBe("pending");
    expect(seen).toContain("running");
    expect(seen.at(-1)).toBe("complete");
    expect(seen).not.toContain("failed");
    const last = runner.clientStatus();
    expect(last.ClientDescription).toBe("All tasks have completed");
    expect(Object.keys(last.TaskStates).sort()).toEqual(["a", "b"]);
    expect((store as MemoryAllocStateStore).allocs.get(alloc.ID)?.ID).toBe(alloc.ID);
  });

  it("a failed task fails the alloc and kills its siblings (Sibling Task Failed)", async () => {
    const { runner, updates } = await setup({
      restart: { Attempts: 0, DelayMs: 10, Mode: "fail" },
      tasks: [
        { name: "bad", driver: "mock_driver", config: { run_for: "200ms", exit_code: 2 } },
        { name: "good", driver: "mock_driver", config: {} },
      ],
    });
    await runner.run();
    await runner.done();
    const st = runner.clientStatus();
    expect(st.ClientStatus).toBe("failed");
    expect(st.ClientDescription).toBe("Failed tasks");
    expect(st.TaskStates["good"]!.State).toBe("dead");
    expect(st.TaskStates["good"]!.Failed).toBe(false);
    expect(st.TaskStates["good"]!.Events.map((e) => e.Type)).toContain("Sibling Task Failed");
    expect(statuses(updates).at(-1)).toBe("failed");
  });

  it("a dead leader task kills the other tasks", async () => {
    const { runner } = await setup({
      jobType: "batch",
      tasks: [
        { name: "main", leader: true, driver: "mock_driver", config: { run_for: "100ms" } },
        { name: "sidecar", driver: "mock_driver", config: {} },
      ],
    });
    await runner.run();
    await runner.done();
    expect(runner.clientStatus().ClientStatus).toBe("complete");
    expect(runner.clientStatus().TaskStates["sidecar"]!.Events.map((e) => e.Type)).toContain(
      "Leader Task Dead",
    );
  });

  it("update with DesiredStatus stop kills the tasks and the alloc completes", async () => {
    const { runner, alloc, root } = await setup({
      tasks: [{ name: "web", config: { command: "/bin/sh", args: ["-c", "echo up; exec sleep 1000"] } }],
    });
    await runner.run();
    await eventually(() => runner.clientStatus().ClientStatus === "running");
    await eventually(async () =>
      (await readLog(path.join(root, alloc.ID, "alloc/logs"), "web.stdout.0")).includes("up"),
    );
    runner.update({ ...alloc, DesiredStatus: "stop" });
    await runner.done();
    const st = runner.clientStatus();
    expect(st.ClientStatus).toBe("complete");
    expect(st.TaskStates["web"]!.Events.map((e) => e.Type).slice(-3)).toEqual([
      "Killing",
      "Terminated",
      "Killed",
    ]);
  });

  it("shutdown leaves tasks running; restore re-attaches to the same PID without a new Started event", async () => {
    const { runner, make, store, alloc, root } = await setup({
      tasks: [
        {
          name: "web",
          config: {
            command: "/bin/sh",
            args: ["-c", `echo up; while [ ! -e ${"$"}NOMAD_ALLOC_DIR/stop ]; do sleep 0.05; done; exit 4`],
          },
        },
      ],
      restart: { Attempts: 0, DelayMs: 10, Mode: "fail" },
    });
    await runner.run();
    await eventually(() => runner.clientStatus().ClientStatus === "running");
    const before = (await store.getTaskState(alloc.ID, "web"))!;
    expect(before.handle).toBeDefined();
    await runner.shutdown();
    live.splice(live.indexOf(runner), 1);
    expect(processAlive(before.handle!.pid)).toBe(true);

    const again = make();
    live.push(again);
    await again.restore();
    expect(again.clientStatus().ClientStatus).toBe("running");
    const startedEvents = again.clientStatus().TaskStates["web"]!.Events.filter((e) => e.Type === "Started");
    expect(startedEvents).toHaveLength(1);
    expect((await store.getTaskState(alloc.ID, "web"))!.handle!.pid).toBe(before.handle!.pid);

    await writeFile(path.join(root, alloc.ID, "alloc", "stop"), "");
    await again.done();
    const st = again.clientStatus();
    expect(st.ClientStatus).toBe("failed");
    const term = st.TaskStates["web"]!.Events.find((e) => e.Type === "Terminated")!;
    expect(term.ExitCode).toBe(4);
  });

  it("destroy kills the tasks and removes the alloc dir and its persisted state", async () => {
    const { runner, alloc, root, store } = await setup({
      tasks: [{ name: "web", config: { command: "/bin/sleep", args: ["1000"] } }],
    });
    await runner.run();
    await eventually(() => runner.clientStatus().ClientStatus === "running");
    const pid = (await store.getTaskState(alloc.ID, "web"))!.handle!.pid;
    await runner.destroy();
    expect(processAlive(pid)).toBe(false);
    expect(existsSync(path.join(root, alloc.ID))).toBe(false);
    expect(await store.getTaskState(alloc.ID, "web")).toBeUndefined();
  });

  it("an alloc whose driver is missing fails with a Driver Failure", async () => {
    const { runner } = await setup({ tasks: [{ name: "x", driver: "docker", config: {} }] });
    await runner.run();
    await runner.done();
    const st = runner.clientStatus();
    expect(st.ClientStatus).toBe("failed");
    expect(st.TaskStates["x"]!.Events.find((e) => e.Type === "Driver Failure")!.DisplayMessage).toBe(
      'driver "docker" is not available on this node',
    );
  });

  it("restore with a handle whose process is gone records Failed Restoring Task and starts the task again", async () => {
    const store = new MemoryAllocStateStore();
    const { make, alloc } = await setup(
      { tasks: [{ name: "web", config: { command: "/bin/sleep", args: ["1000"] } }] },
      { store },
    );
    await store.putTaskState(alloc.ID, "web", {
      handle: {
        version: 1,
        driver: "raw_exec",
        taskID: `${alloc.ID}/web/gone`,
        pid: 2 ** 22 + 1,
        pgid: 2 ** 22 + 1,
        startTicks: "1",
        supervisorPid: 2 ** 22 + 1,
        supervisorStartTicks: "1",
        stateDir: "/nonexistent",
        startedAtMs: 0,
        driverState: {},
      },
      taskState: {
        State: "running",
        Failed: false,
        Restarts: 0,
        LastRestart: "",
        StartedAt: "2026-01-01T00:00:00.000Z",
        FinishedAt: "",
        Events: [],
      },
    });
    const runner = make();
    live.push(runner);
    await runner.restore();
    await eventually(
      async () => (await store.getTaskState(alloc.ID, "web"))?.handle?.taskID.endsWith("/gone") === false,
    );
    const types = runner.clientStatus().TaskStates["web"]!.Events.map((e) => e.Type);
    expect(types).toEqual(["Failed Restoring Task", "Started"]);
    expect(runner.clientStatus().ClientStatus).toBe("running");
  });

  it("exposes its drivers as @nomad/fingerprint detectors", async () => {
    const registry = new DriverRegistry([new RawExecDriver({ enabled: false }), new MockDriver()]);
    const detectors = registry.detectors();
    expect(detectors.map((d) => [d.name, d.intervalMs])).toEqual([
      ["raw_exec", 30_000],
      ["mock_driver", 500],
    ]);
    expect(await detectors[0]!.detect({} as never)).toEqual({
      health: "undetected",
      healthDescription: "disabled",
      attributes: {},
    });
    expect(registry.names()).toEqual(["mock_driver", "raw_exec"]);
  });

  it("a stop that arrives while a restored task is being re-attached still kills it", async () => {
    const { runner, make, store, alloc } = await setup({
      tasks: [{ name: "web", config: { command: "/bin/sleep", args: ["1000"] } }],
    });
    await runner.run();
    await eventually(async () => (await store.getTaskState(alloc.ID, "web"))?.handle !== undefined);
    const pid = (await store.getTaskState(alloc.ID, "web"))!.handle!.pid;
    await runner.shutdown();
    live.splice(live.indexOf(runner), 1);

    const again = make();
    live.push(again);
    await again.restore();
    again.update({ ...alloc, DesiredStatus: "stop" });
    await again.done();
    expect(processAlive(pid)).toBe(false);
    const events = again.clientStatus().TaskStates["web"]!.Events.map((e) => e.Type);
    expect(events.filter((t) => t === "Started")).toHaveLength(1);
    expect(events.slice(-3)).toEqual(["Killing", "Terminated", "Killed"]);
    expect(again.clientStatus().ClientStatus).toBe("complete");
  });

  it("a stop waits the task's shutdown_delay before killing, unless NoShutdownDelay is set", async () => {
    const { runner, alloc } = await setup({
      tasks: [{ name: "web", driver: "mock_driver", shutdownDelayMs: 300, config: {} }],
    });
    await runner.run();
    await eventually(() => runner.clientStatus().ClientStatus === "running");
    const t0 = Date.now();
    runner.update({ ...alloc, DesiredStatus: "stop" });
    await runner.done();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    const events = runner.clientStatus().TaskStates["web"]!.Events;
    expect(events.map((e) => e.Type).slice(-4)).toEqual([
      "Waiting for shutdown delay",
      "Killing",
      "Terminated",
      "Killed",
    ]);
    expect(events.at(-4)!.DisplayMessage).toBe(
      "Waiting for shutdown_delay of 300ms before killing the task.",
    );

    const other = await setup({
      tasks: [{ name: "web", driver: "mock_driver", shutdownDelayMs: 60_000, config: {} }],
    });
    await other.runner.run();
    await eventually(() => other.runner.clientStatus().ClientStatus === "running");
    other.runner.update({
      ...other.alloc,
      DesiredStatus: "stop",
      DesiredTransition: { ...other.alloc.DesiredTransition, NoShutdownDelay: true },
    });
    await other.runner.done();
    expect(other.runner.clientStatus().TaskStates["web"]!.Events.map((e) => e.Type)).not.toContain(
      "Waiting for shutdown delay",
    );
  });

  it.runIf(process.getuid?.() === 0 && process.platform === "linux")(
    "with secretsTmpfsMB the task's NOMAD_SECRETS_DIR is a tmpfs, gone after destroy",
    async () => {
      const root = await mkdtemp(path.join(tmpdir(), "nomad-ar-"));
      roots.push(root);
      const alloc = makeAlloc({
        jobType: "batch",
        tasks: [
          { name: "sec", config: { command: "/bin/sh", args: ["-c", 'stat -f -c %T "$NOMAD_SECRETS_DIR"'] } },
        ],
      });
      const runner = new AllocRunner({
        alloc,
        allocDir: root,
        drivers: new DriverRegistry([new RawExecDriver({ enabled: true })]),
        state: new MemoryAllocStateStore(),
        node: makeNode(),
        region: "global",
        logger: silentLogger,
        onUpdate: () => undefined,
        secretsTmpfsMB: 1,
      });
      await runner.run();
      await runner.done();
      expect((await readLog(path.join(root, alloc.ID, "alloc/logs"), "sec.stdout.0")).trim()).toBe("tmpfs");
      await runner.destroy();
      expect(await mountPointsUnder(root)).toEqual([]);
    },
  );

  it("restore adopts a task whose handle never reached the store (agent died right after starting it)", async () => {
    // A store that loses every write carrying a handle: as if the agent died before persisting it.
    class LosingStore extends MemoryAllocStateStore {
      override async putTaskState(allocID: string, task: string, state: PersistedTaskState): Promise<void> {
        if (state.handle === undefined) await super.putTaskState(allocID, task, state);
      }
    }
    const store = new LosingStore();
    const { runner, alloc, root } = await setup(
      { tasks: [{ name: "web", config: { command: "/bin/sh", args: ["-c", "echo up; exec sleep 1000"] } }] },
      { store },
    );
    await runner.run();
    await eventually(() => runner.clientStatus().ClientStatus === "running");
    await runner.shutdown();
    live.splice(live.indexOf(runner), 1);
    const saved = (await store.getTaskState(alloc.ID, "web"))!;
    expect(saved.handle).toBeUndefined();
    expect(saved.taskState.State).toBe("pending");
    const started = JSON.parse(
      await readFile(path.join(root, alloc.ID, "web", "private", "supervisor", "started.json"), "utf8"),
    ) as { pid: number };

    const again = new AllocRunner({
      alloc,
      allocDir: root,
      drivers: new DriverRegistry([new RawExecDriver({ enabled: true })]),
      state: store,
      node: makeNode(),
      region: "global",
      logger: silentLogger,
      onUpdate: () => undefined,
    });
    live.push(again);
    await again.restore();
    await eventually(() => again.clientStatus().ClientStatus === "running");
    expect(again.taskStates()["web"]!.Events.filter((e) => e.Type === "Started")).toHaveLength(1);
    expect(again["runners"].get("web")!.currentHandle()!.pid).toBe(started.pid);
    expect(await readLog(path.join(root, alloc.ID, "alloc/logs"), "web.stdout.0")).toBe("up\n");
  });
});
