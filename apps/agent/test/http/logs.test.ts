import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LOCAL_ALLOC as ALLOC, startHarness, type Harness } from "./fake-backend.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Splits concatenated JSON objects (`{...}{...}`) as Nomad streams them. */
function frames(text: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  let depth = 0;
  let start = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") {
      if (depth++ === 0) start = i;
    } else if (c === "}" && --depth === 0)
      out.push(JSON.parse(text.slice(start, i + 1)) as Record<string, unknown>);
  }
  return out;
}

describe("/v1/client/fs/logs/:alloc", () => {
  it("streams JSON frames with base64 Data and passes task, type, offset, origin, follow", async () => {
    h.client.frames = [
      { File: "alloc/logs/web.stdout.0", Offset: 6, Data: enc("hello\n") },
      { File: "alloc/logs/web.stdout.0", FileEvent: "file truncated" },
    ];
    const res = await fetch(`${h.base}/v1/client/fs/logs/${ALLOC}?task=web&type=stdout&offset=3&origin=end`);
    expect(res.status).toBe(200);
    const got = frames(await res.text()).filter((f) => Object.keys(f).length > 0);
    expect(got).toEqual([
      { File: "alloc/logs/web.stdout.0", Offset: 6, Data: Buffer.from("hello\n").toString("base64") },
      { File: "alloc/logs/web.stdout.0", FileEvent: "file truncated" },
    ]);
    expect(h.client.lastRequest).toMatchObject({
      allocID: ALLOC,
      task: "web",
      type: "stdout",
      offset: 3,
      origin: "end",
      follow: false,
    });
  });

  it("plain=true answers the raw bytes", async () => {
    h.client.frames = [
      { File: "alloc/logs/web.stderr.0", Offset: 4, Data: enc("one\n") },
      { File: "alloc/logs/web.stderr.0", Offset: 8, Data: enc("two\n") },
    ];
    const res = await fetch(`${h.base}/v1/client/fs/logs/${ALLOC}?task=web&type=stderr&plain=true`);
    expect(await res.text()).toBe("one\ntwo\n");
  });

  it("a failure after the stream started ends it with an Error frame", async () => {
    h.client.frames = [{ File: "alloc/logs/web.stdout.0", Offset: 3, Data: enc("hi\n") }];
    const original = h.client.streamLogs.bind(h.client);
    h.client.streamLogs = async function* (req) {
      yield* original(req);
      throw new Error("log file vanished");
    };
    const res = await fetch(`${h.base}/v1/client/fs/logs/${ALLOC}?task=web&type=stdout`);
    expect(res.status).toBe(200);
    const got = frames(await res.text());
    expect(got.at(-1)).toEqual({ Error: "log file vanished" });
  });

  it("a failure before anything was sent is an HTTP error", async () => {
    h.client.streamLogs = async function* () {
      yield* [];
      throw new Error("task not found");
    };
    const res = await fetch(`${h.base}/v1/client/fs/logs/${ALLOC}?task=nope&type=stdout`);
    expect([res.status, await res.text()]).toEqual([500, "task not found"]);
  });

  it("an allocation this client does not run is 404 `Unknown allocation`", async () => {
    const res = await fetch(`${h.base}/v1/client/fs/logs/nope?task=web&type=stdout`);
    expect([res.status, await res.text()]).toEqual([404, 'Unknown allocation "nope"']);
  });

  it("missing task or bad type/origin/offset are 400", async () => {
    const base = `${h.base}/v1/client/fs/logs/${ALLOC}`;
    expect((await fetch(`${base}?type=stdout`)).status).toBe(400);
    expect((await fetch(`${base}?task=web`)).status).toBe(400);
    expect((await fetch(`${base}?task=web&type=stdin`)).status).toBe(400);
    expect((await fetch(`${base}?task=web&type=stdout&origin=middle`)).status).toBe(400);
    expect((await fetch(`${base}?task=web&type=stdout&offset=-1`)).status).toBe(400);
  });

  it("follow keeps the stream open with heartbeats until the caller leaves, which stops the stream", async () => {
    h.client.frames = [{ File: "alloc/logs/web.stdout.0", Offset: 3, Data: enc("hi\n") }];
    h.client.hold = new Promise(() => undefined);
    const controller = new AbortController();
    const res = await fetch(`${h.base}/v1/client/fs/logs/${ALLOC}?task=web&type=stdout&follow=true`, {
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let text = "";
    while (!text.includes("{}")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(frames(text)[0]).toMatchObject({ Data: Buffer.from("hi\n").toString("base64") });
    expect(text).toContain("{}");
    controller.abort();
    await expect.poll(() => h.client.streamAborted, { timeout: 10_000 }).toBe(true);
  });
});
