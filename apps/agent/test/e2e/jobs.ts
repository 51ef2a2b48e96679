// Job files the end-to-end tests submit, written as a Nomad user would.
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** A raw_exec service that says hello, records its PID, then prints a numbered tick every 200 ms. */
export function tickerJob(dir: string, name = "ticker"): string {
  const file = join(dir, `${name}.nomad.hcl`);
  writeFileSync(
    file,
    `job "${name}" {
  datacenters = ["dc1"]
  type        = "service"

  group "app" {
    task "ticker" {
      driver = "raw_exec"

      config {
        command = "/bin/sh"
        args    = ["-c", "echo hello-from-task; echo $$ > $NOMAD_TASK_DIR/pid; i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.2; done"]
      }

      resources {
        cpu    = 100
        memory = 64
      }
    }
  }
}
`,
  );
  return file;
}

export const RAW_EXEC_PLUGIN = `plugin "raw_exec" {
  config {
    enabled = true
  }
}
`;
