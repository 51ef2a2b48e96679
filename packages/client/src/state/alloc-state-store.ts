// What the client keeps about its allocations so that a restarted agent re-attaches to its
// tasks instead of starting them again: the allocation as last received from the servers
// and, per task, the driver's handle (plain JSON) and the task state.

import type { Allocation } from "@nomad/structs";
import type { TaskHandle } from "../drivers/types.js";
import type { AllocStateStore, PersistedTaskState } from "../allocrunner/state-store.js";

// The runner contract is declared once, beside the runners that write through it.
export type { AllocStateStore, PersistedTaskState };

/** A driver's handle: plain JSON, opaque to the store (the driver that made it reads it). */
export type PersistedTaskHandle = TaskHandle;

/** A record that failed its checks on load: reported, never used. */
export interface CorruptEntry {
  path: string;
  reason: string;
}

export interface RestoredAlloc {
  alloc: Allocation;
  tasks: Record<string, PersistedTaskState>;
}

/** The client's own view of the store: the runner contract plus restore and shutdown. */
export interface ClientStateStore extends AllocStateStore {
  /** Every allocation kept, with its task states; corrupt records are left out and reported. */
  loadAll(): Promise<{ allocs: RestoredAlloc[]; corrupt: CorruptEntry[] }>;
  close(): Promise<void>;
}
