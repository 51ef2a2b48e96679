import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeNomad } from "./fake-nomad.js";
import { JOB_STUB } from "./fixtures.js";

const agentDir = fileURLToPath(new URL("../..", import.meta.url));

function nomadProcess(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "--conditions=@nomad/source", "src/main.ts", ...args],
      { cwd: agentDir, env: { ...process.env, TZ: "UTC", NOMAD_ADDR: "", ...env }, timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === "number" ? err.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

let fake: FakeNomad;
beforeEach(async () => {
  fake = new FakeNomad();
  await fake.start();
});
afterEach(async () => {
  await fake.stop();
});

describe("the nomad executable", () => {
  it("takes Go-style -address and exits 0 with the job list", { timeout: 120_000 }, async () => {
    fake.json("GET /v1/jobs", [JOB_STUB]);
    const r = await nomadProcess(["job", "status", `-address=${fake.address}`]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(
      "ID       Type     Priority  Status   Submit Date\nexample  service  50        running  2026-11-25T01:00:00Z\n",
    );
    expect(r.code).toBe(0);
  });

  it("reads NOMAD_ADDR and exits 1 with the API error on stderr", { timeout: 120_000 }, async () => {
    fake.error("PUT /v1/system/gc", 500, "No cluster leader");
    const r = await nomadProcess(["system", "gc"], { NOMAD_ADDR: fake.address });
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      "Error running system garbage-collection: Unexpected response code: 500 (No cluster leader)\n",
    );
    expect(r.code).toBe(1);
  });
});
