import type { AllocListStub, Evaluation, Job, JobListStub, JobSummary } from "@nomad/structs";
import { formatKV, formatList } from "../format/columnize.js";
import { limit } from "../format/ids.js";
import { formatTimeDifference, formatTimeUTC, formatUnixNanoTime } from "../format/time.js";
import { nextPeriodicLaunchMs } from "./cron.js";
import {
  allNamespaces,
  errText,
  evalFailureStatus,
  formatAllocListStubs,
  formatJobList,
  idLength,
  jobIDByPrefix,
  jobStatusString,
  type ClientFlags,
  type CommandContext,
} from "./common.js";
import { isParameterized, isPeriodic } from "./job-file.js";
import { formatAllocMetrics } from "./monitor.js";

export interface JobStatusFlags extends ClientFlags {
  verbose?: boolean;
  short?: boolean;
  evals?: boolean;
  allAllocs?: boolean;
}

/** Nomad shows at most this many task groups' placement failures. */
const MAX_FAILED_TGS = 5;

/** `nomad job status [job]`: the job list, or one job's details. */
export async function jobStatus(ctx: CommandContext, args: string[], flags: JobStatusFlags): Promise<number> {
  if (args.length > 1) {
    ctx.ui.error("This command takes either no arguments or one: <job>");
    ctx.ui.error("For additional help try 'nomad job status -help'");
    return 1;
  }
  const length = idLength(flags.verbose);
  if (args.length === 0) {
    let jobs: JobListStub[];
    try {
      jobs = (await ctx.api.jobs.list()).value ?? [];
    } catch (err) {
      ctx.ui.error(`Error querying jobs: ${errText(err)}`);
      return 1;
    }
    if (jobs.length === 0) ctx.ui.output("No running jobs");
    else ctx.ui.output(formatJobList(jobs, allNamespaces(ctx)));
    return 0;
  }

  const { id, namespace } = await jobIDByPrefix(ctx, args[0]!.trim());
  let job: Job;
  try {
    job = (await ctx.api.jobs.read(id, { namespace })).value;
  } catch (err) {
    ctx.ui.error(`Error querying job: ${errText(err)}`);
    return 1;
  }
  const periodic = isPeriodic(job);
  const parameterized = isParameterized(job);
  const basic = [
    `ID|${job.ID}`,
    `Name|${job.Name}`,
    `Submit Date|${formatUnixNanoTime(job.SubmitTime)}`,
    `Type|${job.Type}`,
    `Priority|${job.Priority}`,
    `Datacenters|${(job.Datacenters ?? []).join(",")}`,
    `Namespace|${job.Namespace}`,
    `Node Pool|${job.NodePool ?? ""}`,
    `Status|${jobStatusString(job.Status, job.Stop)}`,
    `Periodic|${periodic}`,
    `Parameterized|${parameterized}`,
  ];
  if (periodic && !parameterized) {
    if (job.Stop) basic.push("Next Periodic Launch|none (job stopped)");
    else {
      const now = ctx.deps.now();
      const next = nextPeriodicLaunchMs((job as Record<string, unknown>)["Periodic"], now);
      if (next !== null) {
        basic.push(
          `Next Periodic Launch|${formatTimeUTC(next)} (${formatTimeDifference(now, next, 1000)} from now)`,
        );
      }
    }
  }
  ctx.ui.output(formatKV(basic));
  if (flags.short === true) return 0;

  try {
    await outputJobInfo(ctx, job, flags, length, periodic || parameterized);
  } catch (err) {
    ctx.ui.error(errText(err));
    return 1;
  }
  return 0;
}

async function outputJobInfo(
  ctx: CommandContext,
  job: Job,
  flags: JobStatusFlags,
  length: number,
  parentJob: boolean,
): Promise<void> {
  if (isParameterized(job)) {
    const p = ((job as Record<string, unknown>)["ParameterizedJob"] ?? {}) as {
      Payload?: string;
      MetaRequired?: string[] | null;
      MetaOptional?: string[] | null;
    };
    ctx.ui.output("\nParameterized Job");
    ctx.ui.output(
      formatKV([
        `Payload|${p.Payload ?? ""}`,
        `Required Metadata|${(p.MetaRequired ?? []).join(", ")}`,
        `Optional Metadata|${(p.MetaOptional ?? []).join(", ")}`,
      ]),
    );
  }
  const q = { namespace: job.Namespace };
  let allocs: AllocListStub[];
  let evals: Evaluation[];
  try {
    allocs = (await ctx.api.jobs.allocations(job.ID, { all: flags.allAllocs === true }, q)).value ?? [];
  } catch (err) {
    throw new Error(`Error querying job allocations: ${errText(err)}`);
  }
  try {
    evals = (await ctx.api.jobs.evaluations(job.ID, q)).value ?? [];
  } catch (err) {
    throw new Error(`Error querying job evaluations: ${errText(err)}`);
  }
  await outputJobSummary(ctx, job, parentJob);
  if (parentJob) {
    await outputChildren(ctx, job);
    return;
  }

  let latestFailed: Evaluation | undefined;
  let blocked = false;
  const rows = ["ID|Priority|Triggered By|Status|Placement Failures"];
  for (const e of evals) {
    rows.push(
      [limit(e.ID, length), String(e.Priority), e.TriggeredBy, e.Status, evalFailureStatus(e)[0]].join("|"),
    );
    if (e.Status === "blocked") blocked = true;
    if (Object.keys(e.FailedTGAllocs ?? {}).length === 0) continue;
    if (latestFailed === undefined || latestFailed.CreateIndex < e.CreateIndex) latestFailed = e;
  }
  if (flags.verbose === true || flags.evals === true) {
    ctx.ui.output("\nEvaluations");
    ctx.ui.output(formatList(rows));
  }
  if (blocked && latestFailed !== undefined) outputFailedPlacements(ctx, latestFailed);

  ctx.ui.output("\nAllocations");
  ctx.ui.output(formatAllocListStubs(allocs, flags.verbose === true, length, ctx.deps.now()));
}

async function outputJobSummary(ctx: CommandContext, job: Job, parentJob: boolean): Promise<void> {
  let summary: JobSummary | undefined;
  try {
    summary = (await ctx.api.jobs.summary(job.ID, { namespace: job.Namespace })).value;
  } catch (err) {
    throw new Error(`Error querying job summary: ${errText(err)}`);
  }
  if (summary === undefined || summary === null) return;
  if (!parentJob) {
    ctx.ui.output("\nSummary");
    const rows = ["Task Group|Queued|Starting|Running|Failed|Complete|Lost|Unknown"];
    for (const tg of Object.keys(summary.Summary ?? {}).sort()) {
      const s = summary.Summary[tg]!;
      rows.push(
        [tg, s.Queued, s.Starting, s.Running, s.Failed, s.Complete, s.Lost, s.Unknown ?? 0]
          .map(String)
          .join("|"),
      );
    }
    ctx.ui.output(formatList(rows));
  }
  const c = summary.Children;
  if (c !== null && c !== undefined && (parentJob || c.Pending + c.Running + c.Dead > 0)) {
    ctx.ui.output(isParameterized(job) ? "\nParameterized Job Summary" : "\nChildren Job Summary");
    ctx.ui.output(formatList(["Pending|Running|Dead", `${c.Pending}|${c.Running}|${c.Dead}`]));
  }
}

function outputFailedPlacements(ctx: CommandContext, e: Evaluation): void {
  const failed = e.FailedTGAllocs ?? {};
  const groups = Object.keys(failed).sort();
  if (groups.length === 0) return;
  ctx.ui.output("\nPlacement Failure");
  groups.forEach((tg, i) => {
    if (i >= MAX_FAILED_TGS) return;
    ctx.ui.output(`Task Group "${tg}":`);
    ctx.ui.output(formatAllocMetrics(failed[tg]!, false, "  "));
    if (i !== groups.length - 1) ctx.ui.output("");
  });
  if (groups.length > MAX_FAILED_TGS) {
    ctx.ui.output(`\nPlacement failures truncated. To see remainder run:\nnomad eval-status ${e.ID}`);
  }
}

/** Periodic and parameterized parents list their launched children (`<id>/periodic-<t>`, `<id>/dispatch-<t>`). */
async function outputChildren(ctx: CommandContext, job: Job): Promise<void> {
  const periodic = !isParameterized(job);
  const prefix = `${job.ID}${periodic ? "/periodic-" : "/dispatch-"}`;
  let children;
  try {
    children = (await ctx.api.jobs.list({ prefix, namespace: job.Namespace })).value ?? [];
  } catch (err) {
    throw new Error(`Error querying job: ${errText(err)}`);
  }
  if (children.length === 0) {
    ctx.ui.output(
      periodic
        ? "\nNo instances of periodic job found"
        : "\nNo dispatched instances of parameterized job found",
    );
    return;
  }
  const rows = ["ID|Status"];
  for (const c of children) if (c.ParentID === job.ID) rows.push(`${c.ID}|${c.Status}`);
  ctx.ui.output(periodic ? "\nPreviously Launched Jobs" : "\nDispatched Jobs");
  ctx.ui.output(formatList(rows));
}
