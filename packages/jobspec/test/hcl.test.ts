import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { parseJobFile } from "@nomad/jobspec";

const fixture = (name: string): Promise<string> =>
  readFile(new URL(`./fixtures/${name}`, import.meta.url), "utf8");

const S = 1_000_000_000;

describe("HCL job files", () => {
  it("maps a raw_exec service with ports, restart, update and resources to a canonical Job", async () => {
    const job = await parseJobFile(await fixture("web.nomad.hcl"), { filename: "web.nomad.hcl" });
    expect(job.ID).toBe("web");
    expect(job.Name).toBe("web");
    expect(job.Type).toBe("service");
    expect(job.Priority).toBe(70);
    expect(job.Datacenters).toEqual(["dc1", "dc2"]);
    expect(job.Meta).toEqual({ team: "platform" });
    expect(job.Constraints).toEqual([{ LTarget: "${attr.kernel.name}", RTarget: "linux", Operand: "=" }]);
    expect(job.Update?.MaxParallel).toBe(2);
    expect(job.Update?.MinHealthyTime).toBe(15 * S);

    const g = job.TaskGroups[0]!;
    expect(g.Name).toBe("frontend");
    expect(g.Count).toBe(3);
    expect(g.Networks).toHaveLength(1);
    const net = g.Networks[0]!;
    expect(net.ReservedPorts).toEqual([expect.objectContaining({ Label: "http", Value: 8080 })]);
    expect(net.DynamicPorts).toEqual([expect.objectContaining({ Label: "metrics", Value: 0, To: 9100 })]);
    expect(g.RestartPolicy).toEqual({
      Attempts: 4,
      Interval: 600 * S,
      Delay: 20 * S,
      Mode: "delay",
      RenderTemplates: false,
    });
    expect(g["Services"]).toEqual([
      {
        Name: "web",
        PortLabel: "http",
        Provider: "nomad",
        Tags: ["frontend"],
        Checks: [{ Type: "http", Path: "/health", Interval: 10 * S, Timeout: 2 * S }],
      },
    ]);
    // Group update is the job's merged over Nomad's defaults.
    expect(g.Update?.MaxParallel).toBe(2);
    expect(g.Update?.HealthyDeadline).toBe(300 * S);

    const t = g.Tasks[0]!;
    expect(t.Name).toBe("server");
    expect(t.Driver).toBe("raw_exec");
    expect(t.Config).toEqual({
      command: "/bin/sh",
      args: ["-c", "exec python3 -m http.server ${NOMAD_PORT_http}"],
    });
    expect(t.Env).toEqual({ GREETING: "hello", WORKERS: "4" });
    expect(t.Resources.CPU).toBe(250);
    expect(t.Resources.MemoryMB).toBe(128);
    expect(t.Resources.MemoryMaxMB).toBe(256);
    expect(t.KillTimeout).toBe(30 * S);
    expect(t.KillSignal).toBe("SIGINT");
    // Task restart policy inherits the group's.
    expect(t.RestartPolicy.Attempts).toBe(4);
  });

  it("maps a batch job with reschedule and cores, applying batch defaults", async () => {
    const job = await parseJobFile(await fixture("report.nomad.hcl"), { filename: "report.nomad.hcl" });
    expect(job.Type).toBe("batch");
    expect(job.Datacenters).toEqual(["*"]);
    expect(job.Update).toBeNull();
    const g = job.TaskGroups[0]!;
    expect(g.Count).toBe(1);
    expect(g.ReschedulePolicy).toMatchObject({
      Attempts: 2,
      Interval: 3600 * S,
      Delay: 10 * S,
      Unlimited: false,
    });
    expect(g.RestartPolicy.Attempts).toBe(3); // batch default
    const t = g.Tasks[0]!;
    expect(t.Resources.Cores).toBe(1);
    expect(t.Resources.CPU).toBe(0);
    expect(t.KillTimeout).toBe(5 * S);
  });

  it("reads constraint shorthands, affinities and spreads", async () => {
    const text = `job "x" {
  constraint {
    distinct_hosts = true
  }
  constraint {
    attribute = "\${attr.nomad.version}"
    version   = ">= 1.6"
  }
  affinity {
    attribute = "\${node.datacenter}"
    value     = "dc1"
    weight    = 80
  }
  spread {
    attribute = "\${node.datacenter}"
    target "dc1" {
      percent = 70
    }
    target "dc2" {
      percent = 30
    }
  }
  group "g" {
    task "t" {
      driver = "mock"
    }
  }
}`;
    const job = await parseJobFile(text, { filename: "x.hcl" });
    expect(job.Constraints.map((c) => c.Operand)).toEqual(["distinct_hosts", "version"]);
    expect(job.Constraints[1]!.RTarget).toBe(">= 1.6");
    expect(job.Affinities[0]).toMatchObject({ LTarget: "${node.datacenter}", RTarget: "dc1", Weight: 80 });
    expect(job.Spreads[0]!.SpreadTarget).toEqual([
      { Value: "dc1", Percent: 70 },
      { Value: "dc2", Percent: 30 },
    ]);
  });
});

describe("HCL batch extras", () => {
  it("maps periodic, parameterized, lifecycle, artifact, template and dispatch_payload", async () => {
    const job = await parseJobFile(await fixture("nightly.nomad.hcl"), { filename: "nightly.nomad.hcl" });
    expect(job["Periodic"]).toEqual({
      Enabled: true,
      SpecType: "cron",
      Specs: ["0 3 * * *"],
      ProhibitOverlap: true,
    });
    expect(job["ParameterizedJob"]).toEqual({ Payload: "optional", MetaRequired: ["TARGET"] });
    const [fetch, run] = job.TaskGroups[0]!.Tasks;
    expect(fetch!.Name).toBe("fetch");
    expect(fetch!["Lifecycle"]).toEqual({ Hook: "prestart" });
    expect(fetch!["Artifacts"]).toEqual([
      {
        GetterSource: "https://example.com/tool.tar.gz",
        RelativeDest: "local/tool",
        GetterOptions: { checksum: "sha256:abcd" },
      },
    ]);
    expect(run!["Templates"]).toEqual([
      {
        EmbeddedTmpl: 'target={{ env "NOMAD_META_TARGET" }}\n',
        DestPath: "local/run.env",
        Envvars: true,
        Splay: 3 * S,
      },
    ]);
    expect(run!["DispatchPayload"]).toEqual({ File: "input.json" });
  });
});

describe("HCL strings", () => {
  it("keeps runtime interpolation verbatim and unescapes $${ the way HCL does", async () => {
    const text = `job "e" {
  group "g" {
    task "t" {
      driver = "raw_exec"
      config {
        command = "/bin/sh"
        args    = ["-c", "echo $\${HOME} \${NOMAD_ALLOC_ID}"]
      }
      env {
        ALLOC = "a-\${NOMAD_ALLOC_ID}"
        LIT   = "$\${HOME}"
      }
    }
  }
}`;
    const t = (await parseJobFile(text, { filename: "e.hcl" })).TaskGroups[0]!.Tasks[0]!;
    expect(t.Config["args"]).toEqual(["-c", "echo ${HOME} ${NOMAD_ALLOC_ID}"]);
    expect(t.Env).toEqual({ ALLOC: "a-${NOMAD_ALLOC_ID}", LIT: "${HOME}" });
  });
});

describe("HCL volumes", () => {
  it("maps group volume blocks to a Volumes map and task volume_mount to VolumeMounts", async () => {
    const text = `job "v" {
  group "g" {
    volume "data" {
      type      = "host"
      source    = "shared-data"
      read_only = true
    }
    task "t" {
      driver = "raw_exec"
      volume_mount {
        volume      = "data"
        destination = "/srv/data"
      }
    }
  }
}`;
    const g = (await parseJobFile(text, { filename: "v.hcl" })).TaskGroups[0]!;
    expect(g["Volumes"]).toEqual({
      data: { Name: "data", Type: "host", Source: "shared-data", ReadOnly: true },
    });
    expect(g.Tasks[0]!["VolumeMounts"]).toEqual([{ Volume: "data", Destination: "/srv/data" }]);
  });
});
