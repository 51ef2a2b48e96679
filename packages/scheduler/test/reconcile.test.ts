import { describe, expect, it } from "vitest";
import {
  ALLOC_IN_PLACE,
  ALLOC_LOST,
  ALLOC_MIGRATING,
  ALLOC_NOT_NEEDED,
  ALLOC_UPDATING,
  rescheduleDelay,
} from "@nomad/scheduler";
import { Harness, liveAllocs, mockEval, mockJob, mockNode, type JobFixture } from "@nomad/scheduler/testing";
import { allocIndex, seconds, type Allocation, type Job } from "@nomad/structs";

function cluster(nodes = 4, seed = 3): Harness {
  const h = new Harness({ seed });
  for (let i = 0; i < nodes; i++) h.state.upsertNode(mockNode({ id: `n${i}` }));
  return h;
}

async function register(h: Harness, f: JobFixture | Job) {
  const job = h.state.upsertJob("TaskGroups" in f ? f : mockJob(f));
  const res = await h.process(mockEval(job));
  return { job, res };
}

const live = (h: Harness, job: Job): Allocation[] => liveAllocs(h.state.allocsByJob("default", job.ID));
const indices = (allocs: Allocation[]): number[] =>
  allocs.map((a) => allocIndex(a.Name)).sort((a, b) => a - b);

describe("reconciler: counts and job lifecycle", () => {
  it("a count increase places only the missing slots", async () => {
    const h = cluster();
    const { job } = await register(h, { id: "web", count: 2 });
    const before = live(h, job).map((a) => a.ID);
    await register(h, { ...job, TaskGroups: [{ ...job.TaskGroups[0]!, Count: 5 }] });
    const after = live(h, job);
    expect(indices(after)).toEqual([0, 1, 2, 3, 4]);
    expect(after.map((a) => a.ID)).toEqual(expect.arrayContaining(before));
  });

  it("a count decrease stops the highest indices", async () => {
    const h = cluster();
    const { job } = await register(h, { id: "web", count: 5 });
    await register(h, { ...job, TaskGroups: [{ ...job.TaskGroups[0]!, Count: 2 }] });
    expect(indices(live(h, job))).toEqual([0, 1]);
    const stops = Object.values(h.lastPlan().NodeUpdate).flat();
    expect(stops).toHaveLength(3);
    expect(stops.every((a) => a.DesiredDescription === ALLOC_NOT_NEEDED && a.DesiredStatus === "stop")).toBe(
      true,
    );
  });

  it("stopping a job stops all its allocations; so does deregistering it", async () => {
    const h = cluster();
    const { job } = await register(h, { id: "web", count: 3 });
    await register(h, { ...job, Stop: true });
    expect(live(h, job)).toHaveLength(0);

    const h2 = cluster();
    const r = await register(h2, { id: "api", count: 2 });
    h2.state.deleteJob("default", "api");
    await h2.process(mockEval(r.job, "job-deregister"));
    expect(live(h2, r.job)).toHaveLength(0);
  });

  it("an unchanged job re-evaluated makes no plan", async () => {
    const h = cluster();
    const { job } = await register(h, { id: "web", count: 3 });
    const plans = h.plans.length;
    await h.process(mockEval(job));
    expect(h.plans.length).toBe(plans);
  });
});

describe("reconciler: updates", () => {
  it("a metadata-only change updates allocations in place (same IDs, new job version)", async () => {
    const h = cluster();
    const { job } = await register(h, { id: "web", count: 3 });
    const ids = live(h, job)
      .map((a) => a.ID)
      .sort();
    const { job: v2 } = await register(h, {
      ...job,
      TaskGroups: [{ ...job.TaskGroups[0]!, Meta: { owner: "b" } }],
    });
    const after = live(h, job);
    expect(after.map((a) => a.ID).sort()).toEqual(ids);
    expect(after.every((a) => a.Job?.Version === v2.Version && a.DesiredDescription === ALLOC_IN_PLACE)).toBe(
      true,
    );
  });

  it("a task change is a destructive update: stop and replace with a link to the previous alloc", async () => {
    const h = cluster();
    const { job } = await register(h, { id: "web", count: 2 });
    const old = live(h, job);
    const g = job.TaskGroups[0]!;
    const t = g.Tasks[0]!;
    await register(h, {
      ...job,
      TaskGroups: [{ ...g, Tasks: [{ ...t, Config: { command: "/bin/app2" } }] }],
    });
    const after = live(h, job);
    expect(after).toHaveLength(2);
    expect(after.map((a) => a.PreviousAllocation).sort()).toEqual(old.map((a) => a.ID).sort());
    for (const a of old) expect(h.state.allocByID(a.ID)?.DesiredDescription).toBe(ALLOC_UPDATING);
    expect(indices(after)).toEqual([0, 1]);
  });
});

describe("reconciler: tainted nodes", () => {
  it("allocations on a draining node are migrated to other nodes", async () => {
    const h = cluster(3);
    const { job } = await register(h, { id: "web", count: 6 });
    const onN0 = live(h, job).filter((a) => a.NodeID === "n0");
    expect(onN0.length).toBeGreaterThan(0);
    h.state.updateNode("n0", {
      DrainStrategy: {
        DrainSpec: { Deadline: 3600e9, IgnoreSystemJobs: false },
        ForceDeadline: "",
        StartedAt: "",
      },
    });
    await h.process(mockEval(job, "node-drain"));
    const after = live(h, job);
    expect(after).toHaveLength(6);
    expect(after.some((a) => a.NodeID === "n0")).toBe(false);
    for (const a of onN0) expect(h.state.allocByID(a.ID)?.DesiredDescription).toBe(ALLOC_MIGRATING);
  });

  it("allocations on a down node are marked lost and replaced elsewhere", async () => {
    const h = cluster(3);
    const { job } = await register(h, { id: "web", count: 6 });
    const onN1 = live(h, job).filter((a) => a.NodeID === "n1");
    h.state.updateNode("n1", { Status: "down" });
    await h.process(mockEval(job, "node-update"));
    for (const a of onN1) {
      const s = h.state.allocByID(a.ID)!;
      expect([s.ClientStatus, s.DesiredStatus, s.DesiredDescription]).toEqual(["lost", "stop", ALLOC_LOST]);
      expect(s.NextAllocation).not.toBe("");
    }
    const after = live(h, job);
    expect(after).toHaveLength(6);
    expect(after.some((a) => a.NodeID === "n1")).toBe(false);
    // a lost replacement is not a reschedule attempt
    const replacement = after.find((a) => a.PreviousAllocation === onN1[0]!.ID)!;
    expect(replacement.RescheduleTracker).toBeNull();
  });

  it("prevent_reschedule_on_lost leaves lost allocations unreplaced", async () => {
    const h = cluster(2);
    const { job } = await register(h, mockJob({ id: "web", count: 4, extra: {} }));
    const g = job.TaskGroups[0]!;
    const { job: j2 } = await register(h, { ...job, TaskGroups: [{ ...g, PreventRescheduleOnLost: true }] });
    const victim = live(h, j2)[0]!.NodeID;
    const onVictim = live(h, j2).filter((a) => a.NodeID === victim).length;
    h.state.updateNode(victim, { Status: "down" });
    await h.process(mockEval(j2, "node-update"));
    expect(live(h, j2)).toHaveLength(4 - onVictim);
    expect(live(h, j2).some((a) => a.NodeID === victim)).toBe(false);
  });
});

describe("reconciler: failures and reschedule policy", () => {
  it("a failed batch allocation is rescheduled after its delay, avoiding the node it failed on", async () => {
    const h = cluster(3);
    const { job } = await register(h, { id: "b", type: "batch", count: 1 });
    const [a] = live(h, job);
    h.state.setClientStatus(a!.ID, "failed", h.nowNs - seconds(10));
    await h.process(mockEval(job, "alloc-failure"));
    const [r] = live(h, job);
    expect(r!.PreviousAllocation).toBe(a!.ID);
    expect(r!.NodeID).not.toBe(a!.NodeID);
    expect(r!.RescheduleTracker?.Events).toHaveLength(1);
    expect(r!.RescheduleTracker?.Events[0]).toMatchObject({
      PrevAllocID: a!.ID,
      PrevNodeID: a!.NodeID,
      Delay: seconds(5),
    });
  });

  it("a failure not yet due creates a follow-up eval with WaitUntil; the follow-up reschedules it", async () => {
    const h = cluster(3);
    const { job } = await register(h, { id: "s", count: 1 });
    const [a] = live(h, job);
    const failedAt = h.nowNs;
    h.state.setClientStatus(a!.ID, "failed", failedAt);
    const res = await h.process(mockEval(job, "alloc-failure"));
    expect(res.followupEvals).toHaveLength(1);
    const follow = res.followupEvals[0]!;
    expect(follow).toMatchObject({
      TriggeredBy: "alloc-failure",
      Status: "pending",
      WaitUntil: failedAt + seconds(30),
    });
    expect(h.state.allocByID(a!.ID)?.FollowupEvalID).toBe(follow.ID);
    expect(live(h, job)).toHaveLength(0);

    h.nowNs = follow.WaitUntil;
    await h.process(follow);
    const [r] = live(h, job);
    expect(r!.PreviousAllocation).toBe(a!.ID);
  });

  it("batch allocations that failed past their attempts are not replaced; complete ones hold their slot", async () => {
    const h = cluster(3);
    const { job } = await register(h, {
      id: "b",
      type: "batch",
      count: 2,
      reschedule: { Attempts: 0, Unlimited: false },
    });
    const [a, b] = live(h, job);
    h.state.setClientStatus(a!.ID, "failed", h.nowNs - seconds(60));
    h.state.setClientStatus(b!.ID, "complete");
    const res = await h.process(mockEval(job, "alloc-failure"));
    expect(live(h, job)).toHaveLength(0);
    expect(res.plans).toHaveLength(0);
  });

  it("a service allocation that completes is replaced (services are meant to keep running)", async () => {
    const h = cluster(2);
    const { job } = await register(h, { id: "s", count: 1 });
    const [a] = live(h, job);
    h.state.setClientStatus(a!.ID, "complete");
    await h.process(mockEval(job, "alloc-stop"));
    expect(live(h, job)).toHaveLength(1);
  });

  it("delay functions: constant, exponential doubling and fibonacci, capped by MaxDelay", () => {
    const base = { Attempts: 0, Interval: 0, Unlimited: true, Delay: seconds(5), MaxDelay: seconds(60) };
    const withDelays = (...d: number[]): Allocation =>
      ({
        RescheduleTracker: {
          Events: d.map((x) => ({ RescheduleTime: 0, PrevAllocID: "", PrevNodeID: "", Delay: x })),
          LastReschedule: "",
        },
      }) as unknown as Allocation;
    expect(rescheduleDelay(withDelays(), { ...base, DelayFunction: "exponential" })).toBe(seconds(5));
    expect(
      rescheduleDelay(withDelays(seconds(5), seconds(10)), { ...base, DelayFunction: "exponential" }),
    ).toBe(seconds(20));
    expect(rescheduleDelay(withDelays(seconds(40)), { ...base, DelayFunction: "exponential" })).toBe(
      seconds(60),
    );
    expect(rescheduleDelay(withDelays(seconds(5), seconds(5)), { ...base, DelayFunction: "fibonacci" })).toBe(
      seconds(10),
    );
    expect(rescheduleDelay(withDelays(seconds(5), seconds(10)), { ...base, DelayFunction: "constant" })).toBe(
      seconds(5),
    );
  });
});
