import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AllocRunner, MemoryAllocStateStore } from "../../src/allocrunner/index.js";
import { DriverRegistry, MockDriver, RawExecDriver } from "../../src/drivers/index.js";
import { silentLogger } from "../../src/logger.js";
import { makeAlloc, makeNode, type AllocSpec } from "./fixtures.js";

const roots: string[] = [];
const live: AllocRunner[] = [];
afterEach(async () => {
  for (const r of live.splice(0)) await r.destroy();
  for (const d of roots.splice(0)) await rm(d, { recursive: true, force: true });
});

async function setup(spec: AllocSpec) {
  const root = await mkdtemp(path.join(tmpdir(), "nomad-lc-"));
  roots.push(root);
  const alloc = makeAlloc(spec);
  const runner = new AllocRunner({
    alloc,
    allocDir: root,
    drivers: new DriverRegistry([new RawExecDriver({ enabled: true }), new MockDriver()]),
    state: new MemoryAllocStateStore(),
    node: makeNode(),
    region: "global",
    logger: silentLogger,
    onUpdate: () => undefined,
  });
  live.push(runner);
  return { runner, shared: path.join(root, alloc.ID, "alloc") };
}

// Each task appends its name to a shared file when it starts: the file records the order.
const step = (name: string, extra = ""): { command: string; args: string[] } => ({
  command: "/bin/sh",
  args: ["-c", `echo ${name} >> "$NOMAD_ALLOC_DIR/order"; ${extra}`],
});

describe("task lifecycle hooks", () => {
  it("runs prestart before main, poststart after main started, poststop after the others died; sidecars die with main", async () => {
    const { runner, shared } = await setup({
      jobType: "batch",
      tasks: [
        { name: "post", lifecycle: { Hook: "poststop" }, config: step("post") },
        { name: "main", config: step("main", "sleep 0.5") },
        {
          name: "sidecar",
          lifecycle: { Hook: "prestart", Sidecar: true },
          config: step("sidecar", "exec sleep 1000"),
        },
        { name: "init", lifecycle: { Hook: "prestart" }, config: step("init", "sleep 0.2") },
        { name: "after", lifecycle: { Hook: "poststart" }, config: step("after") },
      ],
    });
    await runner.run();
    await runner.done();
    const order = (await readFile(path.join(shared, "order"), "utf8")).trim().split("\n");
    expect(order.indexOf("init")).toBeLessThan(order.indexOf("main"));
    expect(order.indexOf("sidecar")).toBeLessThan(order.indexOf("main"));
    expect(order.indexOf("main")).toBeLessThan(order.indexOf("after"));
    expect(order.at(-1)).toBe("post");
    const st = runner.clientStatus();
    expect(st.ClientStatus).toBe("complete");
    expect(st.TaskStates["sidecar"]!.Events.map((e) => e.Type)).toContain("Main Tasks Dead");
    expect(st.TaskStates["post"]!.State).toBe("dead");
  });

  it("a failed prestart task fails the alloc and the main task never starts", async () => {
    const { runner } = await setup({
      restart: { Attempts: 0, DelayMs: 10, Mode: "fail" },
      tasks: [
        {
          name: "init",
          lifecycle: { Hook: "prestart" },
          driver: "mock_driver",
          config: { run_for: "10ms", exit_code: 1 },
        },
        { name: "main", driver: "mock_driver", config: {} },
      ],
    });
    await runner.run();
    await runner.done();
    const st = runner.clientStatus();
    expect(st.ClientStatus).toBe("failed");
    expect(st.TaskStates["main"]!.StartedAt).toBe("");
    expect(st.TaskStates["main"]!.State).toBe("dead");
  });
});
