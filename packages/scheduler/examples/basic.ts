// Run: npx tsx --conditions=@nomad/source packages/scheduler/examples/basic.ts
import { Harness, mockEval, mockJob, mockNode } from "@nomad/scheduler/testing";

const h = new Harness({ seed: 1 }); // in-memory state + a Planner that applies plans
for (let i = 0; i < 3; i++) h.state.upsertNode(mockNode({ id: `node-${i}`, cpuMHz: 4000, memoryMB: 8192 }));
const job = h.state.upsertJob(mockJob({ id: "web", count: 5, cpuMHz: 500, memoryMB: 256 }));

const result = await h.process(mockEval(job)); // process(eval, state, planner, deps) underneath
for (const a of h.state.allocsByJob("default", "web")) console.log(a.Name, "->", a.NodeID);
console.log("eval", result.evaluation.Status, "queued", result.evaluation.QueuedAllocations);
