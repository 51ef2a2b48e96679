import { computeGcPlan, parseServerGcConfig } from "@nomad/gc";
import { fixedClock, MemoryGcState } from "@nomad/gc/testing";

const now = Date.now() * 1e6; // Unix nanoseconds
const state = new MemoryGcState();
state.upsertNode({ ID: "node-1", Status: "down", StatusUpdatedAt: now / 1e9 - 25 * 3600 });
state.upsertJob({
  ID: "web",
  Namespace: "default",
  Type: "service",
  Status: "dead",
  Stop: true,
  SubmitTime: now - 5 * 3600e9,
  ParentID: "",
  JobModifyIndex: 7,
  TaskGroups: [],
});
state.upsertEval({
  ID: "eval-1",
  Namespace: "default",
  JobID: "web",
  Type: "service",
  Status: "complete",
  ModifyTime: now - 5 * 3600e9,
});

const config = parseServerGcConfig({ node_gc_threshold: "24h", job_gc_threshold: "4h" });
for (const coreJob of ["job-gc", "node-gc"]) {
  const plan = computeGcPlan(coreJob, state, config, fixedClock(now));
  console.log(coreJob, JSON.stringify(plan.batches));
  state.apply(plan); // a server turns each batch into one Raft write instead
}
