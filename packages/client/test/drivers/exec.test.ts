import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import {
  DRIVER_REQUIRES_ROOT,
  EXEC_UNSUPPORTED_OS,
  ExecDriver,
  NO_CGROUP_MOUNT,
  NO_SETPRIV,
  NO_UNSHARE,
  cgroupName,
  detectCgroupLayout,
  type TaskHandle,
} from "../../src/drivers/index.js";
import { eventually, processAlive, readLog, taskFixture, type TaskFixture } from "./helpers.js";

const fixtures: TaskFixture[] = [];
const started: { driver: ExecDriver; handle: TaskHandle }[] = [];
afterEach(async () => {
  for (const { driver, handle } of started.splice(0)) await driver.destroy(handle.taskID);
  for (const f of fixtures.splice(0)) await f.cleanup();
});

const isRoot = process.getuid?.() === 0;
const layout = detectCgroupLayout();

describe("exec driver fingerprint", () => {
  it("is undetected when not root, saying why", () => {
    const fp = new ExecDriver({ uid: () => 1000 }).fingerprint();
    expect(fp).toEqual({ health: "undetected", healthDescription: DRIVER_REQUIRES_ROOT, attributes: {} });
    expect(DRIVER_REQUIRES_ROOT).toBe("Driver must run as root");
  });

  it("is undetected off Linux and unhealthy without a cgroup mount", () => {
    expect(new ExecDriver({ platform: () => "darwin" }).fingerprint().healthDescription).toBe(
      EXEC_UNSUPPORTED_OS,
    );
    const fp = new ExecDriver({
      uid: () => 0,
      platform: () => "linux",
      cgroupRoot: "/nonexistent",
    }).fingerprint();
    expect(fp).toEqual({ health: "unhealthy", healthDescription: NO_CGROUP_MOUNT, attributes: {} });
  });

  it.runIf(layout !== undefined)("is unhealthy without unshare or setpriv, saying which", () => {
    const base = { uid: () => 0, platform: () => "linux" };
    expect(
      new ExecDriver({ ...base, unsharePath: "/nonexistent/unshare" }).fingerprint().healthDescription,
    ).toBe(NO_UNSHARE);
    expect(
      new ExecDriver({ ...base, setprivPath: "/nonexistent/setpriv" }).fingerprint().healthDescription,
    ).toBe(NO_SETPRIV);
  });

  it("is healthy as root on this machine (cgroups mounted)", () => {
    const fp = new ExecDriver().fingerprint();
    if (isRoot && layout !== undefined) {
      expect(fp).toEqual({
        health: "healthy",
        healthDescription: "Healthy",
        attributes: { "driver.exec": "true" },
      });
    } else {
      expect(fp.health).not.toBe("healthy");
    }
  });
});

// The isolation test needs root and cgroups: the test machine has both; elsewhere the
// fingerprint test above checks that the driver refuses to run.
describe.runIf(isRoot && layout !== undefined)("exec driver isolation (root)", () => {
  async function start(f: TaskFixture, name: string, script: string, memoryMB = 64) {
    const driver = new ExecDriver();
    const task = await f.config(
      name,
      { command: "/bin/sh", args: ["-c", script] },
      { resources: { cpuShares: 512, memoryMB, memoryMaxMB: 0 } },
    );
    const handle = await driver.start(task);
    started.push({ driver, handle });
    return { driver, task, handle };
  }

  it("runs the task as PID 1 of its own PID namespace, inside its cgroups with the memory limit and cpu shares set", async () => {
    const f = await taskFixture();
    fixtures.push(f);
    const { driver, task } = await start(
      f,
      "iso",
      'echo "pid=$$"; echo "uid=$(id -u)"; echo "procs=$(ls /proc | grep -c "^[0-9]")"; cat /proc/self/cgroup; echo ready; sleep 1000',
      48,
    );
    await eventually(async () => (await readLog(f.allocDir.logsDir, "iso.stdout.0")).includes("ready"));
    const out = await readLog(f.allocDir.logsDir, "iso.stdout.0");
    expect(out).toContain("pid=1\n");
    // Tasks without `user` run as nobody, as Nomad's exec driver does.
    expect(out).toContain(`uid=${execFileSync("id", ["-u", "nobody"], { encoding: "utf8" }).trim()}\n`);
    // Its /proc shows its own namespace only: itself and a couple of helpers, not the host's.
    expect(Number(/procs=(\d+)/.exec(out)?.[1])).toBeLessThan(5);
    const name = cgroupName(task.allocID, "iso");
    if (layout!.version === "v1") {
      expect(out).toMatch(new RegExp(`memory:/nomad/${name}`));
      const memDir = `${layout!.root}/memory/nomad/${name}`;
      expect(readFileSync(`${memDir}/memory.limit_in_bytes`, "utf8").trim()).toBe(String(48 * 1024 * 1024));
      expect(readFileSync(`${layout!.root}/cpu/nomad/${name}/cpu.shares`, "utf8").trim()).toBe("512");
      expect(readFileSync(`${memDir}/cgroup.procs`, "utf8").trim().split("\n").length).toBeGreaterThanOrEqual(
        2,
      );
    } else {
      expect(readFileSync(`${layout!.root}/nomad/${name}/memory.max`, "utf8").trim()).toBe(
        String(48 * 1024 * 1024),
      );
    }
    await driver.stop(task.id, "SIGINT", 500);
    const exit = await driver.wait(task.id);
    // As PID 1 of its namespace the shell ignores SIGINT; its `sleep` dies of it and the shell
    // exits 130 (or the SIGKILL after the timeout ends it).
    expect(exit.exitCode === 130 || exit.signal === 9).toBe(true);
    await driver.destroy(task.id);
    started.splice(0);
    const cgDir =
      layout!.version === "v1" ? `${layout!.root}/memory/nomad/${name}` : `${layout!.root}/nomad/${name}`;
    expect(existsSync(cgDir)).toBe(false);
  });

  it("reports an OOM kill when the task exceeds its memory limit", async () => {
    const f = await taskFixture();
    fixtures.push(f);
    // A shell variable of ~64 MB inside a 16 MB cgroup.
    const { driver, task } = await start(
      f,
      "hog",
      'x=$(head -c 67108864 /dev/zero | tr "\\0" a); echo survived',
      16,
    );
    const exit = await driver.wait(task.id);
    expect(exit).toEqual({ exitCode: 137, signal: 9, oomKilled: true });
    expect(await readLog(f.allocDir.logsDir, "hog.stdout.0")).not.toContain("survived");
  });

  it("a SIGKILL after the kill timeout takes down every process of the task's cgroup", async () => {
    const f = await taskFixture();
    fixtures.push(f);
    const { driver, task, handle } = await start(
      f,
      "tree",
      'trap "" INT TERM; (trap "" INT TERM; sleep 1000) & echo ready; wait',
    );
    await eventually(async () => (await readLog(f.allocDir.logsDir, "tree.stdout.0")).includes("ready"));
    await driver.stop(task.id, "SIGTERM", 200);
    expect((await driver.wait(task.id)).signal).toBe(9);
    expect(processAlive(handle.pid)).toBe(false);
  });

  it("a new driver instance recovers an exec task and still kills it through its cgroup", async () => {
    const f = await taskFixture();
    fixtures.push(f);
    const { driver, task, handle } = await start(f, "rec", "echo ready; exec sleep 1000");
    await eventually(async () => (await readLog(f.allocDir.logsDir, "rec.stdout.0")).includes("ready"));
    driver.detachAll();
    started.splice(0);
    const again = new ExecDriver();
    expect(await again.recover(JSON.parse(JSON.stringify(handle)) as TaskHandle)).toBe(true);
    started.push({ driver: again, handle });
    await again.stop(task.id, "SIGKILL", 1000);
    const recExit = await again.wait(task.id);
    expect(recExit.signal, JSON.stringify(recExit)).toBe(9);
    await again.destroy(task.id);
    started.splice(0);
    const name = cgroupName(task.allocID, "rec");
    const cgDir =
      layout!.version === "v1" ? `${layout!.root}/memory/nomad/${name}` : `${layout!.root}/nomad/${name}`;
    expect(existsSync(cgDir)).toBe(false);
  });

  it("signal reaches the task inside its PID namespace", async () => {
    const f = await taskFixture();
    fixtures.push(f);
    const { driver, task } = await start(
      f,
      "sig",
      'trap "echo got-hup; exit 7" HUP; echo ready; while true; do sleep 0.05; done',
    );
    await eventually(async () => (await readLog(f.allocDir.logsDir, "sig.stdout.0")).includes("ready"));
    await driver.signal(task.id, "SIGHUP");
    expect((await driver.wait(task.id)).exitCode).toBe(7);
    expect(await readLog(f.allocDir.logsDir, "sig.stdout.0")).toContain("got-hup");
  });

  it("stop's kill signal reaches the task, which can exit gracefully", async () => {
    const f = await taskFixture();
    fixtures.push(f);
    const { driver, task } = await start(
      f,
      "grace",
      'trap "echo got-int; exit 0" INT; echo ready; while true; do sleep 0.05; done',
    );
    await eventually(async () => (await readLog(f.allocDir.logsDir, "grace.stdout.0")).includes("ready"));
    await driver.stop(task.id, "SIGINT", 10_000);
    expect(await driver.wait(task.id)).toEqual({ exitCode: 0, signal: 0, oomKilled: false });
    expect(await readLog(f.allocDir.logsDir, "grace.stdout.0")).toContain("got-int");
  });

  it("uses every namespace this host allows (all of them here)", () => {
    expect(new ExecDriver().namespaceFlags()).toEqual([
      "--mount",
      "--pid",
      "--ipc",
      "--uts",
      "--fork",
      "--mount-proc",
    ]);
  });
});
