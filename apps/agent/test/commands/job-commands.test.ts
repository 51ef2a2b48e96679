import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeNomad } from "./fake-nomad.js";
import {
  allocStub,
  BLOCKED_EVAL_ID,
  evaluation,
  EVAL_ID,
  FAILED_METRIC,
  JOB,
  JOB_STUB,
  SUMMARY,
} from "./fixtures.js";
import { lines, runCli } from "./harness.js";

const TS = "2026-11-25T01:00:00Z";
const JOB_HCL = `job "example" {
  datacenters = ["dc1"]
  group "cache" {
    task "redis" {
      driver = "raw_exec"
      config {
        command = "/bin/sleep"
        args    = ["1000"]
      }
    }
  }
}
`;

let dir: string;
let jobFile: string;
let fake: FakeNomad;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "nomad-cli-"));
  jobFile = join(dir, "example.nomad.hcl");
  await writeFile(jobFile, JOB_HCL);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  fake = new FakeNomad();
  await fake.start();
});
afterEach(async () => {
  await fake.stop();
});

const nomad = (...argv: string[]) => runCli([...argv], { env: { NOMAD_ADDR: fake.address } });

describe("nomad job run", () => {
  it("registers the parsed job file and prints Nomad's evaluation monitor", async () => {
    fake.json("PUT /v1/jobs", {
      EvalID: EVAL_ID,
      EvalCreateIndex: 11,
      JobModifyIndex: 10,
      Warnings: "",
      Index: 11,
    });
    let polls = 0;
    fake.json(`GET /v1/evaluation/${EVAL_ID}`, () =>
      evaluation({ Status: ++polls === 1 ? "pending" : "complete" }),
    );
    let allocPolls = 0;
    fake.json(`GET /v1/evaluation/${EVAL_ID}/allocations`, () =>
      ++allocPolls === 1 ? [] : [allocStub({ ClientStatus: "pending", ClientDescription: "" })],
    );
    const r = await nomad("job", "run", jobFile);
    expect(r.stderr).toBe("");
    expect(lines(r.stdout)).toEqual([
      `==> ${TS}: Monitoring evaluation "5744eb15"`,
      `    ${TS}: Evaluation triggered by job "example"`,
      `    ${TS}: Allocation "8ba85cef" created: node "f7476465", group "cache"`,
      `    ${TS}: Evaluation status changed: "pending" -> "complete"`,
      `==> ${TS}: Evaluation "5744eb15" finished with status "complete"`,
    ]);
    expect(r.code).toBe(0);
    expect(r.sleeps).toEqual([1000]);
    const body = JSON.parse(fake.last("PUT /v1/jobs").body) as {
      Job: { ID: string; TaskGroups: { Name: string }[] };
    };
    expect(body.Job.ID).toBe("example");
    expect(body.Job.TaskGroups[0]?.Name).toBe("cache");
  });

  it("exits 2 and explains the failure when allocations cannot be placed", async () => {
    fake.json("PUT /v1/jobs", {
      EvalID: EVAL_ID,
      EvalCreateIndex: 11,
      JobModifyIndex: 10,
      Warnings: "",
      Index: 11,
    });
    fake.json(
      `GET /v1/evaluation/${EVAL_ID}`,
      evaluation({ FailedTGAllocs: { cache: FAILED_METRIC }, BlockedEval: BLOCKED_EVAL_ID }),
    );
    fake.json(`GET /v1/evaluation/${EVAL_ID}/allocations`, []);
    const r = await nomad("job", "run", jobFile);
    expect(lines(r.stdout)).toEqual([
      `==> ${TS}: Monitoring evaluation "5744eb15"`,
      `    ${TS}: Evaluation triggered by job "example"`,
      `    ${TS}: Evaluation status changed: "pending" -> "complete"`,
      `==> ${TS}: Evaluation "5744eb15" finished with status "complete" but failed to place all allocations:`,
      `    ${TS}: Task Group "cache" (failed to place 3 allocations):`,
      `      * Constraint "missing drivers": 1 nodes excluded by filter`,
      `      * Resources exhausted on 1 nodes`,
      `      * Dimension "memory" exhausted on 1 nodes`,
      `    ${TS}: Evaluation "b10cced0" waiting for additional capacity to place remainder`,
    ]);
    expect(r.code).toBe(2);
  });

  it("-detach prints the evaluation ID and does not monitor", async () => {
    fake.json("PUT /v1/jobs", {
      EvalID: EVAL_ID,
      EvalCreateIndex: 11,
      JobModifyIndex: 10,
      Warnings: "",
      Index: 11,
    });
    const r = await nomad("job", "run", "-detach", jobFile);
    expect(lines(r.stdout)).toEqual(["Job registration successful", `Evaluation ID: ${EVAL_ID}`]);
    expect(r.code).toBe(0);
    expect(fake.requests.some((q) => q.path.startsWith("/v1/evaluation"))).toBe(false);
  });

  it("a periodic job prints its approximate next launch instead of monitoring", async () => {
    const periodic = join(dir, "periodic.nomad.hcl");
    await writeFile(
      periodic,
      `job "report" {
  type = "batch"
  periodic {
    cron = "30 * * * *"
  }
  group "g" {
    task "t" {
      driver = "raw_exec"
      config {
        command = "/bin/true"
      }
    }
  }
}
`,
    );
    fake.json("PUT /v1/jobs", {
      EvalID: "",
      EvalCreateIndex: 0,
      JobModifyIndex: 10,
      Warnings: "",
      Index: 10,
    });
    const r = await nomad("job", "run", periodic);
    expect(lines(r.stdout)).toEqual([
      "Job registration successful",
      "Approximate next launch time: 2026-11-25T01:30:00Z (30m0s from now)",
    ]);
    expect(r.code).toBe(0);
  });

  it("-check-index sends EnforceIndex and reports a conflict as Nomad does", async () => {
    fake.error(
      "PUT /v1/jobs",
      500,
      "Enforcing job modify index 5: job exists with conflicting job modify index: 10",
    );
    const r = await nomad("job", "run", "-check-index=5", jobFile);
    expect(JSON.parse(fake.last("PUT /v1/jobs").body)).toMatchObject({
      EnforceIndex: true,
      JobModifyIndex: 5,
    });
    expect(lines(r.stderr)).toEqual([
      "Enforcing job modify index 5: job exists with conflicting job modify index: 10",
      "Job not updated",
    ]);
    expect(r.code).toBe(1);
  });

  it("a job file error names the file and exits 1 without contacting the agent", async () => {
    const bad = join(dir, "bad.nomad.hcl");
    await writeFile(bad, 'job "x" {\n  group "g" {\n    count = \n  }\n}\n');
    const r = await nomad("job", "run", bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error getting job struct: .*bad\.nomad\.hcl:3/);
    expect(fake.requests).toHaveLength(0);
  });

  it("an unreachable agent is an error with exit 1", async () => {
    const address = fake.address;
    await fake.stop();
    const r = await runCli(["job", "run", "-detach", `-address=${address}`, jobFile]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `Error submitting job: Put "${address}/v1/jobs": dial tcp ${address.slice(7)}: connect: connection refused\n`,
    );
  });
});

describe("nomad job status", () => {
  it("lists jobs in Nomad's columns", async () => {
    fake.json("GET /v1/jobs", [
      JOB_STUB,
      { ...JOB_STUB, ID: "batchy", Type: "batch", Priority: 70, Status: "dead", Stop: true, Periodic: true },
    ]);
    const r = await nomad("job", "status");
    expect(lines(r.stdout)).toEqual([
      "ID       Type            Priority  Status          Submit Date",
      `example  service         50        running         ${TS}`,
      `batchy   batch/periodic  70        dead (stopped)  ${TS}`,
    ]);
    expect(r.code).toBe(0);
  });

  it("says 'No running jobs' for an empty cluster", async () => {
    fake.json("GET /v1/jobs", []);
    const r = await nomad("job", "status");
    expect(r.stdout).toBe("No running jobs\n");
    expect(r.code).toBe(0);
  });

  it("shows one job: KV block, summary and allocations with relative times", async () => {
    fake.json("GET /v1/jobs", [JOB_STUB]);
    fake.json("GET /v1/job/example", JOB);
    fake.json("GET /v1/job/example/allocations", [allocStub()]);
    fake.json("GET /v1/job/example/evaluations", [evaluation()]);
    fake.json("GET /v1/job/example/summary", SUMMARY);
    const r = await nomad("job", "status", "exam");
    expect(fake.last("GET /v1/jobs").query.get("prefix")).toBe("exam");
    expect(lines(r.stdout)).toEqual([
      "ID            = example",
      "Name          = example",
      `Submit Date   = ${TS}`,
      "Type          = service",
      "Priority      = 50",
      "Datacenters   = dc1",
      "Namespace     = default",
      "Node Pool     = default",
      "Status        = running",
      "Periodic      = false",
      "Parameterized = false",
      "",
      "Summary",
      "Task Group  Queued  Starting  Running  Failed  Complete  Lost  Unknown",
      "cache       0       0         1        0       0         0     0",
      "",
      "Allocations",
      "ID        Node ID   Task Group  Version  Desired  Status   Created  Modified",
      "8ba85cef  f7476465  cache       0        run      running  5m ago   4m50s ago",
    ]);
    expect(r.code).toBe(0);
  });

  it("a periodic parent shows its children summary and launched jobs", async () => {
    const parent = {
      ...JOB,
      ID: "report",
      Name: "report",
      Type: "batch",
      Periodic: { Enabled: true, Spec: "@hourly" },
    };
    const child = {
      ...JOB_STUB,
      ID: "report/periodic-1764032400",
      ParentID: "report",
      Type: "batch",
      Status: "dead",
    };
    fake.json("GET /v1/jobs", (req) =>
      req.query.get("prefix") === "report/periodic-"
        ? [child]
        : [{ ...JOB_STUB, ID: "report", Periodic: true }],
    );
    fake.json("GET /v1/job/report", parent);
    fake.json("GET /v1/job/report/allocations", []);
    fake.json("GET /v1/job/report/evaluations", []);
    fake.json("GET /v1/job/report/summary", {
      ...SUMMARY,
      JobID: "report",
      Children: { Pending: 0, Running: 0, Dead: 1 },
    });
    const r = await nomad("job", "status", "report");
    const out = lines(r.stdout);
    expect(out).toContain("Periodic             = true");
    expect(out).toContain("Next Periodic Launch = 2026-11-25T02:00:00Z (1h0m0s from now)");
    expect(out.slice(out.indexOf("Children Job Summary"))).toEqual([
      "Children Job Summary",
      "Pending  Running  Dead",
      "0        0        1",
      "",
      "Previously Launched Jobs",
      "ID                          Status",
      "report/periodic-1764032400  dead",
    ]);
    expect(r.code).toBe(0);
  });

  it("a blocked evaluation shows the latest placement failure", async () => {
    fake.json("GET /v1/jobs", [JOB_STUB]);
    fake.json("GET /v1/job/example", JOB);
    fake.json("GET /v1/job/example/allocations", []);
    fake.json("GET /v1/job/example/evaluations", [
      evaluation({ ID: BLOCKED_EVAL_ID, Status: "blocked", CreateIndex: 12, TriggeredBy: "queued-allocs" }),
      evaluation({ FailedTGAllocs: { cache: FAILED_METRIC }, BlockedEval: BLOCKED_EVAL_ID }),
    ]);
    fake.json("GET /v1/job/example/summary", {
      ...SUMMARY,
      Summary: { cache: { ...SUMMARY.Summary.cache, Running: 0, Queued: 3 } },
    });
    const r = await nomad("job", "status", "-evals", "example");
    const out = lines(r.stdout);
    expect(out.slice(out.indexOf("Evaluations"))).toEqual([
      "Evaluations",
      "ID        Priority  Triggered By   Status    Placement Failures",
      "b10cced0  50        queued-allocs  blocked   N/A - In Progress",
      "5744eb15  50        job-register   complete  true",
      "",
      "Placement Failure",
      'Task Group "cache":',
      '  * Constraint "missing drivers": 1 nodes excluded by filter',
      "  * Resources exhausted on 1 nodes",
      '  * Dimension "memory" exhausted on 1 nodes',
      "",
      "Allocations",
      "No allocations placed",
    ]);
  });

  it("a parameterized job shows its payload and metadata block", async () => {
    const param = {
      ...JOB,
      ID: "dispatcher",
      ParameterizedJob: { Payload: "optional", MetaRequired: ["a"], MetaOptional: null },
    };
    fake.json("GET /v1/jobs", (req) =>
      req.query.get("prefix") === "dispatcher" ? [{ ...JOB_STUB, ID: "dispatcher" }] : [],
    );
    fake.json("GET /v1/job/dispatcher", param);
    fake.json("GET /v1/job/dispatcher/allocations", []);
    fake.json("GET /v1/job/dispatcher/evaluations", []);
    fake.json("GET /v1/job/dispatcher/summary", { ...SUMMARY, JobID: "dispatcher" });
    const r = await nomad("job", "status", "dispatcher");
    const out = lines(r.stdout);
    expect(out.slice(out.indexOf("Parameterized Job"))).toEqual([
      "Parameterized Job",
      "Payload           = optional",
      "Required Metadata = a",
      "Optional Metadata = <none>",
      "",
      "Parameterized Job Summary",
      "Pending  Running  Dead",
      "0        0        0",
      "",
      "No dispatched instances of parameterized job found",
    ]);
  });

  it("an unknown job prefix is an error", async () => {
    fake.json("GET /v1/jobs", []);
    const r = await nomad("job", "status", "nope");
    expect(r.stderr).toBe('No job(s) with prefix or ID "nope" found\n');
    expect(r.code).toBe(1);
  });
});

describe("nomad job stop", () => {
  it("-purge -detach deregisters with purge and prints the evaluation ID", async () => {
    fake.json("GET /v1/jobs", [JOB_STUB]);
    fake.json("GET /v1/job/example", JOB);
    fake.json("DELETE /v1/job/example", {
      EvalID: EVAL_ID,
      EvalCreateIndex: 20,
      JobModifyIndex: 20,
      Index: 20,
    });
    const r = await nomad("job", "stop", "-purge", "-detach", "example");
    expect(fake.last("DELETE /v1/job/example").query.get("purge")).toBe("true");
    expect(r.stdout).toBe(`${EVAL_ID}\n`);
    expect(r.code).toBe(0);
  });

  it("monitors the deregistration evaluation", async () => {
    fake.json("GET /v1/jobs", [JOB_STUB]);
    fake.json("GET /v1/job/example", JOB);
    fake.json("DELETE /v1/job/example", {
      EvalID: EVAL_ID,
      EvalCreateIndex: 20,
      JobModifyIndex: 20,
      Index: 20,
    });
    fake.json(
      `GET /v1/evaluation/${EVAL_ID}`,
      evaluation({ TriggeredBy: "job-deregister", CreateIndex: 20 }),
    );
    fake.json(`GET /v1/evaluation/${EVAL_ID}/allocations`, [allocStub({ DesiredStatus: "stop" })]);
    const r = await nomad("job", "stop", "example");
    expect(fake.last("DELETE /v1/job/example").query.has("purge")).toBe(false);
    expect(lines(r.stdout)).toEqual([
      `==> ${TS}: Monitoring evaluation "5744eb15"`,
      `    ${TS}: Evaluation triggered by job "example"`,
      `    ${TS}: Allocation "8ba85cef" modified: node "f7476465", group "cache"`,
      `    ${TS}: Evaluation status changed: "pending" -> "complete"`,
      `==> ${TS}: Evaluation "5744eb15" finished with status "complete"`,
    ]);
    expect(r.code).toBe(0);
  });

  it("-no-shutdown-delay is sent as no_shutdown_delay=true", async () => {
    fake.json("GET /v1/jobs", [JOB_STUB]);
    fake.json("GET /v1/job/example", JOB);
    fake.json("DELETE /v1/job/example", {
      EvalID: EVAL_ID,
      EvalCreateIndex: 20,
      JobModifyIndex: 20,
      Index: 20,
    });
    const r = await nomad("job", "stop", "-detach", "-no-shutdown-delay", "example");
    expect(fake.last("DELETE /v1/job/example").query.get("no_shutdown_delay")).toBe("true");
    expect(r.code).toBe(0);
  });

  it("the top-level `nomad stop` and `nomad run` spellings still work", async () => {
    fake.json("GET /v1/jobs", [JOB_STUB]);
    fake.json("GET /v1/job/example", JOB);
    fake.json("DELETE /v1/job/example", {
      EvalID: EVAL_ID,
      EvalCreateIndex: 20,
      JobModifyIndex: 20,
      Index: 20,
    });
    fake.json("PUT /v1/jobs", {
      EvalID: EVAL_ID,
      EvalCreateIndex: 11,
      JobModifyIndex: 10,
      Warnings: "",
      Index: 11,
    });
    expect((await nomad("stop", "-detach", "example")).stdout).toBe(`${EVAL_ID}\n`);
    expect(fake.last("DELETE /v1/job/example").query.has("no_shutdown_delay")).toBe(false);
    expect((await nomad("run", "-detach", jobFile)).stdout).toBe(
      `Job registration successful\nEvaluation ID: ${EVAL_ID}\n`,
    );
  });

  it("asks for confirmation when the argument is only a prefix", async () => {
    fake.json("GET /v1/jobs", [JOB_STUB]);
    fake.json("GET /v1/job/example", JOB);
    const r = await runCli(["job", "stop", "exa"], { env: { NOMAD_ADDR: fake.address }, answers: ["n"] });
    expect(r.stdout).toBe('Are you sure you want to stop job "example"? [y/N] Cancelling job stop\n');
    expect(r.code).toBe(0);
    expect(fake.requests.some((q) => q.method === "DELETE")).toBe(false);
  });
});

describe("nomad job inspect and plan", () => {
  it("inspect prints {Job} indented by four spaces", async () => {
    fake.json("GET /v1/jobs", [JOB_STUB]);
    fake.json("GET /v1/job/example", JOB);
    const r = await nomad("job", "inspect", "example");
    expect(r.stdout).toBe(`${JSON.stringify({ Job: JOB }, null, 4)}\n`);
    expect(r.code).toBe(0);
  });

  it("plan prints the diff and the dry-run and exits 1 when allocations would be placed", async () => {
    fake.json("PUT /v1/job/example/plan", {
      Index: 0,
      JobModifyIndex: 0,
      Annotations: {
        DesiredTGUpdates: {
          cache: {
            Ignore: 0,
            Place: 1,
            Migrate: 0,
            Stop: 0,
            InPlaceUpdate: 0,
            DestructiveUpdate: 0,
            Canary: 0,
            Preemptions: 0,
          },
        },
      },
      FailedTGAllocs: null,
      CreatedEvals: null,
      Diff: {
        Type: "Added",
        ID: "example",
        Fields: null,
        Objects: null,
        TaskGroups: [
          {
            Type: "Added",
            Name: "cache",
            Fields: null,
            Objects: null,
            Updates: { create: 1 },
            Tasks: [{ Type: "Added", Name: "redis", Annotations: ["forces create"] }],
          },
        ],
      },
      NextPeriodicLaunch: 0,
      Warnings: "",
    });
    const r = await nomad("job", "plan", jobFile);
    expect(JSON.parse(fake.last("PUT /v1/job/example/plan").body)).toMatchObject({
      Diff: true,
      Job: { ID: "example" },
    });
    expect(lines(r.stdout)).toEqual([
      '+ Job: "example"',
      '+ Task Group: "cache" (1 create)',
      '  + Task: "redis" (forces create)',
      "",
      "Scheduler dry-run:",
      "- All tasks successfully allocated.",
      "",
      "Job Modify Index: 0",
      "To submit the job with version verification run:",
      "",
      `nomad job run -check-index 0 ${jobFile}`,
      "",
      "When running the job with the check-index flag, the job will only be run if the",
      "job modify index given matches the server-side version. If the index has",
      "changed, another user has modified the job and the plan's results are",
      "potentially invalid.",
    ]);
    expect(r.code).toBe(1);
  });
});
