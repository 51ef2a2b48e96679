import { parseEvaluation, type Evaluation, type Job } from "@nomad/structs";
import type { StateSnapshot } from "../state/types.js";

export interface NodeEvalOptions {
  /** Unix nanoseconds for CreateTime/ModifyTime. */
  nowNs: number;
  newID(): string;
  /** The node's ModifyIndex the evals refer to (Nomad: the index of the status update). */
  nodeModifyIndex?: number;
}

/**
 * Nomad's createNodeEvals: after a node's status changes (down, back to ready, drain,
 * eligibility), one `node-update` eval for every job with allocations on the node, and one
 * for every system/sysbatch job that could run there, deduplicated by job. Used by the
 * heartbeat expiry and by the Node.UpdateStatus / Node.Evaluate endpoints.
 */
export function createNodeEvals(snap: StateSnapshot, nodeID: string, opts: NodeEvalOptions): Evaluation[] {
  const node = snap.nodeByID(nodeID);
  const nodeIndex = opts.nodeModifyIndex ?? node?.ModifyIndex ?? 0;
  const seen = new Set<string>();
  const out: Evaluation[] = [];
  const add = (namespace: string, jobID: string, job: Job | null | undefined, type: string): void => {
    const key = `${namespace}\u0000${jobID}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(
      parseEvaluation({
        ID: opts.newID(),
        Namespace: namespace,
        Priority: job?.Priority ?? 50,
        Type: job?.Type ?? type,
        TriggeredBy: "node-update",
        JobID: jobID,
        JobModifyIndex: job?.JobModifyIndex ?? 0,
        NodeID: nodeID,
        NodeModifyIndex: nodeIndex,
        Status: "pending",
        CreateTime: opts.nowNs,
        ModifyTime: opts.nowNs,
      }),
    );
  };
  for (const a of snap.allocsByNode(nodeID)) {
    const job = snap.jobByID(a.Namespace, a.JobID) ?? a.Job;
    add(a.Namespace, a.JobID, job, job?.Type ?? "service");
  }
  for (const job of snap.jobs("*")) {
    if (job.Type !== "system" && job.Type !== "sysbatch") continue;
    // Only jobs whose node pool covers this node could place or stop anything here.
    if (node !== undefined && job.NodePool !== "all" && job.NodePool !== node.NodePool) continue;
    add(job.Namespace, job.ID, job, job.Type);
  }
  return out;
}
