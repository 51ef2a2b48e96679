// The in-memory twin of the file store: `-dev` (nothing persists, as Nomad's in-memory state
// DB) and tests. Values are deep-copied in and out, as the file store's encode/decode does,
// so a caller never shares a mutable object with the store.

import type { Allocation } from "@nomad/structs";
import type {
  ClientStateStore,
  CorruptEntry,
  PersistedTaskState,
  RestoredAlloc,
} from "./alloc-state-store.js";

export class MemoryStateStore implements ClientStateStore {
  private readonly allocs = new Map<string, { alloc: Allocation; tasks: Map<string, PersistedTaskState> }>();

  async putAlloc(alloc: Allocation): Promise<void> {
    const entry = this.allocs.get(alloc.ID);
    if (entry) entry.alloc = structuredClone(alloc);
    else this.allocs.set(alloc.ID, { alloc: structuredClone(alloc), tasks: new Map() });
  }

  async deleteAlloc(id: string): Promise<void> {
    this.allocs.delete(id);
  }

  async putTaskState(allocID: string, task: string, state: PersistedTaskState): Promise<void> {
    const entry = this.allocs.get(allocID);
    // Same rule as the file store: task state belongs to a kept allocation.
    if (entry === undefined) throw new Error(`client state: no allocation ${allocID} for task ${task}`);
    entry.tasks.set(task, structuredClone(state));
  }

  async getTaskState(allocID: string, task: string): Promise<PersistedTaskState | undefined> {
    const state = this.allocs.get(allocID)?.tasks.get(task);
    return state === undefined ? undefined : structuredClone(state);
  }

  async loadAll(): Promise<{ allocs: RestoredAlloc[]; corrupt: CorruptEntry[] }> {
    const allocs = [...this.allocs.values()].map((e) => ({
      alloc: structuredClone(e.alloc),
      tasks: Object.fromEntries([...e.tasks].map(([k, v]) => [k, structuredClone(v)])),
    }));
    return { allocs, corrupt: [] };
  }

  async close(): Promise<void> {}
}
