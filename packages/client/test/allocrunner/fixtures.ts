import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseAllocation, parseJob, parseNode, type Allocation, type Node } from "@nomad/structs";
import type { AllocStateStore, PersistedTaskState } from "../../src/allocrunner/index.js";

export interface TaskSpec {
  name: string;
  driver?: string;
  config: Record<string, unknown>;
  env?: Record<string, string>;
  killTimeoutMs?: number;
  killSignal?: string;
  leader?: boolean;
  meta?: Record<string, string>;
  logs?: { MaxFiles: number; MaxFileSizeMB: number };
  lifecycle?: { Hook: "prestart" | "poststart" | "poststop"; Sidecar?: boolean };
  shutdownDelayMs?: number;
}

export interface AllocSpec {
  id?: string;
  jobType?: "service" | "batch";
  restart?: { Attempts: number; IntervalMs?: number; DelayMs: number; Mode: "fail" | "delay" };
  tasks: TaskSpec[];
  jobMeta?: Record<string, string>;
}

let n = 0;

export function makeAlloc(spec: AllocSpec): Allocation {
  const id =
    spec.id ??
    `${(++n).toString(16).padStart(8, "0")}-aaaa-bbbb-cccc-${process.pid.toString(16).padStart(12, "0")}`;
  const job = parseJob({
    ID: "example",
    Type: spec.jobType ?? "service",
    Meta: spec.jobMeta ?? {},
    TaskGroups: [
      {
        Name: "web",
        RestartPolicy:
          spec.restart === undefined
            ? undefined
            : {
                Attempts: spec.restart.Attempts,
                Interval: (spec.restart.IntervalMs ?? 600_000) * 1e6,
                Delay: spec.restart.DelayMs * 1e6,
                Mode: spec.restart.Mode,
              },
        Tasks: spec.tasks.map((t) => ({
          Name: t.name,
          Driver: t.driver ?? "raw_exec",
          Config: t.config,
          Env: t.env ?? {},
          KillTimeout: (t.killTimeoutMs ?? 5000) * 1e6,
          KillSignal: t.killSignal ?? "",
          Leader: t.leader ?? false,
          Meta: t.meta ?? {},
          LogConfig: t.logs,
          Lifecycle: t.lifecycle,
          ShutdownDelay: (t.shutdownDelayMs ?? 0) * 1e6,
          Resources: { CPU: 250, MemoryMB: 128 },
        })),
      },
    ],
  });
  return parseAllocation({
    ID: id,
    Name: "example.web[0]",
    Namespace: "default",
    NodeID: "node-1",
    JobID: "example",
    Job: job,
    TaskGroup: "web",
    DesiredStatus: "run",
    ClientStatus: "pending",
    AllocatedResources: {
      Tasks: Object.fromEntries(
        spec.tasks.map((t) => [t.name, { Cpu: { CpuShares: 250 }, Memory: { MemoryMB: 128 } }]),
      ),
      Shared: { Ports: [{ Label: "http", Value: 23456, To: 0, HostIP: "127.0.0.1" }] },
    },
  });
}

export function makeNode(): Node {
  return parseNode({
    ID: "node-1",
    Name: "test-node",
    Datacenter: "dc1",
    NodeClass: "linux-small",
    Attributes: { "kernel.name": "linux", "unique.hostname": "test-host" },
    Meta: { rack: "r1" },
  });
}

/** A durable-enough store for tests that spans processes: one JSON file per key, write+rename. */
export class JsonFileStateStore implements AllocStateStore {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  private file(key: string): string {
    return path.join(this.dir, `${Buffer.from(key).toString("hex")}.json`);
  }

  private write(key: string, value: unknown): void {
    const f = this.file(key);
    writeFileSync(`${f}.tmp`, JSON.stringify(value));
    renameSync(`${f}.tmp`, f);
  }

  async putAlloc(alloc: Allocation): Promise<void> {
    this.write(`alloc/${alloc.ID}`, alloc);
  }

  async deleteAlloc(id: string): Promise<void> {
    this.write(`alloc/${id}`, null);
  }

  async putTaskState(allocID: string, task: string, state: PersistedTaskState): Promise<void> {
    this.write(`task/${allocID}/${task}`, state);
  }

  async getTaskState(allocID: string, task: string): Promise<PersistedTaskState | undefined> {
    try {
      return JSON.parse(readFileSync(this.file(`task/${allocID}/${task}`), "utf8")) as PersistedTaskState;
    } catch {
      return undefined;
    }
  }

  getAlloc(id: string): Allocation | undefined {
    try {
      return (JSON.parse(readFileSync(this.file(`alloc/${id}`), "utf8")) as Allocation | null) ?? undefined;
    } catch {
      return undefined;
    }
  }
}
