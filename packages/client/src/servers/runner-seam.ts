// What the client needs from an allocation runner (contract "AllocRunner", built by
// client-runners). The client creates one per allocation through a factory, so tests can
// observe the client's decisions with a recording runner and the agent uses the real one.

import type { AllocClientUpdate, Allocation, Node } from "@nomad/structs";
import type { ClientConfig } from "../config.js";
import type { Logger } from "../logger.js";
import type { ClientClock } from "../node/clock.js";
import type { AllocStateStore } from "../state/alloc-state-store.js";

export interface ClientAllocRunner {
  /** Start the allocation's tasks. */
  run(): Promise<void>;
  /** Re-attach to the tasks recorded in the state store; never start them again. */
  restore(): Promise<void>;
  /** New desired state from the servers (stop -> kill the tasks). */
  update(alloc: Allocation): void;
  /** Kill the tasks and remove the allocation directory. */
  destroy(): Promise<void>;
  /** Agent stop: leave the tasks running. */
  shutdown(): Promise<void>;
  clientStatus(): AllocClientUpdate;
}

export interface AllocRunnerFactoryDeps {
  alloc: Allocation;
  /** The client's alloc dir root (`<data_dir>/alloc`); the alloc's own is `<root>/<alloc.ID>`. */
  allocDir: string;
  state: AllocStateStore;
  node: Node;
  region: string;
  logger: Logger;
  onUpdate(update: AllocClientUpdate): void;
  clock: ClientClock;
  config: ClientConfig;
}

export type AllocRunnerFactory = (deps: AllocRunnerFactoryDeps) => ClientAllocRunner;
