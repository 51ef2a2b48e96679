import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { RawExecDriver, type TaskHandle } from "../../src/drivers/index.js";
import { eventually, processAlive, readLog, taskFixture, type TaskFixture } from "./helpers.js";

const fixtures: TaskFixture[] = [];
const started: { driver: RawExecDriver; handle: TaskHandle }[] = [];
afterEach(async () => {
  for (const { driver, handle } of started.splice(0)) await driver.destroy(handle.taskID);
  for (const f of fixtures.splice(0)) await f.cleanup();
});

async function setup(): Promise<{ f: TaskFixture; driver: RawExecDriver }> {
  const f = await taskFixture();
  fixtures.push(f);
  return { f, driver: new RawExecDriver({ enabled: true }) };
}

describe("raw_exec driver", () => {
  it("is undetected with description 'disabled' unless enabled", () => {
    expect(new RawExecDriver({ enabled: false }).fingerprint()).toEqual({
      health: "undetected",
      healthDescription: "disabled",
      attributes: {},
    });
    expect(new RawExecDriver({ enabled: true }).fingerprint()).toEqual({
      health: "healthy",
      healthDescription: "Healthy",
      attributes: { "driver.raw_exec": "true" },
    });
  });

  it("refuses to start when disabled", async () => {
    const f = await taskFixture();
    fixtures.push(f);
    const task = await f.config("web", { command: "/bin/true" });
    await expect(new RawExecDriver({ enabled: false }).start(task)).rejects.toThrow(
      /raw_exec driver is not available: disabled/,
    );
  });

  it("names the field of a bad config", async () => {
    const { f, driver } = await setup();
    await expect(driver.start(await f.config("web", { args: ["x"] }))).rejects.toThrow(/config\.command/);
    await expect(driver.start(await f.config("web", { command: "/bin/echo", args: [{}] }))).rejects.toThrow(
      /config\.args\[0\]/,
    );
  });

  it("runs the command with its args and env, and writes stdout and stderr to <task>.stdout.0 / .stderr.0", async () => {
    const { f, driver } = await setup();
    const task = await f.config(
      "web",
      { command: "/bin/sh", args: ["-c", 'echo "out $GREETING $0"; echo err >&2; exit 3', "arg0"] },
      { env: { GREETING: "hello", PATH: "/usr/bin:/bin" } },
    );
    const handle = await driver.start(task);
    started.push({ driver, handle });
    expect(handle.pid).toBeGreaterThan(0);
    expect(handle.pgid).toBe(handle.pid);
    const exit = await driver.wait(task.id);
    expect(exit).toEqual({ exitCode: 3, signal: 0, oomKilled: false });
    expect(await readLog(f.allocDir.logsDir, "web.stdout.0")).toBe("out hello arg0\n");
    expect(await readLog(f.allocDir.logsDir, "web.stderr.0")).toBe("err\n");
  });

  it("runs the task in the task dir", async () => {
    const { f, driver } = await setup();
    const task = await f.config("pwd", { command: "/bin/pwd" });
    const handle = await driver.start(task);
    started.push({ driver, handle });
    await driver.wait(task.id);
    expect((await readLog(f.allocDir.logsDir, "pwd.stdout.0")).trim()).toBe(task.taskDir);
  });

  it("reports a missing binary as a start failure", async () => {
    const { f, driver } = await setup();
    await expect(driver.start(await f.config("nope", { command: "/nonexistent/binary" }))).rejects.toThrow(
      /failed to launch command: .*ENOENT/,
    );
  });

  it("rotates log files at max_file_size, keeping max_files", async () => {
    const { f, driver } = await setup();
    // 1 KiB files, 3 kept; the task writes 10 lines of 500 bytes = 5000 bytes -> indexes 0..4.
    const task = await f.config(
      "chatty",
      {
        command: "/bin/sh",
        args: ["-c", 'i=0; while [ $i -lt 10 ]; do printf "%0499d\\n" $i; i=$((i+1)); done'],
      },
      { logs: { dir: f.allocDir.logsDir, maxFiles: 3, maxFileSizeMB: 1 / 1024, disabled: false } },
    );
    const handle = await driver.start(task);
    started.push({ driver, handle });
    expect((await driver.wait(task.id)).exitCode).toBe(0);
    const files = (await readdir(f.allocDir.logsDir)).filter((n) => n.startsWith("chatty.stdout.")).sort();
    expect(files).toEqual(["chatty.stdout.2", "chatty.stdout.3", "chatty.stdout.4"]);
    expect((await readLog(f.allocDir.logsDir, "chatty.stdout.2")).length).toBe(1024);
    expect((await readLog(f.allocDir.logsDir, "chatty.stdout.4")).length).toBe(5000 - 4 * 1024);
  });

  it("stop sends the kill signal to the task's group and the task exits with it", async () => {
    const { f, driver } = await setup();
    const task = await f.config("sleeper", {
      command: "/bin/sh",
      args: ["-c", 'trap "echo got-int; exit 0" INT; echo ready; while true; do sleep 0.05; done'],
    });
    const handle = await driver.start(task);
    started.push({ driver, handle });
    await eventually(async () => (await readLog(f.allocDir.logsDir, "sleeper.stdout.0")).includes("ready"));
    await driver.stop(task.id, "SIGINT", 20_000);
    expect(await driver.wait(task.id)).toEqual({ exitCode: 0, signal: 0, oomKilled: false });
    expect(await readLog(f.allocDir.logsDir, "sleeper.stdout.0")).toContain("got-int");
  });

  it("stop escalates to SIGKILL of the process group after the kill timeout", async () => {
    const { f, driver } = await setup();
    const task = await f.config("stubborn", {
      command: "/bin/sh",
      args: ["-c", 'trap "" INT TERM; sleep 1000 & echo child $!; echo ready; wait'],
    });
    const handle = await driver.start(task);
    started.push({ driver, handle });
    await eventually(async () => (await readLog(f.allocDir.logsDir, "stubborn.stdout.0")).includes("ready"));
    const childPid = Number(/child (\d+)/.exec(await readLog(f.allocDir.logsDir, "stubborn.stdout.0"))?.[1]);
    const t0 = Date.now();
    await driver.stop(task.id, "SIGINT", 300);
    const exit = await driver.wait(task.id);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(exit.signal).toBe(9);
    expect(exit.exitCode).toBe(137);
    await eventually(() => !processAlive(childPid), 10_000, "the group's other process to die");
  });

  it("signal delivers a signal to the task's main process", async () => {
    const { f, driver } = await setup();
    const task = await f.config("hup", {
      command: "/bin/sh",
      args: ["-c", 'trap "echo got-hup; exit 7" HUP; echo ready; while true; do sleep 0.05; done'],
    });
    const handle = await driver.start(task);
    started.push({ driver, handle });
    await eventually(async () => (await readLog(f.allocDir.logsDir, "hup.stdout.0")).includes("ready"));
    await driver.signal(task.id, "HUP");
    expect((await driver.wait(task.id)).exitCode).toBe(7);
    await expect(driver.signal(task.id, "SIGBOGUS")).rejects.toThrow(/signal: unknown signal/);
  });

  it("a new driver instance recovers a running task from its handle and learns its exit code", async () => {
    const { f, driver } = await setup();
    const task = await f.config(
      "long",
      {
        command: "/bin/sh",
        args: ["-c", 'echo ready; while [ ! -e "$NOMAD_TEST_GO" ]; do sleep 0.05; done; echo done; exit 5'],
      },
      { env: { PATH: "/usr/bin:/bin", NOMAD_TEST_GO: `${f.root}/go` } },
    );
    const handle = await driver.start(task);
    started.push({ driver, handle });
    await eventually(async () => (await readLog(f.allocDir.logsDir, "long.stdout.0")).includes("ready"));
    driver.detachAll();
    const again = new RawExecDriver({ enabled: true });
    expect(await again.recover(JSON.parse(JSON.stringify(handle)) as TaskHandle)).toBe(true);
    started.push({ driver: again, handle });
    const { writeFile } = await import("node:fs/promises");
    await writeFile(`${f.root}/go`, "");
    expect(await again.wait(task.id)).toEqual({ exitCode: 5, signal: 0, oomKilled: false });
    expect(await readLog(f.allocDir.logsDir, "long.stdout.0")).toBe("ready\ndone\n");
  });

  it("recover refuses a handle whose process is gone or was replaced (PID reuse)", async () => {
    const driver = new RawExecDriver({ enabled: true });
    const handle: TaskHandle = {
      version: 1,
      driver: "raw_exec",
      taskID: "x/y/1",
      pid: process.pid,
      pgid: process.pid,
      startTicks: "1",
      supervisorPid: process.pid,
      supervisorStartTicks: "1",
      stateDir: "/nonexistent",
      startedAtMs: 0,
      driverState: {},
    };
    expect(await driver.recover(handle)).toBe(false);
    expect(await driver.recover({ ...handle, driver: "exec" })).toBe(false);
  });

  it("a start that times out leaves neither supervisor nor task behind", async () => {
    const f = await taskFixture();
    fixtures.push(f);
    const marker = `${f.root}/late-start-marker`;
    const driver = new RawExecDriver({ enabled: true, startTimeoutMs: 1 });
    const task = await f.config("late", { command: "/bin/sh", args: ["-c", `sleep 0.5; touch ${marker}`] });
    await expect(driver.start(task)).rejects.toThrow(/did not start within 1 ms/);
    const mentions = async (needle: string): Promise<boolean> => {
      for (const pid of await readdir("/proc")) {
        if (!/^\d+$/.test(pid)) continue;
        const cmd = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
        if (cmd.includes(needle)) return true;
      }
      return false;
    };
    await eventually(
      async () => !(await mentions(task.privateDir)) && !(await mentions(marker)),
      20_000,
      "no process left",
    );
    expect(existsSync(marker)).toBe(false);
  });
});
