import { describe, expect, it } from "vitest";
import { computeGcPlan, DEPLOYMENT_STATUSES, deploymentIsActive } from "../src/index.js";
import { fixedClock, MemoryGcState } from "../src/testing.js";
import { alloc, cfg, deployment, HOUR, NOW } from "./fixtures.js";

const run = (s: MemoryGcState) =>
  computeGcPlan("deployment-gc", s, cfg, fixedClock(NOW)).batches.flatMap((b) =>
    b.kind === "deployment-reap" ? [...b.deploymentIDs] : [],
  );

describe("deployment-gc", () => {
  it("collects a terminal deployment older than deployment_gc_threshold (1h)", () => {
    const s = new MemoryGcState();
    s.upsertDeployment(deployment({ ID: "d", JobID: "j", ModifyTime: NOW - 2 * HOUR }));
    expect(run(s)).toEqual(["d"]);
  });

  it("keeps one modified within the hour", () => {
    const s = new MemoryGcState();
    s.upsertDeployment(deployment({ ID: "d", JobID: "j", ModifyTime: NOW - HOUR / 2 }));
    expect(run(s)).toEqual([]);
  });

  it("treats only failed, successful and cancelled as terminal", () => {
    expect(DEPLOYMENT_STATUSES.filter((st) => !deploymentIsActive({ Status: st }))).toEqual([
      "failed",
      "successful",
      "cancelled",
    ]);
    const s = new MemoryGcState();
    for (const st of DEPLOYMENT_STATUSES) s.upsertDeployment(deployment({ ID: st, JobID: "j", Status: st }));
    expect(run(s).sort()).toEqual(["cancelled", "failed", "successful"]);
  });

  it("keeps a terminal deployment a non-terminal allocation still references", () => {
    const s = new MemoryGcState();
    s.upsertDeployment(deployment({ ID: "d", JobID: "j" }));
    s.upsertAlloc(
      alloc({
        ID: "a",
        JobID: "j",
        EvalID: "e",
        DeploymentID: "d",
        DesiredStatus: "run",
        ClientStatus: "running",
      }),
    );
    expect(run(s)).toEqual([]);
  });
});
