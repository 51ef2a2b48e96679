import { appendFile, mkdir, mkdtemp, rm, truncate, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  FILE_DELETED,
  FILE_TRUNCATED,
  streamLogs,
  type LogFrame,
  type StreamLogsRequest,
} from "../../src/fs/stream-logs.js";

const ALLOC = "0b9f6e0e-1111-4222-8333-444455556666";
let root: string;
let logs: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "client-logs-"));
  logs = join(root, ALLOC, "alloc", "logs");
  await mkdir(logs, { recursive: true });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function req(over: Partial<StreamLogsRequest> = {}): StreamLogsRequest {
  return {
    allocID: ALLOC,
    task: "web",
    type: "stdout",
    follow: false,
    offset: 0,
    origin: "start",
    signal: new AbortController().signal,
    ...over,
  };
}

const text = (f: LogFrame): string => ("Data" in f ? Buffer.from(f.Data).toString() : `<${f.FileEvent}>`);

async function collect(iter: AsyncIterable<LogFrame>): Promise<LogFrame[]> {
  const out: LogFrame[] = [];
  for await (const f of iter) out.push(f);
  return out;
}

/** Consumes a followed stream in the background; `until` polls its accumulated text. */
function follow(over: Partial<StreamLogsRequest> = {}) {
  const ac = new AbortController();
  const frames: LogFrame[] = [];
  const done = (async () => {
    for await (const f of streamLogs(root, req({ follow: true, signal: ac.signal, ...over }), {
      pollIntervalMs: 20,
    }))
      frames.push(f);
  })();
  const all = (): string => frames.map(text).join("");
  async function until(pred: (s: string) => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (!pred(all())) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(all())}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  return { ac, frames, done, all, until };
}

describe("streamLogs", () => {
  it("reads every rotated file in index order from the start, framing Nomad's File and end Offset", async () => {
    await writeFile(join(logs, "web.stdout.0"), "aaa");
    await writeFile(join(logs, "web.stdout.1"), "bbbb");
    await writeFile(join(logs, "web.stdout.2"), "cc");
    await writeFile(join(logs, "web.stderr.0"), "ERR");
    const frames = await collect(streamLogs(root, req()));
    expect(frames).toEqual([
      { File: "alloc/logs/web.stdout.0", Offset: 3, Data: new Uint8Array(Buffer.from("aaa")) },
      { File: "alloc/logs/web.stdout.1", Offset: 4, Data: new Uint8Array(Buffer.from("bbbb")) },
      { File: "alloc/logs/web.stdout.2", Offset: 2, Data: new Uint8Array(Buffer.from("cc")) },
    ]);
    expect((await collect(streamLogs(root, req({ type: "stderr" })))).map(text)).toEqual(["ERR"]);
  });

  it("origin start with an offset skips that many bytes across files", async () => {
    await writeFile(join(logs, "web.stdout.3"), "0123");
    await writeFile(join(logs, "web.stdout.4"), "4567");
    const frames = await collect(streamLogs(root, req({ offset: 6 })));
    expect(frames.map(text).join("")).toBe("67");
    expect(frames[0]).toMatchObject({ File: "alloc/logs/web.stdout.4", Offset: 4 });
  });

  it("origin end with an offset gives the last bytes, reaching back into older files", async () => {
    await writeFile(join(logs, "web.stdout.0"), "0123");
    await writeFile(join(logs, "web.stdout.1"), "4567");
    expect((await collect(streamLogs(root, req({ origin: "end", offset: 2 })))).map(text).join("")).toBe(
      "67",
    );
    expect((await collect(streamLogs(root, req({ origin: "end", offset: 6 })))).map(text).join("")).toBe(
      "234567",
    );
    expect((await collect(streamLogs(root, req({ origin: "end", offset: 100 })))).map(text).join("")).toBe(
      "01234567",
    );
    expect(await collect(streamLogs(root, req({ origin: "end", offset: 0 })))).toEqual([]);
  });

  it("a task without log files gives an empty stream when not following", async () => {
    expect(await collect(streamLogs(root, req({ task: "other" })))).toEqual([]);
  });

  it("large files are cut into frames no bigger than maxFrameBytes", async () => {
    await writeFile(join(logs, "web.stdout.0"), "x".repeat(10_000));
    const frames = await collect(streamLogs(root, req(), { maxFrameBytes: 4096 }));
    expect(frames.map((f) => ("Data" in f ? f.Data.length : 0))).toEqual([4096, 4096, 1808]);
    expect(frames.map((f) => ("Offset" in f ? f.Offset : 0))).toEqual([4096, 8192, 10_000]);
  });

  it("follow tails new data and moves on to the next file on rotation", async () => {
    await writeFile(join(logs, "web.stdout.0"), "one\n");
    const f = follow();
    await f.until((s) => s === "one\n", "first line");
    await appendFile(join(logs, "web.stdout.0"), "two\n");
    await f.until((s) => s === "one\ntwo\n", "appended line");
    // logmon rotates: the old file gets its last bytes, then index 1 appears.
    await appendFile(join(logs, "web.stdout.0"), "three\n");
    await writeFile(join(logs, "web.stdout.1"), "four\n");
    await f.until((s) => s === "one\ntwo\nthree\nfour\n", "rotated file");
    await appendFile(join(logs, "web.stdout.1"), "five\n");
    await f.until((s) => s.endsWith("five\n"), "data in the new file");
    f.ac.abort();
    await f.done;
    expect(f.frames.at(-1)).toMatchObject({ File: "alloc/logs/web.stdout.1", Offset: 10 });
  });

  it("follow waits for the first log file to appear", async () => {
    const f = follow({ task: "late" });
    await new Promise((r) => setTimeout(r, 100));
    await writeFile(join(logs, "late.stdout.0"), "hello");
    await f.until((s) => s === "hello", "the late file");
    f.ac.abort();
    await f.done;
  });

  it("a truncated file gets a 'file truncated' event and is read again from 0", async () => {
    await writeFile(join(logs, "web.stdout.0"), "0123456789");
    const f = follow();
    await f.until((s) => s === "0123456789", "initial data");
    await truncate(join(logs, "web.stdout.0"), 0);
    await appendFile(join(logs, "web.stdout.0"), "new");
    await f.until((s) => s.endsWith(`<${FILE_TRUNCATED}>new`), "truncation event then new data");
    f.ac.abort();
    await f.done;
  });

  it("a file deleted under the reader gets a 'file deleted' event and the stream goes on with the next", async () => {
    await writeFile(join(logs, "web.stdout.0"), "old");
    const f = follow();
    await f.until((s) => s === "old", "initial data");
    await unlink(join(logs, "web.stdout.0"));
    await f.until((s) => s === `old<${FILE_DELETED}>`, "deletion event");
    expect(f.frames.at(-1)).toEqual({ File: "alloc/logs/web.stdout.0", FileEvent: FILE_DELETED });
    await writeFile(join(logs, "web.stdout.1"), "next");
    await f.until((s) => s.endsWith("next"), "the next file");
    f.ac.abort();
    await f.done;
  });

  it("aborting the signal ends a followed stream", async () => {
    await writeFile(join(logs, "web.stdout.0"), "x");
    const f = follow();
    await f.until((s) => s === "x", "data");
    f.ac.abort();
    await expect(f.done).resolves.toBeUndefined();
  });
});
