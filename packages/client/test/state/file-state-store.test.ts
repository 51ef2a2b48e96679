import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseAllocation, type TaskState } from "@nomad/structs";
import { FileStateStore } from "../../src/state/file-state-store.js";
import { MemoryStateStore } from "../../src/state/memory-state-store.js";
import { decodeRecord, encodeRecord, CorruptRecordError } from "../../src/state/record.js";
import { StateDirLockedError } from "../../src/state/dir-lock.js";

const ID = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const running = (restarts: number): TaskState => ({
  State: "running",
  Failed: false,
  Restarts: restarts,
  LastRestart: "",
  StartedAt: "",
  FinishedAt: "",
  Events: [],
});
const handle = {
  version: 1 as const,
  driver: "raw_exec",
  taskID: `${ID}/web/0`,
  pid: 1234,
  pgid: 1234,
  startTicks: "99",
  supervisorPid: 1235,
  supervisorStartTicks: "98",
  stateDir: "/tmp/x",
  startedAtMs: 1,
  driverState: {},
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "client-state-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function allocFile(): string {
  return join(dir, "allocs", ID, "alloc.rec");
}

describe("record encoding", () => {
  it("round-trips a value and refuses a torn, flipped or foreign file", () => {
    const bytes = encodeRecord({ a: 1 });
    expect(decodeRecord("f", bytes)).toEqual({ a: 1 });
    expect(() => decodeRecord("f", bytes.subarray(0, bytes.length - 1))).toThrow(/torn/);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 2] = flipped[flipped.length - 2]! ^ 0x01;
    expect(() => decodeRecord("f", flipped)).toThrow(/checksum mismatch/);
    expect(() => decodeRecord("f", Buffer.from('{"a":1}'))).toThrow(CorruptRecordError);
  });
});

describe("FileStateStore", () => {
  it("keeps allocations and task states across a reopen", async () => {
    const store = await FileStateStore.open(dir);
    const alloc = parseAllocation({ ID, Name: "web.web[0]", AllocModifyIndex: 5 });
    await store.putAlloc(alloc);
    await store.putTaskState(ID, "web", { handle, taskState: running(0) });
    await store.putTaskState(ID, "web", { handle, taskState: running(2) });
    await store.putTaskState(ID, "side car/ä", { taskState: running(0) });
    await store.close();

    const again = await FileStateStore.open(dir);
    const { allocs, corrupt } = await again.loadAll();
    expect(corrupt).toEqual([]);
    expect(allocs).toHaveLength(1);
    expect(allocs[0]?.alloc.AllocModifyIndex).toBe(5);
    expect(allocs[0]?.tasks["web"]).toEqual({ handle, taskState: running(2) });
    expect(allocs[0]?.tasks["side car/ä"]?.taskState.Restarts).toBe(0);
    expect(await again.getTaskState(ID, "web")).toEqual({ handle, taskState: running(2) });
    expect(await again.getTaskState(ID, "nope")).toBeUndefined();
  });

  it("deleteAlloc removes the allocation and its task states for good", async () => {
    const store = await FileStateStore.open(dir);
    await store.putAlloc(parseAllocation({ ID }));
    await store.putTaskState(ID, "web", { taskState: running(0) });
    await store.deleteAlloc(ID);
    await store.deleteAlloc(ID); // idempotent
    expect((await store.loadAll()).allocs).toEqual([]);
    const again = await FileStateStore.open(dir);
    expect((await again.loadAll()).allocs).toEqual([]);
    expect(await readdir(join(dir, "allocs"))).toEqual([]);
  });

  it("refuses task state for an allocation it does not keep", async () => {
    const store = await FileStateStore.open(dir);
    await expect(store.putTaskState(ID, "web", { taskState: running(0) })).rejects.toThrow(/no allocation/);
  });

  it("a torn allocation record is detected and reported, not used", async () => {
    const store = await FileStateStore.open(dir);
    await store.putAlloc(parseAllocation({ ID, AllocModifyIndex: 9 }));
    await store.close();
    const full = await readFile(allocFile());
    await truncate(allocFile(), Math.floor(full.length / 2));

    const { allocs, corrupt } = await (await FileStateStore.open(dir)).loadAll();
    expect(allocs).toEqual([]);
    expect(corrupt).toHaveLength(1);
    expect(corrupt[0]?.path).toBe(allocFile());
    expect(corrupt[0]?.reason).toMatch(/torn/);
  });

  it("a flipped bit in a task record is reported; the allocation is still restored without it", async () => {
    const store = await FileStateStore.open(dir);
    await store.putAlloc(parseAllocation({ ID }));
    await store.putTaskState(ID, "web", { handle, taskState: running(1) });
    await store.close();
    const taskPath = join(
      dir,
      "allocs",
      ID,
      (await readdir(join(dir, "allocs", ID))).find((f) => f.startsWith("task-"))!,
    );
    const bytes = await readFile(taskPath);
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0x20;
    await writeFile(taskPath, bytes);

    const again = await FileStateStore.open(dir);
    const { allocs, corrupt } = await again.loadAll();
    expect(allocs.map((a) => a.alloc.ID)).toEqual([ID]);
    expect(allocs[0]?.tasks).toEqual({});
    expect(corrupt).toEqual([{ path: taskPath, reason: "checksum mismatch" }]);
    await expect(again.getTaskState(ID, "web")).rejects.toThrow(CorruptRecordError);
  });

  it("writes to one key land in call order", async () => {
    const store = await FileStateStore.open(dir);
    await store.putAlloc(parseAllocation({ ID }));
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.putTaskState(ID, "web", { taskState: running(i) })),
    );
    expect((await store.getTaskState(ID, "web"))?.taskState.Restarts).toBe(19);
  });
});

/** Runs the writer fixture in a child process; resolves with it once `ready(line)` matches. */
function startWriter(mode: string, ready: (line: string) => boolean) {
  const child = spawn(
    process.execPath,
    [
      "--conditions=@nomad/source",
      "--import",
      "tsx",
      join(__dirname, "fixtures", "state-writer.ts"),
      mode,
      dir,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const seen = new Promise<string[]>((resolve, reject) => {
    const lines: string[] = [];
    let buf = "";
    child.stdout.on("data", (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split("\n");
      buf = parts.pop() ?? "";
      for (const l of parts) {
        lines.push(l);
        if (ready(l)) resolve(lines);
      }
    });
    child.on("exit", (code) => reject(new Error(`writer exited early (${code}): ${stderr}`)));
  });
  const killed = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return { child, seen, killed };
}

describe("FileStateStore durability across a SIGKILL (real child process)", () => {
  it("state acknowledged before the kill is all there after it (and the dead agent's lock is taken over)", async () => {
    const w = startWriter("once", (l) => l.startsWith("durable "));
    await w.seen;
    // While the writer lives, a second agent may not open the same state dir.
    await expect(FileStateStore.open(dir)).rejects.toThrow(StateDirLockedError);
    await expect(FileStateStore.open(dir)).rejects.toThrow(`in use by another agent (pid ${w.child.pid})`);
    w.child.kill("SIGKILL");
    await w.killed;

    const { allocs, corrupt } = await (await FileStateStore.open(dir)).loadAll();
    expect(corrupt).toEqual([]);
    expect(allocs).toHaveLength(1);
    expect(allocs[0]?.alloc.AllocModifyIndex).toBe(7);
    expect(allocs[0]?.tasks["web"]?.taskState.Restarts).toBe(3);
  });

  it("a kill in the middle of writes leaves only whole records (old or new) and no stray temp files", async () => {
    const w = startWriter("loop", (l) => l === "wrote 5");
    const lines = await w.seen;
    w.child.kill("SIGKILL");
    await w.killed;
    const acknowledged = Number(lines.at(-1)?.split(" ")[1]);

    const store = await FileStateStore.open(dir);
    const { allocs, corrupt } = await store.loadAll();
    expect(corrupt).toEqual([]);
    expect(allocs).toHaveLength(1);
    // Everything acknowledged is there; the write in flight may or may not have landed.
    expect(allocs[0]!.alloc.AllocModifyIndex).toBeGreaterThanOrEqual(acknowledged);
    expect(allocs[0]!.tasks["big"]!.taskState.Restarts).toBeGreaterThanOrEqual(acknowledged);
    const files = await readdir(join(dir, "allocs", allocs[0]!.alloc.ID));
    expect(files.filter((f) => f.includes(".tmp-"))).toEqual([]);
  });
});

describe("state dir lock", () => {
  it("is released on close and a stale lock of a process that is gone is taken over", async () => {
    const store = await FileStateStore.open(dir);
    expect((await readFile(join(dir, "lock"), "utf8")).split(" ")[0]).toBe(String(process.pid));
    await store.close();
    await expect(readFile(join(dir, "lock"))).rejects.toThrow(/ENOENT/);
    // A lock left by a crashed agent: a pid with start ticks that match no live process.
    await writeFile(join(dir, "lock"), "999999999 12345\n");
    const again = await FileStateStore.open(dir);
    expect((await readFile(join(dir, "lock"), "utf8")).split(" ")[0]).toBe(String(process.pid));
    await again.close();
  });
});

describe("MemoryStateStore", () => {
  it("keeps copies, not the caller's objects", async () => {
    const store = new MemoryStateStore();
    const alloc = parseAllocation({ ID, AllocModifyIndex: 1 });
    await store.putAlloc(alloc);
    alloc.AllocModifyIndex = 99;
    const state = { taskState: running(0) };
    await store.putTaskState(ID, "web", state);
    state.taskState.Restarts = 42;
    const { allocs } = await store.loadAll();
    expect(allocs[0]?.alloc.AllocModifyIndex).toBe(1);
    expect((await store.getTaskState(ID, "web"))?.taskState.Restarts).toBe(0);
    await store.deleteAlloc(ID);
    expect((await store.loadAll()).allocs).toEqual([]);
  });
});
