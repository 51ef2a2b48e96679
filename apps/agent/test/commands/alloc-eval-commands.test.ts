import type { ServerResponse } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeNomad } from "./fake-nomad.js";
import { allocStub, ALLOCATION, ALLOC_ID, evaluation, EVAL_ID, FAILED_METRIC, JOB } from "./fixtures.js";
import { lines, runCli } from "./harness.js";

let fake: FakeNomad;
beforeEach(async () => {
  fake = new FakeNomad();
  await fake.start();
});
afterEach(async () => {
  await fake.stop();
});
const nomad = (...argv: string[]) => runCli(argv, { env: { NOMAD_ADDR: fake.address } });
const b64 = (s: string): string => Buffer.from(s).toString("base64");

function frames(res: ServerResponse, chunks: string[], file = "alloc/logs/redis.stdout.0"): void {
  res.writeHead(200, { "Content-Type": "application/json" });
  let offset = 0;
  for (const c of chunks) {
    offset += Buffer.byteLength(c);
    res.write(JSON.stringify({ File: file, Offset: offset, Data: b64(c) }));
  }
  res.end();
}

describe("nomad alloc status", () => {
  it("prints the allocation KV block and each task's resources and events", async () => {
    fake.json("GET /v1/allocations", [allocStub()]);
    fake.json(`GET /v1/allocation/${ALLOC_ID}`, ALLOCATION);
    const r = await nomad("alloc", "status", "8ba85cef");
    expect(fake.last("GET /v1/allocations").query.get("prefix")).toBe("8ba85cef");
    expect(lines(r.stdout)).toEqual([
      `ID                  = ${ALLOC_ID}`,
      "Eval ID             = 5744eb15",
      "Name                = example.cache[0]",
      "Node ID             = f7476465",
      "Node Name           = node-1",
      "Job ID              = example",
      "Job Version         = 0",
      "Client Status       = running",
      "Client Description  = Tasks are running",
      "Desired Status      = run",
      "Desired Description = <none>",
      "Created             = 5m ago",
      "Modified            = 4m50s ago",
      "",
      'Task "redis" is "running"',
      "Task Resources:",
      "CPU      Memory   Disk     Addresses",
      "100 MHz  300 MiB  300 MiB  ",
      "",
      "Task Events:",
      "Started At     = 2026-11-25T00:55:05Z",
      "Finished At    = N/A",
      "Total Restarts = 0",
      "Last Restart   = N/A",
      "",
      "Recent Events:",
      "Time                  Type        Description",
      "2026-11-25T00:55:05Z  Started     Task started by client",
      "2026-11-25T00:55:01Z  Task Setup  Building Task Directory",
      "2026-11-25T00:55:00Z  Received    Task received by client",
    ]);
    expect(r.code).toBe(0);
  });

  it("-verbose adds placement figures and full IDs", async () => {
    fake.json("GET /v1/allocations", [allocStub()]);
    fake.json(`GET /v1/allocation/${ALLOC_ID}`, ALLOCATION);
    const r = await nomad("alloc", "status", "-verbose", ALLOC_ID);
    const out = lines(r.stdout);
    expect(out).toContain(`Eval ID             = ${EVAL_ID}`);
    expect(out).toContain("Created             = 2026-11-25T00:55:00Z");
    expect(out).toContain("Allocation Time     = 125µs");
    expect(out).toContain("Placement Metrics");
  });

  it("a one-character ID and an unknown ID are errors", async () => {
    let r = await nomad("alloc", "status", "8");
    expect(r.stderr).toBe("Identifier must contain at least two characters.\n");
    expect(r.code).toBe(1);
    fake.json("GET /v1/allocations", []);
    r = await nomad("alloc", "status", "abcd");
    expect(r.stderr).toBe('No allocation(s) with prefix or id "abcd" found\n');
    expect(r.code).toBe(1);
  });
});

describe("nomad alloc logs", () => {
  beforeEach(() => {
    fake.json("GET /v1/allocations", [allocStub()]);
    fake.json(`GET /v1/allocation/${ALLOC_ID}`, ALLOCATION);
  });

  it("writes the task's stdout bytes from the start", async () => {
    fake.on(`GET /v1/client/fs/logs/${ALLOC_ID}`, (_req, res) => frames(res, ["hello\n", "world\n"]));
    const r = await nomad("alloc", "logs", ALLOC_ID);
    expect(r.stdout).toBe("hello\nworld\n");
    const q = fake.last(`GET /v1/client/fs/logs/${ALLOC_ID}`).query;
    expect(Object.fromEntries(q)).toEqual({
      task: "redis",
      type: "stdout",
      follow: "false",
      origin: "start",
      offset: "0",
    });
    expect(r.code).toBe(0);
  });

  it("-stderr reads stderr", async () => {
    fake.on(`GET /v1/client/fs/logs/${ALLOC_ID}`, (_req, res) =>
      frames(res, ["oops\n"], "alloc/logs/redis.stderr.0"),
    );
    const r = await nomad("alloc", "logs", "-stderr", ALLOC_ID, "redis");
    expect(r.stdout).toBe("oops\n");
    expect(fake.last(`GET /v1/client/fs/logs/${ALLOC_ID}`).query.get("type")).toBe("stderr");
  });

  it("-tail -n 2 asks from the end and prints the last two lines", async () => {
    fake.on(`GET /v1/client/fs/logs/${ALLOC_ID}`, (_req, res) => frames(res, ["a\nb\n", "c\nd\n"]));
    const r = await nomad("alloc", "logs", "-tail", "-n", "2", ALLOC_ID);
    expect(r.stdout).toBe("c\nd\n");
    const q = fake.last(`GET /v1/client/fs/logs/${ALLOC_ID}`).query;
    expect(q.get("origin")).toBe("end");
    expect(q.get("offset")).toBe("240");
  });

  it("-f follows stdout until interrupted", async () => {
    fake.on(`GET /v1/client/fs/logs/${ALLOC_ID}`, (req, res) => {
      res.writeHead(200);
      res.write(
        JSON.stringify({
          File: `alloc/logs/redis.${req.query.get("type")}.0`,
          Offset: 4,
          Data: b64(`${req.query.get("type")}\n`),
        }),
      );
    });
    const interrupt = new AbortController();
    const seen = new Set<string>();
    const run = runCli(["alloc", "logs", "-f", ALLOC_ID], {
      env: { NOMAD_ADDR: fake.address },
      signal: interrupt.signal,
      onWrite: (stream) => seen.add(stream),
    });
    // Ctrl-C once both streams delivered their first frame.
    await expect.poll(() => seen.size, { timeout: 10_000 }).toBe(2);
    interrupt.abort();
    const r = await run;
    expect(r.stdout).toBe("stdout\n");
    expect(r.stderr).toBe("stderr\n");
    expect(r.code).toBe(0);
    const types = fake.requests
      .filter((q) => q.path.startsWith("/v1/client/fs/logs"))
      .map((q) => q.query.get("type"));
    expect(types.sort()).toEqual(["stderr", "stdout"]);
    expect(fake.last(`GET /v1/client/fs/logs/${ALLOC_ID}`).query.get("follow")).toBe("true");
  });

  it("asks for the task when the group has several", async () => {
    const twoTasks = {
      ...ALLOCATION,
      Job: { ...JOB, TaskGroups: [{ ...JOB.TaskGroups[0]!, Tasks: [{ Name: "web" }, { Name: "sidecar" }] }] },
    };
    fake.json(`GET /v1/allocation/${ALLOC_ID}`, twoTasks);
    const r = await nomad("alloc", "logs", ALLOC_ID);
    expect(lines(r.stderr)).toEqual([
      'Failed to validate task: Allocation "8ba85cef" is running the following tasks:',
      "  * web",
      "  * sidecar",
      "",
      "Please specify the task.",
    ]);
    expect(r.code).toBe(1);
  });
});

describe("nomad eval status", () => {
  it("prints the evaluation, its placed allocations and placement failures", async () => {
    const ev = evaluation({
      FailedTGAllocs: { cache: FAILED_METRIC },
      BlockedEval: "b10cced0-0000-4000-8000-000000000003",
    });
    fake.json("GET /v1/evaluations", [ev]);
    fake.json(`GET /v1/evaluation/${EVAL_ID}`, ev);
    fake.json(`GET /v1/evaluation/${EVAL_ID}/allocations`, [allocStub()]);
    const r = await nomad("eval", "status", "5744");
    expect(fake.last("GET /v1/evaluations").query.get("prefix")).toBe("5744");
    expect(lines(r.stdout)).toEqual([
      "ID                 = 5744eb15",
      "Create Time        = 5m ago",
      "Modify Time        = 4m58s ago",
      "Status             = complete",
      "Status Description = complete",
      "Type               = service",
      "TriggeredBy        = job-register",
      "Job ID             = example",
      "Namespace          = default",
      "Priority           = 50",
      "Placement Failures = true",
      "Previous Eval      = <none>",
      "Next Eval          = <none>",
      "Blocked Eval       = b10cced0",
      "",
      "Placed Allocations",
      "ID        Node ID   Task Group  Version  Desired  Status   Created  Modified",
      "8ba85cef  f7476465  cache       0        run      running  5m ago   4m50s ago",
      "",
      "Failed Placements",
      'Task Group "cache" (failed to place 3 allocations):',
      '  * Constraint "missing drivers": 1 nodes excluded by filter',
      "  * Resources exhausted on 1 nodes",
      '  * Dimension "memory" exhausted on 1 nodes',
      "",
      'Evaluation "b10cced0" waiting for additional capacity to place remainder',
    ]);
    expect(r.code).toBe(0);
  });

  it("an unknown evaluation is an error", async () => {
    fake.json("GET /v1/evaluations", []);
    const r = await nomad("eval", "status", "abcd");
    expect(r.stderr).toBe('No evaluation(s) with prefix or id "abcd" found\n');
    expect(r.code).toBe(1);
  });
});
