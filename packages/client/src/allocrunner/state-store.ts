// What the runners persist (contract "AllocRunner contract"). client-node implements it
// durably; MemoryAllocStateStore is the in-memory twin for tests and -dev.

import type { Allocation, TaskState } from "@nomad/structs";
import type { TaskHandle } from "../drivers/types.js";

export interface PersistedTaskState {
  handle?: TaskHandle | undefined;
  taskState: TaskState;
}

export interface AllocStateStore {
  putAlloc(alloc: Allocation): Promise<void>;
  deleteAlloc(id: string): Promise<void>;
  putTaskState(allocID: string, task: string, state: PersistedTaskState): Promise<void>;
  getTaskState(allocID: string, task: string): Promise<PersistedTaskState | undefined>;
}

export class MemoryAllocStateStore implements AllocStateStore {
  readonly allocs = new Map<string, Allocation>();
  readonly tasks = new Map<string, PersistedTaskState>();

  async putAlloc(alloc: Allocation): Promise<void> {
    this.allocs.set(alloc.ID, structuredClone(alloc));
  }

  async deleteAlloc(id: string): Promise<void> {
    this.allocs.delete(id);
    for (const key of [...this.tasks.keys()]) if (key.startsWith(`${id}\u0000`)) this.tasks.delete(key);
  }

  async putTaskState(allocID: string, task: string, state: PersistedTaskState): Promise<void> {
    this.tasks.set(`${allocID}\u0000${task}`, structuredClone(state));
  }

  async getTaskState(allocID: string, task: string): Promise<PersistedTaskState | undefined> {
    const s = this.tasks.get(`${allocID}\u0000${task}`);
    return s === undefined ? undefined : structuredClone(s);
  }
}
