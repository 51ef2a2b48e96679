import { isRpcError, type RpcError } from "@nomad/rpc";
import type {
  JobDeregisterResponse,
  JobListResponse,
  JobPlanResponse,
  JobRegisterResponse,
  JobSummaryResponse,
  JobVersionsResponse,
  SingleJobResponse,
  JobEvaluationsResponse,
} from "@nomad/structs";
import { describe, expect, it } from "vitest";
import { harness, jobJson, START_MS } from "./harness.js";

async function failure(p: Promise<unknown>): Promise<RpcError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!isRpcError(e)) throw new Error(`expected an RpcError, got ${String(e)}`);
  return e;
}

describe("Job.Register", () => {
  it("stores the job with SubmitTime set here and creates a job-register eval", async () => {
    const h = harness();
    const reply = await h.rpc.call<JobRegisterResponse>("Job.Register", { Job: jobJson("web") });
    expect(reply.EvalID).not.toBe("");
    expect(reply.EvalCreateIndex).toBe(reply.Index);
    const snap = h.fsm.state.snapshot();
    const stored = snap.jobByID("default", "web");
    expect(stored?.SubmitTime).toBe(START_MS * 1e6);
    expect(reply.JobModifyIndex).toBe(stored?.JobModifyIndex);
    const evaluation = snap.evalByID(reply.EvalID);
    expect(evaluation).toMatchObject({
      TriggeredBy: "job-register",
      JobID: "web",
      Status: "pending",
      Type: "service",
      Priority: 50,
      CreateTime: START_MS * 1e6,
    });
  });

  it("creates no eval for a periodic or a parameterized job", async () => {
    const h = harness();
    const periodic = await h.rpc.call<JobRegisterResponse>("Job.Register", {
      Job: jobJson("cron", { Type: "batch", Periodic: { Enabled: true, Spec: "*/5 * * * *" } }),
    });
    const parameterized = await h.rpc.call<JobRegisterResponse>("Job.Register", {
      Job: jobJson("dispatch", { Type: "batch", ParameterizedJob: { Payload: "optional" } }),
    });
    expect(periodic.EvalID).toBe("");
    expect(parameterized.EvalID).toBe("");
    expect(h.fsm.state.snapshot().evals()).toHaveLength(0);
  });

  it("uses EvalPriority for the eval when given", async () => {
    const h = harness();
    const reply = await h.rpc.call<JobRegisterResponse>("Job.Register", {
      Job: jobJson("web"),
      EvalPriority: 90,
    });
    expect(h.fsm.state.snapshot().evalByID(reply.EvalID)?.Priority).toBe(90);
  });

  it("EnforceIndex refuses with Nomad's messages", async () => {
    const h = harness();
    const first = await h.rpc.call<JobRegisterResponse>("Job.Register", {
      Job: jobJson("web"),
      EnforceIndex: true,
      JobModifyIndex: 0,
    });
    expect(
      (
        await failure(
          h.rpc.call("Job.Register", { Job: jobJson("web"), EnforceIndex: true, JobModifyIndex: 0 }),
        )
      ).message,
    ).toBe("Enforcing job modify index 0: job already exists");
    expect(
      (
        await failure(
          h.rpc.call("Job.Register", { Job: jobJson("web"), EnforceIndex: true, JobModifyIndex: 999 }),
        )
      ).message,
    ).toBe(
      `Enforcing job modify index 999: job exists with conflicting job modify index: ${first.JobModifyIndex}`,
    );
    expect(
      (
        await failure(
          h.rpc.call("Job.Register", { Job: jobJson("other"), EnforceIndex: true, JobModifyIndex: 5 }),
        )
      ).message,
    ).toBe("Enforcing job modify index 5: job does not exist");
    const ok = await h.rpc.call<JobRegisterResponse>("Job.Register", {
      Job: jobJson("web", { Meta: { v: "2" } }),
      EnforceIndex: true,
      JobModifyIndex: first.JobModifyIndex,
    });
    expect(ok.JobModifyIndex).toBeGreaterThan(first.JobModifyIndex);
  });

  it("PreserveCounts keeps the counts of the registered groups", async () => {
    const h = harness();
    const withCount = jobJson("web");
    (withCount["TaskGroups"] as { Count: number }[])[0]!.Count = 3;
    await h.rpc.call("Job.Register", { Job: withCount });
    const changed = jobJson("web", { Meta: { v: "2" } });
    await h.rpc.call("Job.Register", { Job: changed, PreserveCounts: true });
    expect(h.fsm.state.snapshot().jobByID("default", "web")?.TaskGroups[0]?.Count).toBe(3);
  });

  it("refuses an invalid job with INVALID naming the field", async () => {
    const h = harness();
    const bad = jobJson("web");
    bad["Priority"] = 500;
    const error = await failure(h.rpc.call("Job.Register", { Job: bad }));
    expect(error.code).toBe("INVALID");
    expect(error.message).toMatch(/Priority/);
    expect(error.details?.["field"]).toBe("Job.Priority");
    const missing = await failure(h.rpc.call("Job.Register", {}));
    expect(missing.code).toBe("INVALID");
    expect(missing.message).toMatch(/Job: missing job/);
    expect(h.applied).toHaveLength(0);
  });

  it("a follower validates, then forwards to the leader without applying", async () => {
    const h = harness();
    h.leading = false;
    const args = { Job: jobJson("web") };
    expect(await h.rpc.call("Job.Register", args)).toEqual({ Forwarded: "Job.Register" });
    expect(h.forwarded.map((f) => f.method)).toEqual(["Job.Register"]);
    expect(h.applied).toHaveLength(0);
    await failure(h.rpc.call("Job.Register", { Job: { ID: "" } }));
    expect(h.forwarded).toHaveLength(1);
  });
});

describe("Job.Deregister", () => {
  it("stop keeps the job (Stop = true, new version) and creates a job-deregister eval", async () => {
    const h = harness();
    await h.rpc.call("Job.Register", { Job: jobJson("web") });
    const reply = await h.rpc.call<JobDeregisterResponse>("Job.Deregister", { JobID: "web" });
    const snap = h.fsm.state.snapshot();
    expect(snap.jobByID("default", "web")?.Stop).toBe(true);
    expect(snap.evalByID(reply.EvalID)?.TriggeredBy).toBe("job-deregister");
    expect(reply.JobModifyIndex).toBe(reply.Index);
  });

  it("purge removes the job and its versions", async () => {
    const h = harness();
    await h.rpc.call("Job.Register", { Job: jobJson("web") });
    await h.rpc.call("Job.Deregister", { JobID: "web", Purge: true });
    const snap = h.fsm.state.snapshot();
    expect(snap.jobByID("default", "web")).toBeUndefined();
    expect(snap.jobVersions("default", "web")).toHaveLength(0);
  });

  it("an unknown job is NOT_FOUND, a missing JobID is INVALID", async () => {
    const h = harness();
    expect((await failure(h.rpc.call("Job.Deregister", { JobID: "nope" }))).code).toBe("NOT_FOUND");
    const invalid = await failure(h.rpc.call("Job.Deregister", {}));
    expect(invalid.code).toBe("INVALID");
    expect(invalid.details?.["field"]).toBe("JobID");
  });
});

describe("job reads", () => {
  it("Job.GetJob, Job.GetJobVersions, Job.Summary and Job.Evaluations answer with QueryMeta", async () => {
    const h = harness();
    const first = await h.rpc.call<JobRegisterResponse>("Job.Register", { Job: jobJson("web") });
    await h.rpc.call("Job.Register", { Job: jobJson("web", { Meta: { v: "2" } }) });
    const got = await h.rpc.call<SingleJobResponse>("Job.GetJob", { JobID: "web" });
    expect(got.Job?.Version).toBe(1);
    expect(got.Index).toBe(got.Job?.ModifyIndex);
    expect(got.KnownLeader).toBe(true);
    expect(got.LastContact).toBe(0);
    const missing = await h.rpc.call<SingleJobResponse>("Job.GetJob", { JobID: "nope" });
    expect(missing.Job).toBeNull();
    expect(missing.Index).toBeGreaterThanOrEqual(1);
    const versions = await h.rpc.call<JobVersionsResponse>("Job.GetJobVersions", { JobID: "web" });
    expect(versions.Versions.map((v) => v.Version)).toEqual([1, 0]);
    const summary = await h.rpc.call<JobSummaryResponse>("Job.Summary", { JobID: "web" });
    expect(summary.JobSummary?.Summary["web"]).toBeDefined();
    const evals = await h.rpc.call<JobEvaluationsResponse>("Job.Evaluations", { JobID: "web" });
    expect(evals.Evaluations.map((e) => e.ID)).toContain(first.EvalID);
  });

  it("Job.List returns stubs with their JobSummary, filtered by Prefix and Namespace", async () => {
    const h = harness();
    await h.rpc.call("Job.Register", { Job: jobJson("web") });
    await h.rpc.call("Job.Register", { Job: jobJson("api") });
    await h.rpc.call("Job.Register", { Job: jobJson("web-2", { Namespace: "prod" }) });
    const all = await h.rpc.call<JobListResponse>("Job.List", { Namespace: "*" });
    expect(all.Jobs.map((j) => j.ID).sort()).toEqual(["api", "web", "web-2"]);
    const stub = all.Jobs.find((j) => j.ID === "web");
    expect(stub).toMatchObject({
      Type: "service",
      Status: "pending",
      Periodic: false,
      ParameterizedJob: false,
    });
    expect(stub?.JobSummary?.JobID).toBe("web");
    const byDefault = await h.rpc.call<JobListResponse>("Job.List", {});
    expect(byDefault.Jobs.map((j) => j.ID)).toEqual(["api", "web"]);
    const prefixed = await h.rpc.call<JobListResponse>("Job.List", { Namespace: "*", Prefix: "we" });
    expect(prefixed.Jobs.map((j) => j.ID)).toEqual(["web", "web-2"]);
    expect(all.Index).toBe(Math.max(h.fsm.state.index("jobs"), h.fsm.state.index("job_summary")));
  });
});

describe("Job.Plan and Job.Evaluate", () => {
  it("Job.Plan runs the leader's dry run, commits nothing and reports a diff when asked", async () => {
    const h = harness();
    h.seed({ type: "NodeRegister", Node: (await import("./harness.js")).node("n1") });
    const plan = await h.rpc.call<JobPlanResponse>("Job.Plan", { Job: jobJson("web"), Diff: true });
    expect(plan.Annotations?.DesiredTGUpdates["web"]?.Place).toBe(1);
    expect(plan.JobModifyIndex).toBe(0);
    expect((plan.Diff as { Type: string }).Type).toBe("Added");
    expect(h.applied).toHaveLength(0);
    expect(h.fsm.state.snapshot().jobByID("default", "web")).toBeUndefined();
  });

  it("Job.Evaluate creates a new eval for a registered job; periodic jobs are refused", async () => {
    const h = harness();
    await h.rpc.call("Job.Register", { Job: jobJson("web") });
    const reply = await h.rpc.call<JobRegisterResponse>("Job.Evaluate", { JobID: "web" });
    expect(h.fsm.state.snapshot().evalByID(reply.EvalID)?.TriggeredBy).toBe("job-register");
    await h.rpc.call("Job.Register", {
      Job: jobJson("cron", { Type: "batch", Periodic: { Enabled: true, Spec: "* * * * *" } }),
    });
    expect((await failure(h.rpc.call("Job.Evaluate", { JobID: "cron" }))).message).toBe(
      "can't evaluate periodic job",
    );
    expect((await failure(h.rpc.call("Job.Evaluate", { JobID: "nope" }))).code).toBe("NOT_FOUND");
  });
});
