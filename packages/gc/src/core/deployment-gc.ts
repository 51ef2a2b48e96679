import type { GcSnapshot } from "../snapshot.js";
import type { GcDeployment } from "../views.js";
import type { GcSelection } from "./plan.js";
import { allocIsTerminal, deploymentIsActive } from "./terminal.js";

export interface DeploymentGcOptions {
  readonly nowNs: number;
  readonly thresholdNs: number;
  /** Deployments to leave alone (forced GC skips those of jobs it already purges). */
  readonly skip?: (d: GcDeployment) => boolean;
}

/**
 * Deployment GC: terminal deployments last modified at least `deployment_gc_threshold`
 * ago that no non-terminal allocation still references.
 */
export function deploymentGc(snap: GcSnapshot, opts: DeploymentGcOptions, sel: GcSelection): void {
  const cutoff = opts.nowNs - opts.thresholdNs;
  outer: for (const d of snap.deployments()) {
    if (deploymentIsActive(d) || d.ModifyTime > cutoff) continue;
    if (opts.skip?.(d) === true) continue;
    for (const a of snap.allocsByDeployment(d.ID)) {
      if (!allocIsTerminal(a)) continue outer;
    }
    sel.deploymentIDs.push(d.ID);
  }
}
