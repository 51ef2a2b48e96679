// The client with its real AllocRunner and raw_exec driver (real processes, real files),
// against the in-memory fake server: a task started from the watch, its logs streamed, the
// agent stopped and started again on the same data dir, the same process re-attached.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseJob } from "@nomad/structs";
import { NomadClient } from "../../src/client.js";
import type { ClientConfigInput } from "../../src/config.js";
import type { LogFrame } from "../../src/fs/stream-logs.js";
import { FileStateStore } from "../../src/state/file-state-store.js";
import { FakeServer, waitFor } from "./fakes.js";

const ALLOC = "5e5e5e5e-0000-4000-8000-00000000beef";
let dataDir: string;
let server: FakeServer;
const clients: NomadClient[] = [];
const pids: number[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "nomad-client-real-"));
  server = new FakeServer();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.shutdown()));
  for (const pid of pids.splice(0)) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  await rm(dataDir, { recursive: true, force: true });
});

function config(): ClientConfigInput {
  return {
    dataDir,
    nodeName: "real",
    rawExecEnabled: true,
    execEnabled: false,
    initialHeartbeatStaggerMs: 0,
    registerRetryMs: 100,
    allocSyncIntervalMs: 50,
    logPollIntervalMs: 50,
  };
}

async function start(): Promise<NomadClient> {
  const c = await NomadClient.start(config(), { rpc: server.rpc() });
  clients.push(c);
  return c;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function taskPid(): Promise<number> {
  const store = await FileStateStore.open(join(dataDir, "client"));
  const { allocs } = await store.loadAll();
  const pid = allocs.find((a) => a.alloc.ID === ALLOC)?.tasks["web"]?.handle?.pid;
  if (pid === undefined) throw new Error("no task handle persisted");
  return pid;
}

async function readLogs(client: NomadClient, until: (s: string) => boolean): Promise<string> {
  const ac = new AbortController();
  let text = "";
  const timer = setTimeout(() => ac.abort(), 20_000);
  for await (const f of client.streamLogs({
    allocID: ALLOC,
    task: "web",
    type: "stdout",
    follow: true,
    offset: 0,
    origin: "start",
    signal: ac.signal,
  }) as AsyncIterable<LogFrame>) {
    if ("Data" in f) text += Buffer.from(f.Data).toString();
    if (until(text)) break;
  }
  clearTimeout(timer);
  return text;
}

describe("NomadClient with the real AllocRunner (raw_exec)", () => {
  it("runs a task from the watch, streams its logs, re-attaches to it after a restart, and stops it when told", async () => {
    const first = await start();
    const job = parseJob({
      ID: "web",
      Type: "service",
      TaskGroups: [
        {
          Name: "web",
          Tasks: [
            {
              Name: "web",
              Driver: "raw_exec",
              Config: {
                command: "/bin/sh",
                args: ["-c", "echo hello; while true; do echo tick; sleep 0.2; done"],
              },
              KillTimeout: 2_000_000_000,
              Resources: { CPU: 100, MemoryMB: 64 },
            },
          ],
        },
      ],
    });
    server.place(first.nodeID, ALLOC, { Job: job, TaskGroup: "web", Name: "web.web[0]" });
    await waitFor(
      () => server.allocs.get(ALLOC)?.ClientStatus === "running",
      "task running (reported to the server)",
    );
    expect(await readLogs(first, (s) => s.includes("hello\ntick\n"))).toMatch(/^hello\ntick\n/);
    const pid = await taskPid();
    pids.push(pid);

    await first.shutdown();
    clients.splice(clients.indexOf(first), 1);
    expect(isAlive(pid)).toBe(true); // the agent stopped, the task did not

    const second = await start();
    expect(second.hasAlloc(ALLOC)).toBe(true);
    expect(await taskPid()).toBe(pid); // re-attached, not started again
    const before = (await readLogs(second, (s) => s.length > 0)).length;
    const more = await readLogs(second, (s) => s.length > before + 10);
    expect(more.startsWith("hello\n")).toBe(true);

    server.stop(ALLOC);
    await waitFor(
      () => server.allocs.get(ALLOC)?.ClientStatus === "complete",
      "stopped task reported complete",
    );
    await waitFor(() => !isAlive(pid), "task process gone");
  }, 60_000);
});
