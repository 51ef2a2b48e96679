import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { ApiConnectionError, ApiError, JoinError, NomadApi } from "../src/index.js";
import { FakeNomad } from "./fake-server.js";

const JOB_STUB = {
  ID: "example",
  ParentID: "",
  Name: "example",
  Namespace: "default",
  Datacenters: ["dc1"],
  NodePool: "default",
  Type: "service",
  Priority: 50,
  Periodic: false,
  ParameterizedJob: false,
  Stop: false,
  Status: "running",
  StatusDescription: "",
  JobSummary: null,
  CreateIndex: 10,
  ModifyIndex: 12,
  JobModifyIndex: 10,
  SubmitTime: 1764032400000000000,
};

let fake: FakeNomad;
let api: NomadApi;

beforeEach(async () => {
  fake = new FakeNomad();
  await fake.start();
  api = new NomadApi({ address: fake.address, env: {} });
});
afterEach(async () => {
  await fake.stop();
});

describe("NomadApi defaults", () => {
  it("reads NOMAD_ADDR, NOMAD_REGION, NOMAD_NAMESPACE and NOMAD_TOKEN from the environment", async () => {
    fake.json("GET /v1/jobs", []);
    const envApi = new NomadApi({
      env: { NOMAD_ADDR: fake.address, NOMAD_REGION: "eu", NOMAD_NAMESPACE: "prod", NOMAD_TOKEN: "s3cret" },
    });
    expect(envApi.address).toBe(fake.address);
    await envApi.jobs.list();
    const req = fake.last("GET /v1/jobs");
    expect(req.query.get("region")).toBe("eu");
    expect(req.query.get("namespace")).toBe("prod");
    expect(req.headers["x-nomad-token"]).toBe("s3cret");
  });

  it("defaults to http://127.0.0.1:4646 and accepts an address without a scheme", () => {
    expect(new NomadApi({ env: {} }).address).toBe("http://127.0.0.1:4646");
    expect(new NomadApi({ address: "10.0.0.1:4646/", env: {} }).address).toBe("http://10.0.0.1:4646");
  });

  it("explicit options win over the environment, per-call options over both", async () => {
    fake.json("GET /v1/jobs", []);
    const a = new NomadApi({ address: fake.address, namespace: "a", env: { NOMAD_NAMESPACE: "env" } });
    await a.jobs.list();
    expect(fake.last("GET /v1/jobs").query.get("namespace")).toBe("a");
    await a.jobs.list({ namespace: "*" });
    expect(fake.last("GET /v1/jobs").query.get("namespace")).toBe("*");
  });
});

describe("reads", () => {
  it("return the body as value and the X-Nomad-* headers as meta", async () => {
    fake.json("GET /v1/jobs", [JOB_STUB], {
      "X-Nomad-Index": "42",
      "X-Nomad-KnownLeader": "true",
      "X-Nomad-LastContact": "7",
    });
    const { value, meta } = await api.jobs.list();
    expect(value).toEqual([JOB_STUB]);
    expect(meta).toEqual({ index: 42, knownLeader: true, lastContact: 7 });
  });

  it("a blocking query sends index and wait (milliseconds or Go duration)", async () => {
    fake.json("GET /v1/job/example/allocations", []);
    await api.jobs.allocations("example", { all: true }, { index: 41, wait: 2500 });
    let q = fake.last("GET /v1/job/example/allocations").query;
    expect(q.get("index")).toBe("41");
    expect(q.get("wait")).toBe("2500ms");
    expect(q.get("all")).toBe("true");
    await api.jobs.allocations("example", {}, { index: 5, wait: "5m", stale: true });
    q = fake.last("GET /v1/job/example/allocations").query;
    expect(q.get("wait")).toBe("5m");
    expect(q.get("stale")).toBe("true");
    expect(q.has("all")).toBe(false);
  });

  it("prefix and filter go to the query string; IDs are escaped in the path", async () => {
    fake.json("GET /v1/nodes", []);
    fake.json("GET /v1/job/a%20b", {});
    await api.nodes.list({ prefix: "ab12", os: true });
    const q = fake.last("GET /v1/nodes").query;
    expect(q.get("prefix")).toBe("ab12");
    expect(q.get("os")).toBe("true");
    await api.jobs.read("a b");
    expect(fake.requests.at(-1)?.path).toBe("/v1/job/a%20b");
  });

  it("a missing index header reads as 0 and knownLeader false", async () => {
    fake.on("GET /v1/status/leader", (_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end('"127.0.0.1:4647"');
    });
    const { value, meta } = await api.status.leader();
    expect(value).toBe("127.0.0.1:4647");
    expect(meta).toEqual({ index: 0, knownLeader: false, lastContact: 0 });
  });
});

describe("errors", () => {
  it("a non-2xx answer is an ApiError with Nomad's message", async () => {
    fake.on("GET /v1/job/nope", (_req, res) => {
      res.writeHead(404, { "Content-Type": "text/plain" });
      res.end("job not found");
    });
    const err = await api.jobs.read("nope").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(404);
    expect((err as ApiError).body).toBe("job not found");
    expect((err as ApiError).message).toBe("Unexpected response code: 404 (job not found)");
  });

  it("an unreachable agent is an ApiConnectionError in Go's wording", async () => {
    const port = await closedPort();
    const dead = new NomadApi({ address: `http://127.0.0.1:${port}`, env: {} });
    const err = await dead.jobs.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiConnectionError);
    expect((err as Error).message).toBe(
      `Get "http://127.0.0.1:${port}/v1/jobs": dial tcp 127.0.0.1:${port}: connect: connection refused`,
    );
  });
});

describe("writes", () => {
  it("register sends {Job, EnforceIndex, JobModifyIndex} with PUT /v1/jobs", async () => {
    fake.json("PUT /v1/jobs", {
      EvalID: "e1",
      EvalCreateIndex: 11,
      JobModifyIndex: 11,
      Warnings: "",
      Index: 11,
    });
    const job = { ID: "example", TaskGroups: [] } as never;
    const res = await api.jobs.register(job, { enforceIndex: true, jobModifyIndex: 0 });
    expect(res.EvalID).toBe("e1");
    expect(JSON.parse(fake.last("PUT /v1/jobs").body)).toEqual({
      Job: job,
      EnforceIndex: true,
      JobModifyIndex: 0,
    });
  });

  it("deregister sends purge as a query parameter with DELETE", async () => {
    fake.json("DELETE /v1/job/example", { EvalID: "e2", EvalCreateIndex: 13, JobModifyIndex: 13, Index: 13 });
    const res = await api.jobs.deregister("example", { purge: true }, { namespace: "prod" });
    expect(res.EvalID).toBe("e2");
    const q = fake.last("DELETE /v1/job/example").query;
    expect(q.get("purge")).toBe("true");
    expect(q.get("namespace")).toBe("prod");
  });

  it("node drain and eligibility send Nomad's bodies", async () => {
    fake.json("PUT /v1/node/n1/drain", { EvalIDs: [], EvalCreateIndex: 0, NodeModifyIndex: 20, Index: 20 });
    fake.json("PUT /v1/node/n1/eligibility", {
      EvalIDs: [],
      EvalCreateIndex: 0,
      NodeModifyIndex: 21,
      Index: 21,
    });
    await api.nodes.drain("n1", {
      drainSpec: { Deadline: 3.6e12, IgnoreSystemJobs: false },
      markEligible: true,
    });
    expect(JSON.parse(fake.last("PUT /v1/node/n1/drain").body)).toEqual({
      NodeID: "n1",
      DrainSpec: { Deadline: 3.6e12, IgnoreSystemJobs: false },
      MarkEligible: true,
      Meta: {},
    });
    await api.nodes.drain("n1", { drainSpec: null });
    expect(JSON.parse(fake.last("PUT /v1/node/n1/drain").body).DrainSpec).toBeNull();
    await api.nodes.eligibility("n1", false);
    expect(JSON.parse(fake.last("PUT /v1/node/n1/eligibility").body)).toEqual({
      NodeID: "n1",
      Eligibility: "ineligible",
    });
  });

  it("system gc accepts an empty 200", async () => {
    fake.on("PUT /v1/system/gc", (_req, res) => {
      res.writeHead(200);
      res.end();
    });
    await expect(api.system.gc()).resolves.toBeUndefined();
  });

  it("agent join repeats address and reports num_joined; an error with a partial join is a JoinError", async () => {
    fake.json("PUT /v1/agent/join", { num_joined: 2, error: "" });
    await expect(api.agent.join(["10.0.0.2", "10.0.0.3:4648"])).resolves.toBe(2);
    expect(fake.last("PUT /v1/agent/join").query.getAll("address")).toEqual(["10.0.0.2", "10.0.0.3:4648"]);
    fake.json("PUT /v1/agent/join", { num_joined: 1, error: "dial tcp 10.0.0.3:4648: refused" });
    const err = await api.agent.join(["a", "b"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JoinError);
    expect((err as JoinError).numJoined).toBe(1);
  });

  it("force-leave sends node and prune", async () => {
    fake.on("PUT /v1/agent/force-leave", (_req, res) => {
      res.writeHead(200);
      res.end();
    });
    await api.agent.forceLeave("s2.global", { prune: true });
    const q = fake.last("PUT /v1/agent/force-leave").query;
    expect(q.get("node")).toBe("s2.global");
    expect(q.get("prune")).toBe("true");
  });
});

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
