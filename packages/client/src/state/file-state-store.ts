// Durable client state on disk, under <state_dir>:
//
//   <state_dir>/allocs/<alloc_id>/alloc.rec            the allocation
//   <state_dir>/allocs/<alloc_id>/task-<hex name>.rec  one task's handle + state
//
// Why one file per record, each replaced atomically (durable-file.ts), rather than an
// append log: the client writes rarely (an allocation update, a task state transition) and
// each write replaces one value whole, so there is nothing to replay and nothing to compact;
// a crash in the middle of a write can only leave a temporary file, never damage the
// previous version of the record or any other record; and deleting an allocation is one
// directory rename. The cost, two fsyncs per write, is small at this write rate. Every
// record carries a CRC (record.ts): a record that fails its checks is reported by `loadAll`
// and left out (the servers re-send the allocation), never used.
//
// A write resolves only after its data and the rename are on disk. Writes to one key are
// applied in call order.

import { mkdir, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { AllocationSchema, TaskStateSchema, type Allocation } from "@nomad/structs";
import type {
  ClientStateStore,
  CorruptEntry,
  PersistedTaskHandle,
  PersistedTaskState,
  RestoredAlloc,
} from "./alloc-state-store.js";
import { fsyncDir, removeStrayTemps, TEMP_MARKER, writeFileDurable } from "./durable-file.js";
import { lockStateDir } from "./dir-lock.js";
import { CorruptRecordError, decodeRecord, encodeRecord } from "./record.js";

const ALLOC_RECORD = "alloc.rec";
const TASK_PREFIX = "task-";
const RECORD_SUFFIX = ".rec";
const DELETED_PREFIX = ".deleted-";

function taskFile(task: string): string {
  // Task names are user input: hex keeps any name a single safe path component.
  return `${TASK_PREFIX}${Buffer.from(task, "utf8").toString("hex")}${RECORD_SUFFIX}`;
}

function taskNameOf(file: string): string | undefined {
  if (!file.startsWith(TASK_PREFIX) || !file.endsWith(RECORD_SUFFIX)) return undefined;
  const hex = file.slice(TASK_PREFIX.length, -RECORD_SUFFIX.length);
  return /^(?:[0-9a-f]{2})+$/.test(hex) ? Buffer.from(hex, "hex").toString("utf8") : undefined;
}

function assertAllocID(id: string): void {
  if (id === "" || id.includes("/") || id.includes("\0") || id.startsWith(".")) {
    throw new Error(`client state: alloc ID ${JSON.stringify(id)} is not a valid file name`);
  }
}

export class FileStateStore implements ClientStateStore {
  readonly allocsDir: string;
  /** Last pending write per file path, so writes to one key land in call order. */
  private readonly chains = new Map<string, Promise<void>>();
  /** Alloc dirs whose directory entry is known to be durable. */
  private readonly knownDirs = new Set<string>();
  private deletedCounter = 0;
  private closed = false;
  private unlock: () => Promise<void> = async () => undefined;

  private constructor(readonly stateDir: string) {
    this.allocsDir = join(stateDir, "allocs");
  }

  /**
   * Opens (creating if needed) the store, taking the state dir's lock (StateDirLockedError
   * while another live agent holds it), and removes what an interrupted write or delete left.
   */
  static async open(stateDir: string): Promise<FileStateStore> {
    const store = new FileStateStore(stateDir);
    await mkdir(store.allocsDir, { recursive: true, mode: 0o700 });
    await fsyncDir(stateDir);
    store.unlock = await lockStateDir(stateDir);
    for (const name of await readdir(store.allocsDir)) {
      if (name.startsWith(DELETED_PREFIX) || name.includes(TEMP_MARKER)) {
        await rm(join(store.allocsDir, name), { recursive: true, force: true });
      } else {
        await removeStrayTemps(join(store.allocsDir, name));
      }
    }
    return store;
  }

  async putAlloc(alloc: Allocation): Promise<void> {
    assertAllocID(alloc.ID);
    const dir = await this.allocDir(alloc.ID, true);
    await this.write(join(dir, ALLOC_RECORD), encodeRecord(alloc));
  }

  async putTaskState(allocID: string, task: string, state: PersistedTaskState): Promise<void> {
    assertAllocID(allocID);
    const dir = await this.allocDir(allocID, false);
    await this.write(join(dir, taskFile(task)), encodeRecord(state));
  }

  async getTaskState(allocID: string, task: string): Promise<PersistedTaskState | undefined> {
    assertAllocID(allocID);
    const path = join(this.allocsDir, allocID, taskFile(task));
    await this.chains.get(path);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
    return parseTaskState(path, decodeRecord(path, bytes));
  }

  async deleteAlloc(id: string): Promise<void> {
    assertAllocID(id);
    const dir = join(this.allocsDir, id);
    // Let writes already issued land first, so none recreates a file after the delete.
    await Promise.all([...this.chains].filter(([p]) => p.startsWith(dir + "/")).map(([, c]) => c));
    const grave = join(this.allocsDir, `${DELETED_PREFIX}${id}-${process.pid}-${++this.deletedCounter}`);
    try {
      await rename(dir, grave);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
      throw e;
    }
    // The rename is the commit point: once durable, a restart no longer sees the alloc.
    await fsyncDir(this.allocsDir);
    this.knownDirs.delete(dir);
    await rm(grave, { recursive: true, force: true });
  }

  async loadAll(): Promise<{ allocs: RestoredAlloc[]; corrupt: CorruptEntry[] }> {
    await Promise.all(this.chains.values());
    const allocs: RestoredAlloc[] = [];
    const corrupt: CorruptEntry[] = [];
    for (const id of (await readdir(this.allocsDir)).sort()) {
      if (id.startsWith(".") || id.includes(TEMP_MARKER)) continue;
      const dir = join(this.allocsDir, id);
      let alloc: Allocation;
      try {
        alloc = await readAlloc(join(dir, ALLOC_RECORD));
        if (alloc.ID !== id) throw new CorruptRecordError(join(dir, ALLOC_RECORD), `holds alloc ${alloc.ID}`);
      } catch (e) {
        if (e instanceof CorruptRecordError) {
          corrupt.push({ path: e.path, reason: e.reason });
          continue;
        }
        if ((e as NodeJS.ErrnoException).code === "ENOENT") continue; // task records without their alloc
        throw e;
      }
      const tasks: Record<string, PersistedTaskState> = {};
      for (const file of (await readdir(dir)).sort()) {
        const task = taskNameOf(file);
        if (task === undefined) continue;
        const path = join(dir, file);
        try {
          tasks[task] = parseTaskState(path, decodeRecord(path, await readFile(path)));
        } catch (e) {
          if (!(e instanceof CorruptRecordError)) throw e;
          corrupt.push({ path: e.path, reason: e.reason });
        }
      }
      allocs.push({ alloc, tasks });
    }
    return { allocs, corrupt };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.chains.values());
    await this.unlock();
  }

  private async allocDir(id: string, create: boolean): Promise<string> {
    const dir = join(this.allocsDir, id);
    if (this.knownDirs.has(dir)) return dir;
    if (!create) {
      try {
        await readdir(dir);
      } catch {
        throw new Error(`client state: no allocation ${id} is kept; store the allocation before its tasks`);
      }
    } else {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await fsyncDir(this.allocsDir);
    }
    this.knownDirs.add(dir);
    return dir;
  }

  private write(path: string, bytes: Buffer): Promise<void> {
    if (this.closed) return Promise.reject(new Error("client state store is closed"));
    const previous = this.chains.get(path) ?? Promise.resolve();
    const next = previous.then(() => writeFileDurable(path, bytes));
    // The chain never rejects: the caller gets this write's error, later writes still run.
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.chains.set(path, settled);
    void settled.then(() => {
      if (this.chains.get(path) === settled) this.chains.delete(path);
    });
    return next;
  }
}

async function readAlloc(path: string): Promise<Allocation> {
  const value = decodeRecord(path, await readFile(path));
  const parsed = AllocationSchema.safeParse(value);
  if (!parsed.success) throw new CorruptRecordError(path, "not an allocation");
  return parsed.data;
}

function parseTaskState(path: string, value: unknown): PersistedTaskState {
  if (typeof value !== "object" || value === null) throw new CorruptRecordError(path, "not a task state");
  const v = value as { handle?: unknown; taskState?: unknown };
  const state = TaskStateSchema.safeParse(v.taskState);
  if (!state.success) throw new CorruptRecordError(path, "not a task state");
  if (v.handle === undefined) return { taskState: state.data };
  // The handle is the driver's own JSON, checksummed with the record: only its shape is checked here.
  if (typeof v.handle !== "object" || v.handle === null)
    throw new CorruptRecordError(path, "task handle is not an object");
  return { handle: v.handle as PersistedTaskHandle, taskState: state.data };
}
