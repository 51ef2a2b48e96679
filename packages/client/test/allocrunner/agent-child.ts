// Plays the agent in a separate process for the restore tests: runs one alloc with a
// file-backed state store, prints "RUNNING <pid>" once the task runs, then idles until killed.
// Usage: node --import tsx --conditions=@nomad/source agent-child.ts <allocDir> <stateDir> <alloc.json>

import { readFileSync } from "node:fs";
import { parseAllocation } from "@nomad/structs";
import { AllocRunner } from "../../src/allocrunner/index.js";
import { DriverRegistry, MockDriver, RawExecDriver } from "../../src/drivers/index.js";
import { silentLogger } from "../../src/logger.js";
import { JsonFileStateStore, makeNode } from "./fixtures.js";

const [allocDir, stateDir, allocFile] = process.argv.slice(2) as [string, string, string];
const alloc = parseAllocation(JSON.parse(readFileSync(allocFile, "utf8")));
const store = new JsonFileStateStore(stateDir);
const runner = new AllocRunner({
  alloc,
  allocDir,
  drivers: new DriverRegistry([new RawExecDriver({ enabled: true }), new MockDriver()]),
  state: store,
  node: makeNode(),
  region: "global",
  logger: silentLogger,
  onUpdate: () => undefined,
});
// Report once the handle is durable (persistence runs after the in-memory state changes).
const poll = setInterval(() => {
  const name = Object.keys(runner.taskStates())[0]!;
  void store.getTaskState(alloc.ID, name).then((s) => {
    if (s?.handle !== undefined && s.taskState.State === "running") {
      process.stdout.write(`RUNNING ${s.handle.pid}\n`);
      clearInterval(poll);
    }
  });
}, 20);
setInterval(() => undefined, 60_000);
void runner.run();
