import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApiStreamError, NomadApi, type StreamFrame } from "../src/index.js";
import { FakeNomad } from "./fake-server.js";

const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");
const text = (f: StreamFrame): string => Buffer.from(f.Data).toString("utf8");

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

describe("client.logs", () => {
  it("decodes concatenated JSON frames split at arbitrary byte boundaries, skipping heartbeats", async () => {
    const body =
      JSON.stringify({ File: "alloc/logs/web.stdout.0", Offset: 6, Data: b64("hello\n") }) +
      "{}" +
      JSON.stringify({ File: "alloc/logs/web.stdout.0", Offset: 18, Data: b64('wörld {"x"}\n') });
    fake.on("GET /v1/client/fs/logs/a1", async (_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      const bytes = Buffer.from(body, "utf8");
      for (let i = 0; i < bytes.length; i += 7) {
        res.write(bytes.subarray(i, i + 7));
        await new Promise((r) => setImmediate(r));
      }
      res.end();
    });
    const frames: StreamFrame[] = [];
    for await (const f of api.client.logs("a1", { task: "web" })) frames.push(f);
    expect(frames.map(text)).toEqual(["hello\n", 'wörld {"x"}\n']);
    expect(frames.map((f) => f.Offset)).toEqual([6, 18]);
    expect(frames[0]?.File).toBe("alloc/logs/web.stdout.0");
    const q = fake.last("GET /v1/client/fs/logs/a1").query;
    expect(Object.fromEntries(q)).toEqual({
      task: "web",
      type: "stdout",
      follow: "false",
      origin: "start",
      offset: "0",
    });
  });

  it("passes type, follow, origin and offset; breaking out of a followed stream closes the request", async () => {
    let closed = false;
    fake.on("GET /v1/client/fs/logs/a2", (req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.write(JSON.stringify({ File: "alloc/logs/web.stderr.0", Offset: 4, Data: b64("err\n") }));
      res.on("close", () => {
        closed = true;
      });
      void req;
    });
    const it = api.client.logs("a2", {
      task: "web",
      type: "stderr",
      follow: true,
      origin: "end",
      offset: 1200,
    });
    for await (const f of it) {
      expect(text(f)).toBe("err\n");
      break;
    }
    const q = fake.last("GET /v1/client/fs/logs/a2").query;
    expect(q.get("type")).toBe("stderr");
    expect(q.get("follow")).toBe("true");
    expect(q.get("origin")).toBe("end");
    expect(q.get("offset")).toBe("1200");
    await expect.poll(() => closed, { timeout: 10_000 }).toBe(true);
  });

  it("file events come through as frames without data", async () => {
    fake.on("GET /v1/client/fs/logs/a3", (_req, res) => {
      res.writeHead(200);
      res.end(JSON.stringify({ File: "alloc/logs/web.stdout.0", FileEvent: "file truncated" }));
    });
    const frames: StreamFrame[] = [];
    for await (const f of api.client.logs("a3", { task: "web" })) frames.push(f);
    expect(frames).toHaveLength(1);
    expect(frames[0]?.FileEvent).toBe("file truncated");
    expect(frames[0]?.Data.byteLength).toBe(0);
  });

  it("plain=true yields the raw body as chunks", async () => {
    fake.on("GET /v1/client/fs/logs/a4", (_req, res) => {
      res.writeHead(200, { "Content-Type": "text/plain" });
      res.end("raw line\n");
    });
    let out = "";
    for await (const f of api.client.logs("a4", { task: "web", plain: true })) out += text(f);
    expect(out).toBe("raw line\n");
    expect(fake.last("GET /v1/client/fs/logs/a4").query.get("plain")).toBe("true");
  });

  it("an error status before streaming rejects with the ApiError", async () => {
    fake.on("GET /v1/client/fs/logs/a5", (_req, res) => {
      res.writeHead(400);
      res.end("must include task name");
    });
    const consume = async (): Promise<void> => {
      for await (const f of api.client.logs("a5", { task: "" })) void f;
    };
    await expect(consume()).rejects.toThrow("Unexpected response code: 400 (must include task name)");
  });

  it("an Error frame after the stream started ends the iteration with ApiStreamError", async () => {
    fake.on("GET /v1/client/fs/logs/a6", (_req, res) => {
      res.writeHead(200);
      res.write(JSON.stringify({ File: "alloc/logs/web.stdout.0", Offset: 3, Data: b64("ok\n") }));
      res.end(JSON.stringify({ Error: "log file rotated away" }));
    });
    const seen: string[] = [];
    const consume = async (): Promise<void> => {
      for await (const f of api.client.logs("a6", { task: "web" })) seen.push(text(f));
    };
    const err = await consume().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiStreamError);
    expect((err as Error).message).toBe("log file rotated away");
    expect(seen).toEqual(["ok\n"]);
  });
});
