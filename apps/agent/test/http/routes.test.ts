import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./fake-backend.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const JOB = {
  ID: "example",
  TaskGroups: [
    {
      Name: "web",
      Tasks: [{ Name: "server", Driver: "raw_exec", Config: { command: "/bin/sleep", args: ["60"] } }],
    },
  ],
};

function put(path: string, body: unknown, method = "PUT"): Promise<Response> {
  return fetch(h.base + path, {
    method,
    body: JSON.stringify(body),
    headers: { "Content-Type": "application/json" },
  });
}

describe("read endpoints map onto RPC with QueryOptions and answer with QueryMeta headers", () => {
  it("GET /v1/jobs passes index, wait, stale, prefix, namespace, region and sets the X-Nomad headers", async () => {
    h.rpc.answer("Job.List", () => ({
      Jobs: [{ ID: "example" }],
      Index: 17,
      KnownLeader: true,
      LastContact: 3,
    }));
    const res = await fetch(`${h.base}/v1/jobs?index=5&wait=10s&stale&prefix=ex&namespace=prod&region=eu`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([{ ID: "example" }]);
    expect(res.headers.get("X-Nomad-Index")).toBe("17");
    expect(res.headers.get("X-Nomad-KnownLeader")).toBe("true");
    expect(res.headers.get("X-Nomad-LastContact")).toBe("3");
    expect(h.rpc.last("Job.List")).toEqual({
      Region: "eu",
      Namespace: "prod",
      MinQueryIndex: 5,
      MaxQueryTime: 10_000_000_000,
      AllowStale: true,
      Prefix: "ex",
    });
  });

  it("defaults namespace to `default` and region to the agent's, and clamps index 0 to 1", async () => {
    h.rpc.answer("Node.List", () => ({ Nodes: null, Index: 0, KnownLeader: false, LastContact: 0 }));
    const res = await fetch(`${h.base}/v1/nodes`);
    expect(await res.json()).toEqual([]);
    expect(res.headers.get("X-Nomad-Index")).toBe("1");
    expect(res.headers.get("X-Nomad-KnownLeader")).toBe("false");
    expect(h.rpc.last("Node.List")).toEqual({ Region: "global", Namespace: "default" });
  });

  it("GET /v1/job/:id, its allocations, evaluations, summary and versions", async () => {
    const meta = { Index: 9, KnownLeader: true, LastContact: 0 };
    h.rpc
      .answer("Job.GetJob", (a) => ({ Job: { ID: a["JobID"] }, ...meta }))
      .answer("Job.Allocations", () => ({ Allocations: [{ ID: "a1" }], ...meta }))
      .answer("Job.Evaluations", () => ({ Evaluations: [{ ID: "e1" }], ...meta }))
      .answer("Job.Summary", () => ({ JobSummary: { JobID: "example" }, ...meta }))
      .answer("Job.GetJobVersions", () => ({ Versions: [{ ID: "example", Version: 1 }], ...meta }));
    expect(await (await fetch(`${h.base}/v1/job/example`)).json()).toEqual({ ID: "example" });
    expect(await (await fetch(`${h.base}/v1/job/example/allocations?all=true`)).json()).toEqual([
      { ID: "a1" },
    ]);
    expect(h.rpc.last("Job.Allocations")).toMatchObject({ JobID: "example", All: true });
    expect(await (await fetch(`${h.base}/v1/job/example/evaluations`)).json()).toEqual([{ ID: "e1" }]);
    expect(await (await fetch(`${h.base}/v1/job/example/summary`)).json()).toEqual({ JobID: "example" });
    const versions = (await (await fetch(`${h.base}/v1/job/example/versions`)).json()) as {
      Versions: unknown[];
    };
    expect(versions.Versions).toEqual([{ ID: "example", Version: 1 }]);
  });

  it("a job, node, alloc or eval that does not exist is a 404 with Nomad's text", async () => {
    const meta = { Index: 1, KnownLeader: true, LastContact: 0 };
    h.rpc
      .answer("Job.GetJob", () => ({ Job: null, ...meta }))
      .answer("Node.GetNode", () => ({ Node: null, ...meta }))
      .answer("Alloc.GetAlloc", () => ({ Alloc: null, ...meta }))
      .answer("Eval.GetEval", () => ({ Eval: null, ...meta }));
    for (const [path, text] of [
      ["/v1/job/nope", "job not found"],
      ["/v1/node/nope", "node not found"],
      ["/v1/allocation/nope", "alloc not found"],
      ["/v1/evaluation/nope", "eval not found"],
    ] as const) {
      const res = await fetch(h.base + path);
      expect(res.status, path).toBe(404);
      expect(await res.text()).toBe(text);
    }
  });

  it("node reads blank the SecretID; allocations, evaluations and their lists map their filters", async () => {
    const meta = { Index: 3, KnownLeader: true, LastContact: 0 };
    h.rpc
      .answer("Node.GetNode", () => ({ Node: { ID: "n1", SecretID: "s3cr3t" }, ...meta }))
      .answer("Node.GetAllocs", () => ({ Allocs: [{ ID: "a1" }], ...meta }))
      .answer("Alloc.List", () => ({ Allocations: [{ ID: "a1" }], ...meta }))
      .answer("Alloc.GetAlloc", () => ({ Alloc: { ID: "a1" }, ...meta }))
      .answer("Eval.List", () => ({ Evaluations: [{ ID: "e1" }], ...meta }))
      .answer("Eval.GetEval", () => ({ Eval: { ID: "e1" }, ...meta }))
      .answer("Eval.Allocations", () => ({ Allocations: [{ ID: "a1" }], ...meta }));
    expect(await (await fetch(`${h.base}/v1/node/n1`)).json()).toEqual({ ID: "n1", SecretID: "" });
    expect(await (await fetch(`${h.base}/v1/node/n1/allocations`)).json()).toEqual([{ ID: "a1" }]);
    expect(await (await fetch(`${h.base}/v1/allocations?prefix=a1`)).json()).toEqual([{ ID: "a1" }]);
    expect(await (await fetch(`${h.base}/v1/allocation/a1`)).json()).toEqual({ ID: "a1" });
    expect(await (await fetch(`${h.base}/v1/evaluations?job=example&status=complete`)).json()).toEqual([
      { ID: "e1" },
    ]);
    expect(h.rpc.last("Eval.List")).toMatchObject({ FilterJobID: "example", FilterEvalStatus: "complete" });
    expect(await (await fetch(`${h.base}/v1/evaluation/e1`)).json()).toEqual({ ID: "e1" });
    expect(await (await fetch(`${h.base}/v1/evaluation/e1/allocations`)).json()).toEqual([{ ID: "a1" }]);
  });

  it("?pretty indents the JSON", async () => {
    h.rpc.answer("Job.List", () => ({ Jobs: [{ ID: "x" }], Index: 2, KnownLeader: true, LastContact: 0 }));
    expect(await (await fetch(`${h.base}/v1/jobs?pretty`)).text()).toBe(
      '[\n    {\n        "ID": "x"\n    }\n]\n',
    );
  });
});

describe("write endpoints", () => {
  it("PUT and POST /v1/jobs register a canonicalised job with Job.Register", async () => {
    h.rpc.answer("Job.Register", () => ({
      EvalID: "e1",
      EvalCreateIndex: 10,
      JobModifyIndex: 10,
      Warnings: "",
      Index: 10,
    }));
    for (const method of ["PUT", "POST"]) {
      const res = await put("/v1/jobs", { Job: JOB }, method);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ EvalID: "e1", Index: 10 });
      expect(res.headers.get("X-Nomad-Index")).toBe("10");
    }
    const args = h.rpc.last("Job.Register") as {
      Job: { ID: string; Namespace: string; Type: string; Priority: number };
      Namespace: string;
    };
    expect(args.Job).toMatchObject({ ID: "example", Namespace: "default", Type: "service", Priority: 50 });
    expect(args.Namespace).toBe("default");
  });

  it("PUT /v1/job/:id refuses a body whose job ID differs", async () => {
    const res = await put("/v1/job/other", { Job: JOB });
    expect(res.status).toBe(400);
    expect(await res.text()).toBe("Job ID does not match name");
  });

  it("DELETE /v1/job/:id?purge=true deregisters with Purge", async () => {
    h.rpc.answer("Job.Deregister", () => ({
      EvalID: "e2",
      EvalCreateIndex: 11,
      JobModifyIndex: 11,
      Index: 11,
    }));
    const res = await fetch(`${h.base}/v1/job/example?purge=true`, { method: "DELETE" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ EvalID: "e2" });
    expect(h.rpc.last("Job.Deregister")).toMatchObject({
      JobID: "example",
      Purge: true,
      Namespace: "default",
    });
  });

  it("plan, evaluate, alloc stop, node drain / eligibility / evaluate", async () => {
    const ok = () => ({ Index: 12 });
    h.rpc
      .answer("Job.Plan", () => ({ Annotations: null, Index: 12 }))
      .answer("Job.Evaluate", ok)
      .answer("Alloc.Stop", () => ({ EvalID: "e3", Index: 12 }))
      .answer("Node.UpdateDrain", ok)
      .answer("Node.UpdateEligibility", ok)
      .answer("Node.Evaluate", ok);
    expect((await put("/v1/job/example/plan", { Job: JOB, Diff: true })).status).toBe(200);
    expect(h.rpc.last("Job.Plan")).toMatchObject({ Diff: true, Job: { ID: "example" } });
    expect((await fetch(`${h.base}/v1/job/example/evaluate`, { method: "POST" })).status).toBe(200);
    expect(h.rpc.last("Job.Evaluate")).toMatchObject({
      JobID: "example",
      EvalOptions: { ForceReschedule: false },
    });
    expect(await (await fetch(`${h.base}/v1/allocation/a1/stop`, { method: "POST" })).json()).toEqual({
      EvalID: "e3",
      Index: 12,
    });
    expect(
      (await put("/v1/node/n1/drain", { DrainSpec: { Deadline: 3_600_000_000_000 }, MarkEligible: false }))
        .status,
    ).toBe(200);
    expect(h.rpc.last("Node.UpdateDrain")).toMatchObject({
      NodeID: "n1",
      DrainStrategy: { DrainSpec: { Deadline: 3_600_000_000_000, IgnoreSystemJobs: false } },
    });
    expect((await put("/v1/node/n1/drain", { DrainSpec: null, MarkEligible: true })).status).toBe(200);
    expect(h.rpc.last("Node.UpdateDrain")).toMatchObject({ DrainStrategy: null, MarkEligible: true });
    expect((await put("/v1/node/n1/eligibility", { Eligibility: "ineligible" })).status).toBe(200);
    expect(h.rpc.last("Node.UpdateEligibility")).toMatchObject({ NodeID: "n1", Eligibility: "ineligible" });
    expect((await fetch(`${h.base}/v1/node/n1/evaluate`, { method: "PUT" })).status).toBe(200);
  });

  it("POST /v1/jobs/parse turns HCL into a job (canonicalised on request)", async () => {
    const hcl = `job "parsed" {\n  group "g" {\n    task "t" {\n      driver = "raw_exec"\n      config {\n        command = "/bin/true"\n      }\n    }\n  }\n}\n`;
    const raw = (await (await put("/v1/jobs/parse", { JobHCL: hcl }, "POST")).json()) as {
      ID: string;
      Priority?: number;
    };
    expect(raw.ID).toBe("parsed");
    expect(raw.Priority).toBeUndefined();
    const canonical = (await (await put("/v1/jobs/parse", { JobHCL: hcl, Canonicalize: true })).json()) as {
      Priority: number;
    };
    expect(canonical.Priority).toBe(50);
    const bad = await put("/v1/jobs/parse", { JobHCL: `job "x" {\n  group "g" {\n    count = \n  }\n}\n` });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/^input\.hcl:3/);
  });
});
