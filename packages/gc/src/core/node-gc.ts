import type { GcSnapshot } from "../snapshot.js";
import type { GcSelection } from "./plan.js";
import { allocIsTerminal, nodeIsTerminal } from "./terminal.js";

export interface NodeGcOptions {
  readonly nowNs: number;
  readonly thresholdNs: number;
}

/**
 * Node GC: nodes `down` since at least `node_gc_threshold` with no non-terminal
 * allocation. A node that came back is `ready` (or `initializing`) again, so it is never
 * a candidate; a down node whose allocations the scheduler has not yet marked lost waits
 * for the next pass.
 */
export function nodeGc(snap: GcSnapshot, opts: NodeGcOptions, sel: GcSelection): void {
  const cutoff = opts.nowNs - opts.thresholdNs;
  outer: for (const node of snap.nodes()) {
    // StatusUpdatedAt is Unix seconds in Nomad.
    if (!nodeIsTerminal(node) || node.StatusUpdatedAt * 1e9 > cutoff) continue;
    for (const a of snap.allocsByNode(node.ID)) {
      if (!allocIsTerminal(a)) continue outer;
    }
    sel.nodeIDs.push(node.ID);
  }
}
