// Scripted faults: instead of the seeded nemesis and operator, a test can stage an exact
// sequence (partition at 300 ms, crash the leader at 800 ms, heal at 1.5 s ...). The seed still
// decides message delays, client operations and election timeouts.
import type { NodeId } from "../../core/types.js";

export type ScriptAction =
  | { readonly type: "partition"; readonly sides: readonly [readonly NodeId[], readonly NodeId[]] }
  | { readonly type: "cutOneWay"; readonly from: NodeId; readonly to: NodeId }
  /** Isolates whoever leads at that moment (nothing if nobody does). */
  | { readonly type: "isolateLeader" }
  | { readonly type: "heal" }
  | { readonly type: "crash"; readonly node: NodeId | "leader" }
  /** Crash the node at its next unsynced write (vote or entries), before the fsync; back after downMs. */
  | { readonly type: "crashMidWrite"; readonly node: NodeId; readonly downMs: number }
  | { readonly type: "restart"; readonly node: NodeId | "all" }
  | { readonly type: "pause"; readonly node: NodeId | "leader" }
  | { readonly type: "resume"; readonly node: NodeId | "all" };

export interface ScriptStep {
  readonly atMs: number;
  readonly action: ScriptAction;
}

export interface ScriptHost {
  nodeIds(): readonly NodeId[];
  leader(): NodeId | undefined;
  partition(a: readonly NodeId[], b: readonly NodeId[]): void;
  cutOneWay(from: NodeId, to: NodeId): void;
  isolate(node: NodeId): void;
  heal(): void;
  crash(node: NodeId): void;
  armCrashOnWrite(node: NodeId, downMs: number): void;
  restart(node: NodeId): void;
  pause(node: NodeId): void;
  resume(node: NodeId): void;
  log(line: string): void;
}

export function runScriptStep(host: ScriptHost, action: ScriptAction): void {
  host.log(`script: ${JSON.stringify(action)}`);
  const resolve = (node: NodeId | "leader"): NodeId | undefined => (node === "leader" ? host.leader() : node);
  switch (action.type) {
    case "partition":
      host.partition(action.sides[0], action.sides[1]);
      return;
    case "cutOneWay":
      host.cutOneWay(action.from, action.to);
      return;
    case "isolateLeader": {
      const leader = host.leader();
      if (leader !== undefined) host.isolate(leader);
      return;
    }
    case "heal":
      host.heal();
      return;
    case "crash": {
      const node = resolve(action.node);
      if (node !== undefined) host.crash(node);
      return;
    }
    case "crashMidWrite":
      host.armCrashOnWrite(action.node, action.downMs);
      return;
    case "restart":
      for (const id of action.node === "all" ? host.nodeIds() : [action.node]) host.restart(id);
      return;
    case "pause": {
      const node = resolve(action.node);
      if (node !== undefined) host.pause(node);
      return;
    }
    case "resume":
      for (const id of action.node === "all" ? host.nodeIds() : [action.node]) host.resume(id);
      return;
  }
}
