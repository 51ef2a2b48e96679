// Node writes like Nomad's upsertNodeTxn, updateNodeStatusTxn, updateNodeDrainImpl,
// UpdateNodeEligibility and DeleteNode. Node events keep the last MAX_RETAINED_NODE_EVENTS.
import type { DrainStrategy, Node, NodeEvent, NodeStatus, SchedulingEligibility } from "@nomad/structs";
import { StateError } from "./errors.js";
import type { StateTxn } from "./txn.js";
import { MAX_RETAINED_NODE_EVENTS } from "./types.js";

export const NODE_EVENT_REGISTERED = "Node registered";
export const NODE_EVENT_REREGISTERED = "Node re-registered";
export const NODE_EVENT_SUBSYSTEM_CLUSTER = "Cluster";

/** Node.Events is Nomad's field; @nomad/structs keeps it as an extra (loose) field. */
export function nodeEvents(node: Node): readonly NodeEvent[] {
  const e = node["Events"];
  return Array.isArray(e) ? (e as NodeEvent[]) : [];
}

function withEvents(node: Node, events: readonly NodeEvent[], index: number): Node {
  const all = [...nodeEvents(node), ...events.map((e) => ({ ...e, CreateIndex: index }))];
  return { ...node, Events: all.slice(Math.max(0, all.length - MAX_RETAINED_NODE_EVENTS)) };
}

/** RFC 3339 at second precision, like Go's time.Unix(sec, 0) in a NodeEvent. */
export function rfc3339FromUnixSeconds(sec: number): string {
  return new Date(sec * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function clusterEvent(message: string, statusUpdatedAtSec: number): NodeEvent {
  return {
    Message: message,
    Subsystem: NODE_EVENT_SUBSYSTEM_CLUSTER,
    Details: null,
    Timestamp: rfc3339FromUnixSeconds(statusUpdatedAtSec),
    CreateIndex: 0,
  };
}

/**
 * Registers or re-registers a node. The server keeps what the client does not own: its
 * events, eligibility and drain strategy survive a re-registration.
 */
export function upsertNode(txn: StateTxn, input: Node): Node {
  const exist = txn.node(input.ID);
  let node: Node;
  if (exist === undefined) {
    node = { ...input, Events: [], CreateIndex: txn.index, ModifyIndex: txn.index };
    node = withEvents(node, [clusterEvent(NODE_EVENT_REGISTERED, input.StatusUpdatedAt)], txn.index);
  } else {
    node = {
      ...input,
      Events: nodeEvents(exist),
      SchedulingEligibility: exist.SchedulingEligibility,
      DrainStrategy: exist.DrainStrategy,
      CreateIndex: exist.CreateIndex,
      ModifyIndex: txn.index,
    };
    if (exist["LastDrain"] !== undefined) node["LastDrain"] = exist["LastDrain"];
    if (exist.Status === "down" && input.Status !== "down")
      node = withEvents(node, [clusterEvent(NODE_EVENT_REREGISTERED, input.StatusUpdatedAt)], txn.index);
  }
  txn.putNode(node);
  return node;
}

function existing(txn: StateTxn, nodeID: string): Node {
  const n = txn.node(nodeID);
  if (n === undefined) throw new StateError("NOT_FOUND", `node not found: ${nodeID}`);
  return n;
}

export function updateNodeStatus(
  txn: StateTxn,
  nodeID: string,
  status: NodeStatus,
  updatedAtSec: number,
  event: NodeEvent | undefined,
): Node {
  let node: Node = {
    ...existing(txn, nodeID),
    Status: status,
    StatusUpdatedAt: updatedAtSec,
    ModifyIndex: txn.index,
  };
  if (event !== undefined) node = withEvents(node, [event], txn.index);
  txn.putNode(node);
  return node;
}

/** Starting a drain makes the node ineligible; ending it with markEligible makes it eligible. */
export function updateNodeDrain(
  txn: StateTxn,
  nodeID: string,
  drain: DrainStrategy | null,
  markEligible: boolean,
  updatedAtSec: number,
  event: NodeEvent | undefined,
): Node {
  const exist = existing(txn, nodeID);
  let node: Node = { ...exist, DrainStrategy: drain, StatusUpdatedAt: updatedAtSec, ModifyIndex: txn.index };
  if (drain !== null) node.SchedulingEligibility = "ineligible";
  else if (markEligible) node.SchedulingEligibility = "eligible";
  if (event !== undefined) node = withEvents(node, [event], txn.index);
  txn.putNode(node);
  return node;
}

export function updateNodeEligibility(
  txn: StateTxn,
  nodeID: string,
  eligibility: SchedulingEligibility,
  updatedAtSec: number,
  event: NodeEvent | undefined,
): Node {
  const exist = existing(txn, nodeID);
  if (eligibility === "eligible" && exist.DrainStrategy !== null)
    throw new StateError(
      "CONFLICT",
      "can not set node's scheduling eligibility to eligible while it is draining",
    );
  let node: Node = {
    ...exist,
    SchedulingEligibility: eligibility,
    StatusUpdatedAt: updatedAtSec,
    ModifyIndex: txn.index,
  };
  if (event !== undefined) node = withEvents(node, [event], txn.index);
  txn.putNode(node);
  return node;
}

/** GC: removes nodes; IDs already gone are skipped so a retried batch still applies. */
export function deleteNodes(txn: StateTxn, nodeIDs: readonly string[]): void {
  for (const id of nodeIDs) txn.deleteNode(id);
}
