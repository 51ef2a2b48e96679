import { describe, expect, it } from "vitest";
import { JobspecError, parseJobFile, parseJobFileRaw } from "@nomad/jobspec";

const job = {
  ID: "api",
  Type: "batch",
  TaskGroups: [{ Name: "g", Tasks: [{ Name: "t", Driver: "raw_exec", KillTimeout: 2_000_000_000 }] }],
};

describe("JSON job files", () => {
  it('accepts the API request form {"Job": {...}}', async () => {
    const parsed = await parseJobFile(JSON.stringify({ Job: job }), { filename: "api.json" });
    expect(parsed.ID).toBe("api");
    expect(parsed.TaskGroups[0]!.Tasks[0]!.KillTimeout).toBe(2_000_000_000);
    expect(parsed.TaskGroups[0]!.RestartPolicy.Attempts).toBe(3);
  });

  it("accepts a bare Job and gives the same result", async () => {
    const a = await parseJobFile(JSON.stringify(job), { filename: "bare.json" });
    const b = await parseJobFile(JSON.stringify({ Job: job }), { filename: "api.json" });
    expect(a).toEqual(b);
  });

  it("uses format over the file name", async () => {
    const parsed = await parseJobFile(JSON.stringify(job), { filename: "job.nomad", format: "json" });
    expect(parsed.ID).toBe("api");
  });

  it("names the API field path of an invalid job", async () => {
    const bad = { ...job, TaskGroups: [{ Name: "g", Tasks: [{ Name: "t", Driver: "" }] }] };
    await expect(parseJobFile(JSON.stringify({ Job: bad }), { filename: "bad.json" })).rejects.toMatchObject({
      code: "INVALID_JOB",
      path: "TaskGroups[0].Tasks[0].Driver",
    });
  });

  it("HCL and the equivalent JSON give the same Job", async () => {
    const hcl = `job "api" {
  type = "batch"
  group "g" {
    task "t" {
      driver       = "raw_exec"
      kill_timeout = "2s"
    }
  }
}`;
    const fromHcl = await parseJobFile(hcl, { filename: "api.hcl" });
    const fromJson = await parseJobFile(JSON.stringify({ Job: job }), { filename: "api.json" });
    expect(fromHcl).toEqual(fromJson);
  });

  it("refuses a non-object document", async () => {
    await expect(parseJobFile("[1]", { filename: "x.json" })).rejects.toBeInstanceOf(JobspecError);
  });
});

describe("parseJobFileRaw", () => {
  it("returns the API JSON as written, without defaults", async () => {
    const raw = await parseJobFileRaw(
      'job "r" {\n  group "g" {\n    task "t" {\n      driver = "raw_exec"\n      kill_timeout = "1s"\n    }\n  }\n}\n',
      { filename: "r.hcl" },
    );
    expect(raw).toEqual({
      ID: "r",
      Name: "r",
      TaskGroups: [{ Name: "g", Tasks: [{ Name: "t", Driver: "raw_exec", KillTimeout: 1_000_000_000 }] }],
    });
  });
});
