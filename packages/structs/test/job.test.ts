import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { hours, minutes, parseJob, seconds, StructsValidationError, type JobType } from "@nomad/structs";

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")) as unknown;

const minimal = (type?: JobType): Record<string, unknown> => ({
  ID: "example",
  ...(type === undefined ? {} : { Type: type }),
  TaskGroups: [{ Name: "g", Tasks: [{ Name: "t", Driver: "exec" }] }],
});

function issuesOf(input: unknown): { path: string; message: string }[] {
  try {
    parseJob(input);
  } catch (e) {
    if (e instanceof StructsValidationError) return [...e.issues];
    throw e;
  }
  throw new Error("expected a validation error");
}

describe("parsing Nomad API job JSON", () => {
  it("reads a GET /v1/job/:id response with PascalCase fields and nanosecond durations", () => {
    const job = parseJob(fixture("job-service.json"));
    expect(job.ID).toBe("cache");
    expect(job.Priority).toBe(70);
    expect(job.Datacenters).toEqual(["dc1", "dc2"]);
    const g = job.TaskGroups[0]!;
    expect(g.Count).toBe(3);
    expect(g.Constraints[0]).toEqual({ LTarget: "", RTarget: "", Operand: "distinct_hosts" });
    expect(g.Networks[0]?.DynamicPorts[0]).toMatchObject({ Label: "db", Value: 0, To: 6379 });
    expect(g.ReschedulePolicy).toEqual({
      Attempts: 0,
      Interval: 0,
      Delay: seconds(30),
      DelayFunction: "exponential",
      MaxDelay: hours(1),
      Unlimited: true,
    });
    expect(g.Update?.MaxParallel).toBe(2);
    expect(g.Update?.AutoRevert).toBe(true);
    const t = g.Tasks[0]!;
    expect(t.Resources).toMatchObject({ CPU: 500, MemoryMB: 256, MemoryMaxMB: 512, Cores: 0 });
    expect(t.Affinities[0]).toEqual({ LTarget: "${meta.rack}", RTarget: "r1", Operand: "=", Weight: 40 });
    expect(job.Spreads[0]?.SpreadTarget).toEqual([
      { Value: "dc1", Percent: 70 },
      { Value: "dc2", Percent: 30 },
    ]);
  });

  it("keeps fields it does not interpret (Services, Multiregion) so a stored job round-trips", () => {
    const job = parseJob(fixture("job-service.json"));
    expect(job.TaskGroups[0]?.Tasks[0]?.["Services"]).toEqual([
      { Name: "redis-cache", PortLabel: "db", Provider: "nomad" },
    ]);
    expect("Multiregion" in job).toBe(true);
    const again = parseJob(JSON.parse(JSON.stringify(job)));
    expect(again).toEqual(job);
  });

  it("keeps the job-level update block as Nomad stores it (only Stagger and MaxParallel defaulted)", () => {
    const job = parseJob(minimal("service"));
    expect(job.Update).toMatchObject({
      Stagger: seconds(30),
      MaxParallel: 1,
      HealthCheck: "",
      MinHealthyTime: 0,
    });
    expect(job.TaskGroups[0]?.Update).toMatchObject({
      HealthCheck: "checks",
      MinHealthyTime: seconds(10),
      HealthyDeadline: minutes(5),
      ProgressDeadline: minutes(10),
    });
  });
});

describe("canonicalisation applies Nomad's defaults", () => {
  it("job defaults: priority 50, region global, namespace default, datacenters *, name = ID, count 1", () => {
    const job = parseJob(minimal());
    expect(job).toMatchObject({
      Type: "service",
      Priority: 50,
      Region: "global",
      Namespace: "default",
      NodePool: "default",
      Datacenters: ["*"],
      Name: "example",
      Stop: false,
      AllAtOnce: false,
    });
    expect(job.TaskGroups[0]?.Count).toBe(1);
  });

  it("task defaults: 100 MHz, 300 MB, kill timeout 5s, 10 x 10 MB logs, 300 MB ephemeral disk", () => {
    const job = parseJob(minimal());
    const g = job.TaskGroups[0]!;
    expect(g.Tasks[0]?.Resources).toMatchObject({
      CPU: 100,
      MemoryMB: 300,
      Cores: 0,
      MemoryMaxMB: 0,
      DiskMB: 0,
    });
    expect(g.Tasks[0]?.KillTimeout).toBe(seconds(5));
    expect(g.Tasks[0]?.LogConfig).toEqual({ MaxFiles: 10, MaxFileSizeMB: 10, Disabled: false });
    expect(g.EphemeralDisk).toEqual({ Sticky: false, SizeMB: 300, Migrate: false });
  });

  it("a task asking for cores gets no default CPU", () => {
    const input = minimal();
    (input["TaskGroups"] as { Tasks: Record<string, unknown>[] }[])[0]!.Tasks[0]!["Resources"] = { Cores: 2 };
    expect(parseJob(input).TaskGroups[0]?.Tasks[0]?.Resources).toMatchObject({ CPU: 0, Cores: 2 });
  });

  const restart = {
    service: { Attempts: 2, Interval: minutes(30), Delay: seconds(15), Mode: "fail" },
    system: { Attempts: 2, Interval: minutes(30), Delay: seconds(15), Mode: "fail" },
    batch: { Attempts: 3, Interval: hours(24), Delay: seconds(15), Mode: "fail" },
    sysbatch: { Attempts: 3, Interval: hours(24), Delay: seconds(15), Mode: "fail" },
  } as const;

  for (const type of ["service", "batch", "system", "sysbatch"] as const) {
    it(`restart defaults for ${type} jobs on the group and its tasks`, () => {
      const g = parseJob(minimal(type)).TaskGroups[0]!;
      expect(g.RestartPolicy).toMatchObject(restart[type]);
      expect(g.Tasks[0]?.RestartPolicy).toMatchObject(restart[type]);
    });
  }

  it("service reschedule: unlimited, 30s exponential up to 1h; service groups get a migrate block", () => {
    const g = parseJob(minimal("service")).TaskGroups[0]!;
    expect(g.ReschedulePolicy).toEqual({
      Attempts: 0,
      Interval: 0,
      Delay: seconds(30),
      DelayFunction: "exponential",
      MaxDelay: hours(1),
      Unlimited: true,
    });
    expect(g.Migrate).toEqual({
      MaxParallel: 1,
      HealthCheck: "checks",
      MinHealthyTime: seconds(10),
      HealthyDeadline: minutes(5),
    });
  });

  it("batch reschedule: one attempt per 24h after 5s, constant; no update or migrate block", () => {
    const job = parseJob(minimal("batch"));
    const g = job.TaskGroups[0]!;
    expect(g.ReschedulePolicy).toEqual({
      Attempts: 1,
      Interval: hours(24),
      Delay: seconds(5),
      DelayFunction: "constant",
      MaxDelay: 0,
      Unlimited: false,
    });
    expect(job.Update).toBeNull();
    expect(g.Update).toBeNull();
    expect(g.Migrate).toBeNull();
  });

  it("system and sysbatch jobs never reschedule", () => {
    expect(parseJob(minimal("system")).TaskGroups[0]?.ReschedulePolicy).toBeNull();
    expect(parseJob(minimal("sysbatch")).TaskGroups[0]?.ReschedulePolicy).toBeNull();
  });

  it("a partly written policy is completed from the type's defaults; tasks inherit the group's", () => {
    const input = minimal("batch");
    const group = (input["TaskGroups"] as Record<string, unknown>[])[0]!;
    group["RestartPolicy"] = { Attempts: 7 };
    group["ReschedulePolicy"] = { Delay: seconds(9) };
    const g = parseJob(input).TaskGroups[0]!;
    expect(g.RestartPolicy).toMatchObject({ Attempts: 7, Interval: hours(24), Mode: "fail" });
    expect(g.Tasks[0]?.RestartPolicy.Attempts).toBe(7);
    expect(g.ReschedulePolicy).toMatchObject({ Attempts: 1, Delay: seconds(9), DelayFunction: "constant" });
  });

  it("affinity weight defaults to 50 and operand to =; spread weight to 50", () => {
    const job = parseJob({
      ...minimal(),
      Affinities: [{ LTarget: "${node.class}", RTarget: "big" }],
      Spreads: [{ Attribute: "${node.datacenter}" }],
    });
    expect(job.Affinities[0]).toEqual({ LTarget: "${node.class}", RTarget: "big", Operand: "=", Weight: 50 });
    expect(job.Spreads[0]).toEqual({ Attribute: "${node.datacenter}", Weight: 50, SpreadTarget: [] });
  });
});

describe("validation errors name the field path", () => {
  it("a wrongly typed resource names TaskGroups[0].Tasks[0].Resources.CPU", () => {
    const input = minimal();
    (input["TaskGroups"] as { Tasks: Record<string, unknown>[] }[])[0]!.Tasks[0]!["Resources"] = {
      CPU: "lots",
    };
    const issues = issuesOf(input);
    expect(issues.map((i) => i.path)).toContain("TaskGroups[0].Tasks[0].Resources.CPU");
  });

  it("an unknown constraint operator is reported on its Operand with Nomad's message", () => {
    const issues = issuesOf({
      ...minimal(),
      Constraints: [{ LTarget: "${attr.a}", RTarget: "1", Operand: "~=" }],
    });
    expect(issues).toContainEqual({
      path: "Constraints[0].Operand",
      message: 'Unknown constraint type "~="',
    });
  });

  it("priority out of range, unknown type and a missing ID are all reported at once", () => {
    const issues = issuesOf({ Type: "daemon", Priority: 101, TaskGroups: [] });
    const paths = issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(["ID", "Type", "Priority", "TaskGroups"]));
  });

  it("duplicate group names, a bad restart mode and memory below 10 MB name their fields", () => {
    const input = {
      ID: "x",
      TaskGroups: [
        {
          Name: "g",
          Tasks: [{ Name: "t", Driver: "exec", Resources: { MemoryMB: 5 } }],
          RestartPolicy: { Mode: "sometimes" },
        },
        { Name: "g", Tasks: [{ Name: "t", Driver: "exec" }] },
      ],
    };
    let paths: string[] = [];
    try {
      parseJob(input);
    } catch (e) {
      paths = (e as StructsValidationError).issues.map((i) => i.path);
    }
    expect(paths).toContain("TaskGroups[0].Tasks[0].Resources.MemoryMB");
    // Refinements on the canonical form run only once the shape parses; fix the shape and retry.
    const shapeOk = structuredClone(input);
    shapeOk.TaskGroups[0]!.Tasks[0] = { Name: "t", Driver: "exec", Resources: { MemoryMB: 64 } };
    const paths2 = issuesOf(shapeOk).map((i) => i.path);
    expect(paths2).toEqual(
      expect.arrayContaining(["TaskGroups[1].Name", "TaskGroups[0].RestartPolicy.Mode"]),
    );
  });

  it("static ports out of range and duplicate labels name the port", () => {
    const input = minimal();
    (input["TaskGroups"] as Record<string, unknown>[])[0]!["Networks"] = [
      { ReservedPorts: [{ Label: "http", Value: 70000 }], DynamicPorts: [{ Label: "http" }] },
    ];
    const paths = issuesOf(input).map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "TaskGroups[0].Networks[0].ReservedPorts[0].Value",
        "TaskGroups[0].Networks[0].DynamicPorts[0].Label",
      ]),
    );
  });

  it("the error message lists path: message pairs", () => {
    expect(() => parseJob({ ...minimal(), Priority: 0 })).toThrow(
      /invalid job: Priority: job priority must be between \[1, 100\]/,
    );
  });
});
