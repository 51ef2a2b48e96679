import { JobspecError, parseJobFile } from "@nomad/jobspec";

const hcl = `job "hello" {
  type = "batch"
  group "g" {
    task "say" {
      driver = "raw_exec"
      config {
        command = "/bin/echo"
        args    = ["hello"]
      }
      kill_timeout = "10s"
    }
  }
}`;

const job = await parseJobFile(hcl, { filename: "hello.nomad.hcl" });
console.log(job.ID, job.Type, job.TaskGroups[0]!.Tasks[0]!.KillTimeout); // hello batch 10000000000

try {
  await parseJobFile('job "x" {\n  group "g" {\n    count = \n  }\n}\n', { filename: "bad.nomad.hcl" });
} catch (e) {
  if (e instanceof JobspecError) console.log(e.code, e.line, e.message); // SYNTAX 3 bad.nomad.hcl:3,...
}
