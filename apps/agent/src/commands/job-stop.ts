import type { Job } from "@nomad/structs";
import { errText, idLength, jobIDByPrefix, type ClientFlags, type CommandContext } from "./common.js";
import { EvalMonitor } from "./monitor.js";

export interface JobStopFlags extends ClientFlags {
  detach?: boolean;
  purge?: boolean;
  yes?: boolean;
  verbose?: boolean;
  global?: boolean;
  /** false with -no-shutdown-delay (commander's negation of `shutdownDelay`). */
  shutdownDelay?: boolean;
  evalPriority?: string;
}

/** `nomad job stop <job>...`: deregister (or purge), then monitor the evaluation. */
export async function jobStop(ctx: CommandContext, args: string[], flags: JobStopFlags): Promise<number> {
  if (args.length < 1) {
    ctx.ui.error("This command takes at least one argument: <job>");
    ctx.ui.error("For additional help try 'nomad job stop -help'");
    return 1;
  }
  const jobIDs = args.map((a) => a.trim());
  let worst = 0;
  // Nomad stops several jobs concurrently; one after the other keeps the output readable.
  for (const jobID of jobIDs) {
    const code = await stopOne(ctx, jobID, jobIDs.length, flags);
    if (code !== 0 && worst === 0) worst = code;
  }
  return worst;
}

async function stopOne(
  ctx: CommandContext,
  jobID: string,
  count: number,
  flags: JobStopFlags,
): Promise<number> {
  let job: Job;
  try {
    const found = await jobIDByPrefix(ctx, jobID);
    try {
      job = (await ctx.api.jobs.read(found.id, { namespace: found.namespace })).value;
    } catch (err) {
      throw new Error(`Error querying job "${found.id}": ${errText(err)}`);
    }
    job = { ...job, Namespace: found.namespace };
  } catch (err) {
    ctx.ui.error(errText(err));
    return 1;
  }

  if (count === 1 && jobID !== job.ID && flags.yes !== true) {
    const answer = await ctx.deps.ask(`Are you sure you want to stop job "${job.ID}"? [y/N]`);
    if (answer === "" || answer.toLowerCase().startsWith("n")) {
      ctx.ui.output("Cancelling job stop");
      return 0;
    } else if (answer.toLowerCase().startsWith("y") && answer.length > 1) {
      ctx.ui.output("For confirmation, an exact ‘y’ is required.");
      return 0;
    } else if (answer !== "y") {
      ctx.ui.output("No confirmation detected. For confirmation, an exact 'y' is required.");
      return 1;
    }
  }

  let evalID: string;
  try {
    const resp = await ctx.api.jobs.deregister(
      job.ID,
      {
        purge: flags.purge === true,
        global: flags.global === true,
        noShutdownDelay: flags.shutdownDelay === false,
        ...(flags.evalPriority !== undefined ? { evalPriority: Number(flags.evalPriority) } : {}),
      },
      { namespace: job.Namespace },
    );
    evalID = resp?.EvalID ?? "";
  } catch (err) {
    ctx.ui.error(`Error deregistering job with id ${jobID} err: ${errText(err)}`);
    return 1;
  }
  if (evalID === "") return 0;
  if (flags.detach === true) {
    ctx.ui.output(evalID);
    return 0;
  }
  return new EvalMonitor(ctx, idLength(flags.verbose)).monitor(evalID);
}
