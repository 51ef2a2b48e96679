import type {
  AllocatedResources,
  AllocatedTaskResources,
  AllocMetric,
  Allocation,
  Evaluation,
  Job,
  NetworkResource,
  Node,
  RescheduleTracker,
} from "@nomad/structs";
import type { GroupAsk } from "./ask.js";
import type { Grant } from "./fit.js";

const NO_CORES: number[] = [];

/**
 * Builds AllocatedResources for a grant. Groups without ports or reserved cores get the
 * same (immutable) object for every allocation: at a million allocations that sharing is
 * most of the memory budget.
 */
export class AllocatedResourcesFactory {
  private readonly shared = new Map<string, AllocatedResources>();

  build(ask: GroupAsk, grant: Grant): AllocatedResources {
    const simple = ask.cores === 0 && grant.ports.length === 0;
    if (simple) {
      const cached = this.shared.get(ask.group.Name);
      if (cached !== undefined) return cached;
    }
    const tasks: Record<string, AllocatedTaskResources> = {};
    const sharedNetworks: NetworkResource[] = [];
    const sharedPorts: AllocatedResources["Shared"]["Ports"] = [];
    const taskNetworks = new Map<string, NetworkResource>();
    const all = ask.staticPorts.concat(ask.dynamicPorts);
    for (let i = 0; i < all.length; i++) {
      const p = all[i]!;
      const host = grant.ports[i] ?? 0;
      const port = {
        Label: p.label,
        Value: host,
        To: p.to === -1 ? host : p.to,
        HostNetwork: "default",
        IgnoreCollision: false,
      };
      const isStatic = i < ask.staticPorts.length;
      if (p.task === null) {
        sharedPorts.push({ Label: p.label, Value: host, To: port.To, HostIP: "" });
        if (sharedNetworks.length === 0) {
          sharedNetworks.push(networkFor(ask.group.Networks[0]?.Mode ?? "host"));
        }
        (isStatic ? sharedNetworks[0]!.ReservedPorts : sharedNetworks[0]!.DynamicPorts).push(port);
      } else {
        let n = taskNetworks.get(p.task);
        if (n === undefined) taskNetworks.set(p.task, (n = networkFor("host")));
        (isStatic ? n.ReservedPorts : n.DynamicPorts).push(port);
      }
    }
    ask.tasks.forEach((t, i) => {
      const net = taskNetworks.get(t.name);
      tasks[t.name] = {
        Cpu: {
          CpuShares: grant.taskCpu[i] ?? t.cpuMHz,
          ReservedCores: [...(grant.taskCores[i] ?? NO_CORES)],
        },
        Memory: { MemoryMB: t.memoryMB, MemoryMaxMB: t.memoryMaxMB },
        Networks: net === undefined ? [] : [net],
      };
    });
    const out: AllocatedResources = {
      Tasks: tasks,
      TaskLifecycles: {},
      Shared: { Networks: sharedNetworks, DiskMB: ask.diskMB, Ports: sharedPorts },
    };
    if (simple) this.shared.set(ask.group.Name, out);
    return out;
  }
}

function networkFor(mode: string): NetworkResource {
  return {
    Mode: mode,
    Device: "",
    CIDR: "",
    IP: "",
    Hostname: "",
    MBits: 0,
    ReservedPorts: [],
    DynamicPorts: [],
  };
}

export interface NewAlloc {
  readonly id: string;
  readonly evaluation: Evaluation;
  readonly job: Job;
  readonly group: string;
  readonly name: string;
  readonly node: Node;
  readonly resources: AllocatedResources;
  readonly metric: AllocMetric;
  readonly previous: Allocation | null;
  readonly tracker: RescheduleTracker | null;
  readonly nowNs: number;
}

// Containers every new allocation starts with empty. Shared and frozen: writers (clients,
// the state store) replace them with their own objects instead of mutating in place.
const NO_TRANSITION = Object.freeze({
  Migrate: null,
  Reschedule: null,
  ForceReschedule: null,
  NoShutdownDelay: null,
});
const NO_TASK_STATES = Object.freeze({}) as Allocation["TaskStates"];
const NO_PREEMPTED = Object.freeze([]) as unknown as string[];

export function buildAlloc(n: NewAlloc): Allocation {
  return {
    ID: n.id,
    Namespace: n.job.Namespace,
    EvalID: n.evaluation.ID,
    Name: n.name,
    NodeID: n.node.ID,
    NodeName: n.node.Name,
    JobID: n.job.ID,
    Job: n.job,
    TaskGroup: n.group,
    AllocatedResources: n.resources,
    Metrics: n.metric,
    DesiredStatus: "run",
    DesiredDescription: "",
    DesiredTransition: NO_TRANSITION,
    ClientStatus: "pending",
    ClientDescription: "",
    TaskStates: NO_TASK_STATES,
    PreviousAllocation: n.previous?.ID ?? "",
    NextAllocation: "",
    DeploymentID: "",
    RescheduleTracker: n.tracker,
    FollowupEvalID: "",
    PreemptedAllocations: NO_PREEMPTED,
    PreemptedByAllocation: "",
    CreateIndex: 0,
    ModifyIndex: 0,
    AllocModifyIndex: 0,
    CreateTime: n.nowNs,
    ModifyTime: n.nowNs,
  };
}

/** The copy of an allocation that a plan carries to stop it. */
export function stoppedCopy(
  a: Allocation,
  description: string,
  clientStatus: "lost" | null,
  nowNs: number,
): Allocation {
  return {
    ...a,
    DesiredStatus: "stop",
    DesiredDescription: description,
    ClientStatus: clientStatus ?? a.ClientStatus,
    ModifyTime: nowNs,
  };
}

/** Adds `a` to the list a plan keeps for `nodeID` (NodeUpdate, NodeAllocation), creating it if needed. */
export function appendAlloc(map: Record<string, Allocation[]>, nodeID: string, a: Allocation): void {
  const list = map[nodeID];
  if (list === undefined) map[nodeID] = [a];
  else list.push(a);
}
