import { afterEach, describe, expect, it } from "vitest";
import { MockDriver, parseMockConfig } from "../../src/drivers/index.js";
import { readLog, taskFixture, type TaskFixture } from "./helpers.js";

const fixtures: TaskFixture[] = [];
afterEach(async () => {
  for (const f of fixtures.splice(0)) await f.cleanup();
});

async function fixture(): Promise<TaskFixture> {
  const f = await taskFixture();
  fixtures.push(f);
  return f;
}

describe("mock_driver", () => {
  it("fingerprints healthy, or as scripted", () => {
    const d = new MockDriver();
    expect(d.fingerprint()).toEqual({
      health: "healthy",
      healthDescription: "Healthy",
      attributes: { "driver.mock_driver": "true" },
    });
    d.setFingerprint({ health: "unhealthy", healthDescription: "scripted", attributes: {} });
    expect(d.fingerprint().health).toBe("unhealthy");
    expect(new MockDriver({ enabled: false }).fingerprint().healthDescription).toBe("disabled");
  });

  it("exits after run_for with exit_code and writes stdout_string to the task's log", async () => {
    const f = await fixture();
    const d = new MockDriver();
    const task = await f.config("m", {
      run_for: "50ms",
      exit_code: 3,
      stdout_string: "hi\n",
      stdout_repeat: 2,
      stdout_repeat_duration: "1ms",
    });
    await d.start(task);
    expect(await d.wait(task.id)).toEqual({ exitCode: 3, signal: 0, oomKilled: false });
    expect(await readLog(f.allocDir.logsDir, "m.stdout.0")).toBe("hi\nhi\nhi\n");
  });

  it("start_error fails the start with its recoverability", async () => {
    const f = await fixture();
    await expect(
      new MockDriver().start(await f.config("m", { start_error: "boom", start_error_recoverable: true })),
    ).rejects.toMatchObject({
      message: "boom",
      recoverable: true,
    });
  });

  it("kill_after longer than the kill timeout ends in SIGKILL; shorter exits with the kill signal", async () => {
    const f = await fixture();
    const d = new MockDriver();
    const slow = await f.config("slow", { kill_after: "10s" });
    await d.start(slow);
    await d.stop(slow.id, "SIGINT", 30);
    expect(await d.wait(slow.id)).toEqual({ exitCode: 137, signal: 9, oomKilled: false });
    const quick = await f.config("quick", { kill_after: "1ms" });
    await d.start(quick);
    await d.stop(quick.id, "SIGTERM", 5000);
    expect((await d.wait(quick.id)).signal).toBe(15);
    expect(d.signals.map((s) => s.signal)).toEqual(["SIGINT", "SIGTERM"]);
  });

  it("a new instance recovers a task from its handle with the remaining run_for", async () => {
    const f = await fixture();
    const task = await f.config("m", { run_for: "100ms", exit_code: 4 });
    const handle = await new MockDriver().start(task);
    const again = new MockDriver();
    expect(await again.recover(JSON.parse(JSON.stringify(handle)))).toBe(true);
    expect((await again.wait(task.id)).exitCode).toBe(4);
  });

  it("config errors name the field", () => {
    expect(() => parseMockConfig({ run_for: "10 parsecs" })).toThrow(/config\.run_for/);
    expect(() => parseMockConfig({ exit_code: 1.5 })).toThrow(/config\.exit_code/);
    expect(() => parseMockConfig({ exit_signal: "SIGNOPE" })).toThrow(/config\.exit_signal/);
  });
});
