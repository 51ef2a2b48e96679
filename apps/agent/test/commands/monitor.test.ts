import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeNomad } from "./fake-nomad.js";
import { allocStub, evaluation, EVAL2_ID, EVAL_ID, NODE_ID } from "./fixtures.js";
import { lines, runCli } from "./harness.js";

const TS = "2026-11-25T01:00:00Z";
let fake: FakeNomad;
beforeEach(async () => {
  fake = new FakeNomad();
  await fake.start();
});
afterEach(async () => {
  await fake.stop();
});

describe("evaluation monitor", () => {
  it("reports allocation status changes and follows NextEval after its wait", async () => {
    let polls = 0;
    fake.json(`GET /v1/evaluation/${EVAL_ID}`, () =>
      ++polls < 3 ? evaluation({ Status: "pending" }) : evaluation({ NextEval: EVAL2_ID, Wait: 5e9 }),
    );
    let allocPolls = 0;
    fake.json(`GET /v1/evaluation/${EVAL_ID}/allocations`, () =>
      ++allocPolls === 1
        ? [allocStub({ ClientStatus: "pending", ClientDescription: "" })]
        : [allocStub({ ClientStatus: "running", ClientDescription: "Tasks are running" })],
    );
    fake.json(
      `GET /v1/evaluation/${EVAL2_ID}`,
      evaluation({ ID: EVAL2_ID, TriggeredBy: "node-update", JobID: "", NodeID: NODE_ID }),
    );
    fake.json(`GET /v1/evaluation/${EVAL2_ID}/allocations`, []);
    fake.json("GET /v1/evaluations", [evaluation()]);
    const r = await runCli(["eval", "status", "-monitor", "5744"], { env: { NOMAD_ADDR: fake.address } });
    expect(r.stderr).toBe("");
    expect(lines(r.stdout)).toEqual([
      `==> ${TS}: Monitoring evaluation "5744eb15"`,
      `    ${TS}: Evaluation triggered by job "example"`,
      `    ${TS}: Allocation "8ba85cef" created: node "f7476465", group "cache"`,
      `    ${TS}: Allocation "8ba85cef" status changed: "pending" -> "running" (Tasks are running)`,
      `    ${TS}: Evaluation status changed: "pending" -> "complete"`,
      `==> ${TS}: Evaluation "5744eb15" finished with status "complete"`,
      `==> ${TS}: Monitoring next evaluation "a1b2c3d4" in 5s`,
      `==> ${TS}: Monitoring evaluation "a1b2c3d4"`,
      `    ${TS}: Evaluation triggered by node "f7476465"`,
      `    ${TS}: Evaluation status changed: "pending" -> "complete"`,
      `==> ${TS}: Evaluation "a1b2c3d4" finished with status "complete"`,
    ]);
    expect(r.sleeps).toEqual([1000, 1000, 5000]);
    expect(r.code).toBe(0);
  });

  it("an evaluation that cannot be read ends the monitor with exit 1", async () => {
    fake.json("GET /v1/evaluations", [evaluation()]);
    fake.error(`GET /v1/evaluation/${EVAL_ID}`, 404, "eval not found");
    const r = await runCli(["eval", "status", "-monitor", EVAL_ID], { env: { NOMAD_ADDR: fake.address } });
    expect(r.stderr).toBe(`==> No evaluation with id "${EVAL_ID}" found\n`);
    expect(r.code).toBe(1);
  });
});
