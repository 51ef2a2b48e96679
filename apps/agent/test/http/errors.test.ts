import { connect, type Socket } from "node:net";
import { RpcError } from "@nomad/rpc";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./fake-backend.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ maxBodyBytes: 64 * 1024 });
});
afterEach(async () => {
  await h.close();
});

async function status(path: string, init?: RequestInit): Promise<[number, string]> {
  const res = await fetch(h.base + path, init);
  return [res.status, await res.text()];
}

/** Writes raw bytes on a fresh connection and returns what the server answered (or "" if it just closed). */
function raw(bytes: Buffer | string): Promise<string> {
  const url = new URL(h.base);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    let out = "";
    socket.on("data", (d) => (out += d.toString()));
    socket.on("error", () => resolve(out));
    socket.on("close", () => resolve(out));
    socket.on("connect", () => {
      socket.write(bytes);
      socket.end();
    });
  });
}

describe("methods and paths", () => {
  it("a known path with the wrong method is 405 `Invalid method`", async () => {
    expect(await status("/v1/jobs", { method: "DELETE" })).toEqual([405, "Invalid method"]);
    expect(await status("/v1/node/n1/drain")).toEqual([405, "Invalid method"]);
    // Nomad accepts only PUT for a forced GC.
    expect(await status("/v1/system/gc", { method: "POST" })).toEqual([405, "Invalid method"]);
  });

  it("an unknown path is 404", async () => {
    expect((await status("/v1/nope"))[0]).toBe(404);
    expect((await status("/v2/jobs"))[0]).toBe(404);
    expect((await status("/v1/job/x/y/z"))[0]).toBe(404);
  });
});

describe("bad input is a 4xx that names the problem", () => {
  it("malformed JSON", async () => {
    const [code, text] = await status("/v1/jobs", { method: "PUT", body: "{not json" });
    expect(code).toBe(400);
    expect(text).toMatch(/^Failed to parse request body as JSON: /);
  });

  it("a body that is not an object, and a missing Job", async () => {
    expect(await status("/v1/jobs", { method: "PUT", body: "[1,2]" })).toEqual([
      400,
      "Request body must be a JSON object, got an array",
    ]);
    expect(await status("/v1/jobs", { method: "PUT", body: "" })).toEqual([
      400,
      "Request body must be a JSON object, got an empty body",
    ]);
    expect(await status("/v1/jobs", { method: "PUT", body: "{}" })).toEqual([400, "Job must be specified"]);
  });

  it("an invalid job names the field", async () => {
    const body = JSON.stringify({
      Job: { ID: "x", TaskGroups: [{ Name: "g", Tasks: [{ Name: "t", Driver: 5 }] }] },
    });
    const [code, text] = await status("/v1/jobs", { method: "PUT", body });
    expect(code).toBe(400);
    expect(text).toContain("TaskGroups[0].Tasks[0].Driver");
    expect(h.rpc.calls).toEqual([]);
  });

  it("bad index, wait, stale and boolean parameters", async () => {
    expect(await status("/v1/jobs?index=abc")).toEqual([400, "Invalid index"]);
    expect(await status("/v1/jobs?wait=forever")).toEqual([400, "Invalid wait time"]);
    expect((await status("/v1/jobs?stale=maybe"))[1]).toContain("`stale`");
    expect((await status("/v1/job/x?purge=perhaps", { method: "DELETE" }))[1]).toContain("`purge`");
    expect(
      await status("/v1/node/n1/eligibility", { method: "PUT", body: '{"Eligibility":"sometimes"}' }),
    ).toEqual([400, 'invalid scheduling eligibility "sometimes"']);
    expect(
      await status("/v1/node/n1/drain", { method: "PUT", body: '{"DrainSpec":{"Deadline":"1h"}}' }),
    ).toEqual([400, "DrainSpec.Deadline: expected a number of nanoseconds"]);
  });

  it("a body over the limit is 413", async () => {
    const big = JSON.stringify({ Job: { ID: "x".repeat(100 * 1024) } });
    const [code, text] = await status("/v1/jobs", { method: "PUT", body: big });
    expect(code).toBe(413);
    expect(text).toContain("Request body too large");
  });

  it("a body over the limit sent chunked (no Content-Length) is 413 too", async () => {
    const chunk = "x".repeat(16 * 1024);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 8; i++) controller.enqueue(new TextEncoder().encode(chunk));
        controller.close();
      },
    });
    const res = await fetch(`${h.base}/v1/jobs`, { method: "PUT", body, duplex: "half" } as RequestInit);
    expect(res.status).toBe(413);
  });
});

describe("RPC errors become status codes", () => {
  const cases: Array<[RpcError, number, string]> = [
    [new RpcError("INVALID", "job ID is required"), 400, "job ID is required"],
    [new RpcError("NOT_FOUND", "job not found"), 404, "job not found"],
    [new RpcError("NO_LEADER", "no leader elected"), 500, "No cluster leader"],
    [new RpcError("PERMISSION", "Permission denied"), 403, "Permission denied"],
    [new RpcError("TIMEOUT", "Job.List timed out"), 504, "Job.List timed out"],
    [new RpcError("INTERNAL", "boom"), 500, "boom"],
  ];
  for (const [error, code, text] of cases) {
    it(`${error.code} -> ${code}`, async () => {
      h.rpc.answer("Job.List", () => {
        throw error;
      });
      expect(await status("/v1/jobs")).toEqual([code, text]);
    });
  }

  it("a handler that throws a plain Error is a 500, and the agent keeps serving", async () => {
    h.rpc.answer("Job.List", () => {
      throw new TypeError("cannot read properties of undefined");
    });
    expect((await status("/v1/jobs"))[0]).toBe(500);
    h.rpc.answer("Job.List", () => ({ Jobs: [], Index: 1, KnownLeader: true, LastContact: 0 }));
    expect(await status("/v1/jobs")).toEqual([200, "[]"]);
  });
});

describe("connection limit per source IP", () => {
  it("connections past limits.http_max_conns_per_client get 429 and are closed; freed slots are reused", async () => {
    await h.close();
    h = await startHarness({ maxConnsPerClient: 2 });
    const url = new URL(h.base);
    const open = (): Promise<Socket> =>
      new Promise((resolve) => {
        const s = connect(Number(url.port), url.hostname, () => resolve(s));
      });
    const a = await open();
    const b = await open();
    expect(await raw("GET /v1/agent/health HTTP/1.1\r\nHost: x\r\n\r\n")).toContain("429 Too Many Requests");
    a.destroy();
    b.destroy();
    await expect
      .poll(
        async () =>
          (await raw("GET /v1/agent/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).split(
            "\r\n",
          )[0],
        {
          timeout: 10_000,
        },
      )
      .toBe("HTTP/1.1 200 OK");
  });
});

describe("garbage from the network", () => {
  it("random bytes, broken request lines and bad encodings never stop the listener", async () => {
    let seed = 12345;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 20; i++) {
      const bytes = Buffer.alloc(200 + (next() % 800));
      for (let j = 0; j < bytes.length; j++) bytes[j] = next() % 256;
      await raw(bytes);
    }
    expect(await raw("GET /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n")).toContain("400");
    expect(await raw("GARBAGE\r\n\r\n")).toContain("400");
    expect((await status("/v1/job/%E0%A4%A"))[0]).toBe(400);
    expect(
      (await status("/v1/jobs", { method: "PUT", body: Buffer.from([0xff, 0xfe, 0x00, 0x01]) }))[0],
    ).toBe(400);
    h.rpc.answer("Job.List", () => ({ Jobs: [], Index: 1, KnownLeader: true, LastContact: 0 }));
    expect(await status("/v1/jobs")).toEqual([200, "[]"]);
  });
});
