import { describe, expect, it } from "vitest";
import { parseJobFile } from "@nomad/jobspec";

describe("source order", () => {
  it("keeps groups, tasks and ports in file order, not hcl2json's sorted order", async () => {
    const text = `job "o" {
  group "web" {
    network {
      port "zeta" {}
      port "alpha" {}
    }
    task "sidecar" {
      driver = "raw_exec"
    }
    task "main" {
      driver = "raw_exec"
    }
  }
  group "db" {
    task "main" {
      driver = "raw_exec"
    }
  }
}`;
    const job = await parseJobFile(text, { filename: "o.hcl" });
    expect(job.TaskGroups.map((g) => g.Name)).toEqual(["web", "db"]);
    expect(job.TaskGroups[0]!.Tasks.map((t) => t.Name)).toEqual(["sidecar", "main"]);
    expect(job.TaskGroups[0]!.Networks[0]!.DynamicPorts.map((p) => p.Label)).toEqual(["zeta", "alpha"]);
  });
});
