import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Harness, liveAllocs, mockEval, mockJob, mockNode } from "@nomad/scheduler/testing";
import { allocIndex, type Job } from "@nomad/structs";

// Random cluster events between evaluations; after each event the job is re-evaluated.
const eventArb = fc.oneof(
  fc.record({ kind: fc.constant("down" as const), node: fc.nat(7) }),
  fc.record({ kind: fc.constant("up" as const), node: fc.nat(7) }),
  fc.record({ kind: fc.constant("drain" as const), node: fc.nat(7) }),
  fc.record({ kind: fc.constant("count" as const), count: fc.integer({ min: 0, max: 10 }) }),
  fc.record({ kind: fc.constant("fail" as const), pick: fc.nat(20) }),
  fc.record({ kind: fc.constant("update" as const), destructive: fc.boolean() }),
);

describe("the service scheduler converges under random cluster events", () => {
  it("after every event: no duplicate slots, count met while capacity exists, nothing on down or draining nodes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(eventArb, { minLength: 1, maxLength: 12 }),
        fc.integer(),
        async (events, seed) => {
          const h = new Harness({ seed });
          for (let i = 0; i < 8; i++)
            h.state.upsertNode(mockNode({ id: `n${i}`, cpuMHz: 2000, memoryMB: 4096 }));
          let job: Job = h.state.upsertJob(mockJob({ id: "svc", count: 4, cpuMHz: 400, memoryMB: 512 }));
          await h.process(mockEval(job));
          let version = 0;
          for (const e of events) {
            h.nowNs += 60e9; // a minute between events: reschedule delays (30 s first) have elapsed
            if (e.kind === "down") h.state.updateNode(`n${e.node}`, { Status: "down" });
            if (e.kind === "up") h.state.updateNode(`n${e.node}`, { Status: "ready", DrainStrategy: null });
            if (e.kind === "drain") {
              h.state.updateNode(`n${e.node}`, {
                DrainStrategy: {
                  DrainSpec: { Deadline: 0, IgnoreSystemJobs: false },
                  ForceDeadline: "",
                  StartedAt: "",
                },
              });
            }
            if (e.kind === "count")
              job = h.state.upsertJob({ ...job, TaskGroups: [{ ...job.TaskGroups[0]!, Count: e.count }] });
            if (e.kind === "update") {
              version++;
              const g = job.TaskGroups[0]!;
              job = h.state.upsertJob({
                ...job,
                TaskGroups: [
                  e.destructive
                    ? { ...g, Tasks: [{ ...g.Tasks[0]!, Env: { V: String(version) } }] }
                    : { ...g, Meta: { v: String(version) } },
                ],
              });
            }
            if (e.kind === "fail") {
              const mine = liveAllocs(h.state.allocsByJob("default", "svc"));
              const victim = mine[e.pick % Math.max(1, mine.length)];
              if (victim !== undefined) h.state.setClientStatus(victim.ID, "failed", h.nowNs - 60e9);
            }
            const res = await h.process(mockEval(job, "node-update"));
            // A follow-up eval may have been created for a failure not yet due: run it when due.
            for (const f of res.followupEvals) {
              h.nowNs = Math.max(h.nowNs, f.WaitUntil);
              await h.process(f);
            }

            const live = liveAllocs(h.state.allocsByJob("default", "svc"));
            const slots = live.map((a) => allocIndex(a.Name));
            expect(new Set(slots).size, "duplicate slot").toBe(slots.length);
            for (const s of slots) expect(s).toBeLessThan(job.TaskGroups[0]!.Count);
            for (const a of live) {
              const node = h.state.nodeByID(a.NodeID)!;
              expect(node.Status, `alloc on ${node.ID}`).toBe("ready");
              expect(node.DrainStrategy, `alloc on draining ${node.ID}`).toBeNull();
              expect(a.Job?.Version).toBe(job.Version);
            }
            const usable = h.state
              .nodes()
              .filter((n) => n.Status === "ready" && n.DrainStrategy === null).length;
            // Each usable node fits 4 allocations (cpu 2000 / 400 = 5, memory 4096 / 512 = 8, so 5; 4 keeps margin).
            if (usable * 4 >= job.TaskGroups[0]!.Count) expect(live).toHaveLength(job.TaskGroups[0]!.Count);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
