import { isRpcError, type RpcError } from "@nomad/rpc";
import { RPC_METHODS, type JobListResponse, type SingleJobResponse } from "@nomad/structs";
import { describe, expect, it } from "vitest";
import { blockingWaitMs } from "../../src/endpoints/index.js";
import { harness, jobJson } from "./harness.js";

async function failure(p: Promise<unknown>): Promise<RpcError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!isRpcError(e)) throw new Error(`expected an RpcError, got ${String(e)}`);
  return e;
}

const SECOND_NS = 1_000_000_000;

describe("blocking queries", () => {
  it("waits past MinQueryIndex until the job changes, then answers with the new index", async () => {
    const h = harness();
    await h.rpc.call("Job.Register", { Job: jobJson("web") });
    const first = await h.rpc.call<SingleJobResponse>("Job.GetJob", { JobID: "web" });
    let answered = false;
    const blocked = h.rpc
      .call<SingleJobResponse>("Job.GetJob", {
        JobID: "web",
        MinQueryIndex: first.Index,
        MaxQueryTime: 60 * SECOND_NS,
      })
      .then((r) => {
        answered = true;
        return r;
      });
    // A write to another job wakes the query, but this job's index has not moved: keep waiting.
    await h.rpc.call("Job.Register", { Job: jobJson("other") });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered).toBe(false);
    await h.rpc.call("Job.Register", { Job: jobJson("web", { Meta: { v: "2" } }) });
    const second = await blocked;
    expect(second.Index).toBeGreaterThan(first.Index);
    expect(second.Job?.Meta["v"]).toBe("2");
  });

  it("answers with the unchanged index when MaxQueryTime passes", async () => {
    const h = harness();
    await h.rpc.call("Job.Register", { Job: jobJson("web") });
    const first = await h.rpc.call<JobListResponse>("Job.List", {});
    const started = Date.now();
    const again = await h.rpc.call<JobListResponse>("Job.List", {
      MinQueryIndex: first.Index,
      MaxQueryTime: SECOND_NS / 10,
    });
    expect(again.Index).toBe(first.Index);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });

  it("returns at once when the caller's signal aborts", async () => {
    const h = harness();
    await h.rpc.call("Job.Register", { Job: jobJson("web") });
    const first = await h.rpc.call<JobListResponse>("Job.List", {});
    const controller = new AbortController();
    const pending = h.rpc.call("Job.List", { MinQueryIndex: first.Index }, { signal: controller.signal });
    controller.abort();
    expect((await failure(pending)).code).toBe("SHUTDOWN");
    expect(h.fsm.state.waiterCount()).toBe(0);
  });

  it("caps MaxQueryTime at 300 s (also the default) and adds at most 1/16 jitter", () => {
    expect(blockingWaitMs({ MaxQueryTime: 10 * SECOND_NS }, () => 0)).toBe(10_000);
    expect(blockingWaitMs({ MaxQueryTime: 10 * SECOND_NS }, () => 0.999)).toBeCloseTo(10_000 + 625, -1);
    expect(blockingWaitMs({ MaxQueryTime: 3600 * SECOND_NS }, () => 0)).toBe(300_000);
    expect(blockingWaitMs({}, () => 0)).toBe(300_000);
  });

  it("Index is at least 1 on an empty state", async () => {
    const h = harness();
    expect((await h.rpc.call<JobListResponse>("Job.List", {})).Index).toBe(1);
  });
});

describe("stale reads and forwarding", () => {
  it("a follower answers AllowStale reads itself with its LastContact, and forwards the others", async () => {
    const h = harness();
    await h.rpc.call("Job.Register", { Job: jobJson("web") });
    h.leading = false;
    const stale = await h.rpc.call<JobListResponse>("Job.List", { AllowStale: true });
    expect(stale.Jobs.map((j) => j.ID)).toEqual(["web"]);
    expect(stale.LastContact).toBe(42);
    expect(stale.KnownLeader).toBe(true);
    expect(await h.rpc.call("Job.List", {})).toEqual({ Forwarded: "Job.List" });
    expect(await h.rpc.call("Node.UpdateStatus", { NodeID: "n1", Status: "ready" })).toEqual({
      Forwarded: "Node.UpdateStatus",
    });
    expect(h.forwarded.map((f) => f.method)).toEqual(["Job.List", "Node.UpdateStatus"]);
  });
});

describe("dispatch and request validation", () => {
  it("every method of RPC_METHODS has an endpoint", async () => {
    const h = harness();
    h.leading = false; // writes forward, so no method needs real state here
    for (const method of RPC_METHODS) {
      const result = await h.rpc.call(method, {}).catch((e: unknown) => e);
      expect(isRpcError(result, "UNKNOWN_METHOD"), method).toBe(false);
    }
  });

  it("an unknown method is UNKNOWN_METHOD; arguments that are not an object are INVALID", async () => {
    const h = harness();
    expect((await failure(h.rpc.call("Job.Explode", {}))).code).toBe("UNKNOWN_METHOD");
    expect((await failure(h.rpc.call("Job.List", [1, 2]))).code).toBe("INVALID");
    expect((await failure(h.rpc.call("Job.List", "x"))).code).toBe("INVALID");
  });

  it("names the field of a bad query option", async () => {
    const h = harness();
    const error = await failure(h.rpc.call("Job.List", { MinQueryIndex: -3 }));
    expect(error.code).toBe("INVALID");
    expect(error.details?.["field"]).toBe("MinQueryIndex");
    expect(error.message).toMatch(/^invalid Job.List request: MinQueryIndex: /);
  });

  it("another region has no path", async () => {
    const h = harness();
    const error = await failure(h.rpc.call("Job.List", { Region: "mars" }));
    expect(error.message).toBe('No path to region "mars"');
  });
});
