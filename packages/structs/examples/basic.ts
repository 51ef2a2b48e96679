import { parseJob, StructsValidationError } from "@nomad/structs";

const job = parseJob({
  ID: "web",
  Type: "batch",
  TaskGroups: [{ Name: "g", Tasks: [{ Name: "t", Driver: "exec" }] }],
});
console.log(job.Priority, job.TaskGroups[0]!.ReschedulePolicy);

try {
  parseJob({ ID: "web", Priority: 500, TaskGroups: [] });
} catch (e) {
  if (e instanceof StructsValidationError) console.log(e.issues);
}
