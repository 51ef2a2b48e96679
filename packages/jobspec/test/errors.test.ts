import { describe, expect, it } from "vitest";
import { JobspecError, parseJobFile } from "@nomad/jobspec";

async function failure(text: string, filename = "bad.nomad.hcl"): Promise<JobspecError> {
  try {
    await parseJobFile(text, { filename });
  } catch (e) {
    if (e instanceof JobspecError) return e;
    throw e;
  }
  throw new Error("expected parseJobFile to fail");
}

const wrap = (task: string): string => `job "j" {
  group "g" {
    task "t" {
      driver = "raw_exec"
${task}
    }
  }
}
`;

describe("job file errors", () => {
  it("names the file, line and column of an HCL syntax error", async () => {
    const e = await failure('job "j" {\n  group "g" {\n    count = \n  }\n}\n');
    expect(e.code).toBe("SYNTAX");
    expect(e.filename).toBe("bad.nomad.hcl");
    expect(e.line).toBe(3);
    expect(e.column).toBeGreaterThan(0);
    expect(e.message).toMatch(/^bad\.nomad\.hcl:3,\d+: /);
  });

  it("names the HCL path of an unknown field (a typo is not dropped silently)", async () => {
    const e = await failure(wrap('      kill_timout = "5s"'));
    expect(e.code).toBe("INVALID_FIELD");
    expect(e.path).toBe("job.j.group.g.task.t.kill_timout");
    expect(e.line).toBe(5);
    expect(e.message).toMatch(/^bad\.nomad\.hcl:5,7 job\.j\.group\.g\.task\.t\.kill_timout: /);
  });

  it("names the path of a value of the wrong type", async () => {
    const e = await failure(wrap('      resources {\n        memory = "lots"\n      }'));
    expect(e.code).toBe("INVALID_FIELD");
    expect(e.path).toBe("job.j.group.g.task.t.resources.memory");
    expect(e.line).toBe(6);
  });

  it("rejects an expression where a literal is needed, naming the field", async () => {
    const e = await failure(wrap("      resources {\n        cpu = 100 + 1\n      }"));
    expect(e.path).toBe("job.j.group.g.task.t.resources.cpu");
    expect(e.message).toContain("expression");
  });

  it("reports a bad duration with its path and Go's reason", async () => {
    const e = await failure(wrap('      kill_timeout = "30"'));
    expect(e.code).toBe("INVALID_FIELD");
    expect(e.path).toBe("job.j.group.g.task.t.kill_timeout");
    expect(e.message).toContain("invalid duration");
  });

  it("reports Job model violations with the API field path", async () => {
    const e = await failure(
      'job "j" {\n  priority = 500\n  group "g" {\n    task "t" {\n      driver = "raw_exec"\n    }\n  }\n}\n',
    );
    expect(e.code).toBe("INVALID_JOB");
    expect(e.path).toBe("Priority");
    expect(e.issues.map((i) => i.path)).toContain("Priority");
  });

  it("reports a static port out of range at its API path", async () => {
    const e = await failure(
      'job "j" {\n  group "g" {\n    network {\n      port "p" {\n        static = 70000\n      }\n    }\n    task "t" {\n      driver = "raw_exec"\n    }\n  }\n}\n',
    );
    expect(e.code).toBe("INVALID_JOB");
    expect(e.path).toBe("TaskGroups[0].Networks[0].ReservedPorts[0].Value");
  });

  it("refuses files without exactly one job block", async () => {
    expect((await failure('variable "x" {}\n')).path).toBe("variable");
    expect((await failure("\n")).path).toBe("job");
  });

  it("names the line of a JSON syntax error", async () => {
    const e = await failure('{\n  "Job": {\n    "ID": "x",\n  }\n}\n', "job.json");
    expect(e.code).toBe("SYNTAX");
    expect(e.line).toBe(4);
  });
});
