import {
  parseJob,
  parseNode,
  type Allocation,
  type EvalTrigger,
  type Evaluation,
  type Job,
  type Node,
} from "@nomad/structs";

let counter = 0;
const nextID = (prefix: string): string => {
  counter++;
  return `${prefix}-${counter.toString(16).padStart(8, "0")}`;
};

export interface NodeFixture {
  id?: string;
  datacenter?: string;
  nodeClass?: string;
  pool?: string;
  cpuMHz?: number;
  cores?: number;
  memoryMB?: number;
  diskMB?: number;
  attributes?: Record<string, string>;
  meta?: Record<string, string>;
  drivers?: string[];
  reservedPorts?: string;
  reservedCpuMHz?: number;
  reservedMemoryMB?: number;
  status?: Node["Status"];
  eligibility?: Node["SchedulingEligibility"];
}

/** A ready Linux node with 4 cores / 4000 MHz, 8 GB, 100 GB and a healthy `exec` + `docker` driver. */
export function mockNode(f: NodeFixture = {}): Node {
  const id = f.id ?? nextID("node");
  const cores = f.cores ?? 4;
  const drivers = f.drivers ?? ["exec", "docker"];
  return parseNode({
    ID: id,
    Name: id,
    Datacenter: f.datacenter ?? "dc1",
    NodeClass: f.nodeClass ?? "",
    NodePool: f.pool ?? "default",
    Status: f.status ?? "ready",
    SchedulingEligibility: f.eligibility ?? "eligible",
    Attributes: {
      "kernel.name": "linux",
      "cpu.arch": "amd64",
      "os.name": "ubuntu",
      "os.version": "24.04",
      "nomad.version": "1.11.3",
      "unique.hostname": id,
      ...f.attributes,
    },
    Meta: f.meta ?? {},
    NodeResources: {
      Cpu: {
        CpuShares: f.cpuMHz ?? 4000,
        TotalCpuCores: cores,
        ReservableCpuCores: [...Array(cores).keys()],
      },
      Memory: { MemoryMB: f.memoryMB ?? 8192 },
      Disk: { DiskMB: f.diskMB ?? 100_000 },
      MinDynamicPort: 20000,
      MaxDynamicPort: 32000,
    },
    ReservedResources: {
      Cpu: { CpuShares: f.reservedCpuMHz ?? 0 },
      Memory: { MemoryMB: f.reservedMemoryMB ?? 0 },
      Networks: { ReservedHostPorts: f.reservedPorts ?? "" },
    },
    Drivers: Object.fromEntries(
      drivers.map((d) => [d, { Detected: true, Healthy: true, HealthDescription: "Healthy" }]),
    ),
  });
}

export interface JobFixture {
  id?: string;
  type?: Job["Type"];
  count?: number;
  cpuMHz?: number;
  cores?: number;
  memoryMB?: number;
  diskMB?: number;
  driver?: string;
  datacenters?: string[];
  priority?: number;
  groups?: number;
  constraints?: unknown[];
  groupConstraints?: unknown[];
  affinities?: unknown[];
  spreads?: unknown[];
  staticPorts?: number[];
  dynamicPorts?: number;
  reschedule?: Record<string, unknown>;
  /** Raw JSON merged into the job before canonicalisation. */
  extra?: Record<string, unknown>;
}

/** A canonical job (parsed through @nomad/structs) with one or more groups of one task. */
export function mockJob(f: JobFixture = {}): Job {
  const id = f.id ?? nextID("job");
  const groups = [];
  for (let g = 0; g < (f.groups ?? 1); g++) {
    const ports = [...(f.staticPorts ?? []).map((p, i) => ({ Label: `s${i}`, Value: p }))];
    const dyn = [...Array(f.dynamicPorts ?? 0).keys()].map((i) => ({ Label: `d${i}` }));
    groups.push({
      Name: g === 0 ? "web" : `web${g}`,
      Count: f.count ?? 1,
      Constraints: f.groupConstraints ?? null,
      EphemeralDisk: { SizeMB: f.diskMB ?? 300 },
      Networks:
        ports.length + dyn.length > 0 ? [{ Mode: "host", ReservedPorts: ports, DynamicPorts: dyn }] : null,
      ...(f.reschedule === undefined ? {} : { ReschedulePolicy: f.reschedule }),
      Tasks: [
        {
          Name: "app",
          Driver: f.driver ?? "exec",
          Config: { command: "/bin/app" },
          Resources: {
            ...(f.cores !== undefined && f.cores > 0 ? { Cores: f.cores } : { CPU: f.cpuMHz ?? 500 }),
            MemoryMB: f.memoryMB ?? 256,
          },
        },
      ],
    });
  }
  return parseJob({
    ID: id,
    Type: f.type ?? "service",
    Priority: f.priority ?? 50,
    Datacenters: f.datacenters ?? ["dc1"],
    Constraints: f.constraints ?? null,
    Affinities: f.affinities ?? null,
    Spreads: f.spreads ?? null,
    TaskGroups: groups,
    ...f.extra,
  });
}

/** A pending evaluation for a job, as the server creates on register. */
export function mockEval(
  job: Job,
  trigger: EvalTrigger = "job-register",
  extra: Partial<Evaluation> = {},
): Evaluation {
  return {
    ID: nextID("eval"),
    Namespace: job.Namespace,
    Priority: job.Priority,
    Type: job.Type,
    TriggeredBy: trigger,
    JobID: job.ID,
    JobModifyIndex: job.JobModifyIndex,
    NodeID: "",
    NodeModifyIndex: 0,
    DeploymentID: "",
    Status: "pending",
    StatusDescription: "",
    Wait: 0,
    WaitUntil: 0,
    NextEval: "",
    PreviousEval: "",
    BlockedEval: "",
    RelatedEvals: [],
    FailedTGAllocs: {},
    ClassEligibility: {},
    QuotaLimitReached: "",
    EscapedComputedClass: false,
    AnnotatePlan: false,
    QueuedAllocations: {},
    LeaderACL: "",
    SnapshotIndex: 0,
    CreateIndex: 0,
    ModifyIndex: 0,
    CreateTime: 0,
    ModifyTime: 0,
    ...extra,
  };
}

/** Live allocations of a job in a harness state (desired run, not client-terminal). */
export function liveAllocs(allocs: readonly Allocation[]): Allocation[] {
  return allocs.filter(
    (a) =>
      a.DesiredStatus === "run" &&
      a.ClientStatus !== "complete" &&
      a.ClientStatus !== "failed" &&
      a.ClientStatus !== "lost",
  );
}
