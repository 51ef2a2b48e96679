import { idLength, errText, type ClientFlags, type CommandContext } from "./common.js";
import { contextForJob, isParameterized, isPeriodic, loadJobFile } from "./job-file.js";
import { EvalMonitor } from "./monitor.js";
import { nextPeriodicLaunchMs } from "./cron.js";
import { formatTimeDifference, formatTimeUTC } from "../format/time.js";

export interface JobRunFlags extends ClientFlags {
  detach?: boolean;
  verbose?: boolean;
  output?: boolean;
  checkIndex?: string;
  preserveCounts?: boolean;
  policyOverride?: boolean;
  evalPriority?: string;
}

const ENFORCE_INDEX = /\((Enforcing job modify index.*)\)/;

/** `nomad job run <path>`: register, then monitor the evaluation (exit 2 when placement fails). */
export async function jobRun(ctx0: CommandContext, args: string[], flags: JobRunFlags): Promise<number> {
  if (args.length !== 1) {
    ctx0.ui.error("This command takes one argument: <path>");
    ctx0.ui.error("For additional help try 'nomad job run -help'");
    return 1;
  }
  const loaded = await loadJobFile(ctx0, args[0]!);
  const ctx = contextForJob(ctx0, flags, loaded);
  const { job } = loaded;

  if (flags.output === true) {
    ctx.ui.output(JSON.stringify({ Job: job }, null, 4));
    return 0;
  }

  let checkIndex: number | undefined;
  if (flags.checkIndex !== undefined && flags.checkIndex !== "") {
    if (!/^\d+$/.test(flags.checkIndex)) {
      ctx.ui.error(
        `Error parsing check-index value "${flags.checkIndex}": strconv.ParseUint: parsing "${flags.checkIndex}": invalid syntax`,
      );
      return 1;
    }
    checkIndex = Number(flags.checkIndex);
  }

  let resp;
  try {
    resp = await ctx.api.jobs.register(job, {
      ...(checkIndex === undefined ? {} : { enforceIndex: true, jobModifyIndex: checkIndex }),
      ...(flags.preserveCounts === true ? { preserveCounts: true } : {}),
      ...(flags.policyOverride === true ? { policyOverride: true } : {}),
      ...(flags.evalPriority !== undefined ? { evalPriority: Number(flags.evalPriority) } : {}),
    });
  } catch (err) {
    const msg = errText(err);
    const m = msg.includes("Enforcing job modify index") ? ENFORCE_INDEX.exec(msg) : null;
    if (m !== null) {
      ctx.ui.error(m[1]!);
      ctx.ui.error("Job not updated");
      return 1;
    }
    ctx.ui.error(`Error submitting job: ${msg}`);
    return 1;
  }

  if (resp.Warnings !== undefined && resp.Warnings !== "") ctx.ui.output(`Job Warnings:\n${resp.Warnings}\n`);

  const periodic = isPeriodic(job);
  const param = isParameterized(job);
  if (flags.detach === true || periodic || param) {
    ctx.ui.output("Job registration successful");
    if (periodic && !param) {
      const now = ctx.deps.now();
      const next = nextPeriodicLaunchMs((job as Record<string, unknown>)["Periodic"], now);
      if (next !== null) {
        ctx.ui.output(
          `Approximate next launch time: ${formatTimeUTC(next)} (${formatTimeDifference(now, next, 1000)} from now)`,
        );
      }
    } else if (!param) ctx.ui.output(`Evaluation ID: ${resp.EvalID}`);
    return 0;
  }
  return new EvalMonitor(ctx, idLength(flags.verbose)).monitor(resp.EvalID);
}
