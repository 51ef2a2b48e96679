import type { JobPlanResponse } from "@nomad/structs";
import { errText, type ClientFlags, type CommandContext } from "./common.js";
import { contextForJob, isParameterized, loadJobFile } from "./job-file.js";
import { formatAllocMetrics } from "./monitor.js";
import { formatJobDiff, type JobDiff } from "./plan-diff.js";
import { formatGoDuration } from "../format/time.js";

export interface JobPlanFlags extends ClientFlags {
  diff?: boolean;
  verbose?: boolean;
  policyOverride?: boolean;
}

/**
 * `nomad job plan <path>`: a scheduler dry-run. Exit codes as Nomad: 0 no changes,
 * 1 allocations would be created or destroyed, 255 error.
 */
export async function jobPlan(ctx0: CommandContext, args: string[], flags: JobPlanFlags): Promise<number> {
  if (args.length !== 1) {
    ctx0.ui.error("This command takes one argument: <path>");
    ctx0.ui.error("For additional help try 'nomad job plan -help'");
    return 255;
  }
  const path = args[0]!;
  let loaded;
  try {
    loaded = await loadJobFile(ctx0, path);
  } catch (err) {
    ctx0.ui.error(errText(err));
    return 255;
  }
  const ctx = contextForJob(ctx0, flags, loaded);
  let resp: JobPlanResponse;
  try {
    resp = await ctx.api.jobs.plan(loaded.job, { diff: true, policyOverride: flags.policyOverride === true });
  } catch (err) {
    ctx.ui.error(`Error during plan: ${errText(err)}`);
    return 255;
  }

  const diff = resp.Diff as JobDiff | null | undefined;
  if (flags.diff !== false && diff !== null && diff !== undefined && typeof diff === "object") {
    ctx.ui.output(`${formatJobDiff(diff, flags.verbose === true).trim()}\n`);
  }
  ctx.ui.output("Scheduler dry-run:");
  ctx.ui.output(formatDryRun(resp, loaded.job.Type, isParameterized(loaded.job)));
  ctx.ui.output("");
  if (resp.Warnings !== undefined && resp.Warnings !== "") ctx.ui.output(`Job Warnings:\n${resp.Warnings}\n`);

  const runArgs = ctx.namespace !== "" ? `-namespace="${ctx.namespace}" ` : "";
  ctx.ui.output(
    [
      `Job Modify Index: ${resp.JobModifyIndex}`,
      "To submit the job with version verification run:",
      "",
      `nomad job run -check-index ${resp.JobModifyIndex} ${runArgs}${path}`,
      "",
      "When running the job with the check-index flag, the job will only be run if the",
      "job modify index given matches the server-side version. If the index has",
      "changed, another user has modified the job and the plan's results are",
      "potentially invalid.",
    ].join("\n"),
  );
  return planExitCode(resp);
}

function formatDryRun(resp: JobPlanResponse, jobType: string, parameterized: boolean): string {
  const rolling = (resp.CreatedEvals ?? []).filter((e) => e.TriggeredBy === "rolling-update").at(-1);
  const failed = resp.FailedTGAllocs ?? {};
  const groups = Object.keys(failed).sort();
  let out: string;
  if (groups.length === 0) {
    out = "- All tasks successfully allocated.\n";
  } else {
    out =
      jobType === "system"
        ? "- WARNING: Failed to place allocations on all nodes.\n"
        : "- WARNING: Failed to place all allocations.\n";
    for (const tg of groups) {
      const m = failed[tg]!;
      const n = (m.CoalescedFailures ?? 0) + 1;
      out += `  Task Group "${tg}" (failed to place ${n} ${n > 1 ? "allocations" : "allocation"}):\n`;
      out += `${formatAllocMetrics(m, false, "    ")}\n\n`;
    }
    if (rolling === undefined) out = out.replace(/\n$/, "");
  }
  if (rolling !== undefined)
    out += `- Rolling update, next evaluation will be in ${formatGoDuration(rolling.Wait ?? 0)}.\n`;
  void parameterized;
  return out.replace(/\n$/, "");
}

/** Nomad's getExitCode: 1 when the plan would create, stop, migrate or destructively update allocations. */
export function planExitCode(resp: JobPlanResponse): number {
  const diff = resp.Diff as { Type?: string } | null | undefined;
  if (diff?.Type === "None") return 0;
  for (const d of Object.values(resp.Annotations?.DesiredTGUpdates ?? {})) {
    if (d.Stop + d.Place + d.Migrate + d.DestructiveUpdate + d.Canary > 0) return 1;
  }
  return 0;
}
