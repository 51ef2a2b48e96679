import { describe, expect, it } from "vitest";
import { Harness, liveAllocs, mockEval, mockJob, mockNode } from "@nomad/scheduler/testing";
import { parseAllocation, parseEvaluation, parsePlan } from "@nomad/structs";

describe("scheduler output is Nomad API JSON", () => {
  it("placed allocations, plans and created evals survive JSON and the structs schemas unchanged", async () => {
    const h = new Harness();
    h.state.upsertNode(mockNode({ id: "n0", memoryMB: 1024 }));
    const job = h.state.upsertJob(
      mockJob({ id: "api", count: 3, memoryMB: 400, dynamicPorts: 1, staticPorts: [8080] }),
    );
    const res = await h.process(mockEval(job));
    const placed = liveAllocs(h.state.allocsByJob("default", "api"));
    expect(placed).toHaveLength(1);
    const wire = JSON.parse(JSON.stringify(placed[0])) as unknown;
    const back = parseAllocation(wire);
    expect(JSON.parse(JSON.stringify(back))).toEqual(wire);
    expect(back.AllocatedResources?.Shared.Ports.map((p) => p.Label).sort()).toEqual(["d0", "s0"]);
    expect(back.Metrics?.NodesEvaluated).toBe(1);

    const plan = parsePlan(JSON.parse(JSON.stringify(res.plans[0]!.plan)));
    expect(plan.NodeAllocation["n0"]).toHaveLength(1);
    expect(plan.EvalID).toBe(res.evaluation.ID);

    const blocked = parseEvaluation(JSON.parse(JSON.stringify(res.blockedEval)));
    expect(blocked.Status).toBe("blocked");
    const updated = parseEvaluation(JSON.parse(JSON.stringify(res.evaluation)));
    expect(updated.FailedTGAllocs["web"]?.CoalescedFailures).toBe(1);
    expect(updated.QueuedAllocations).toEqual({ web: 2 });
  });
});
