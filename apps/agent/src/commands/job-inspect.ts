import type { Job } from "@nomad/structs";
import { errText, jobIDByPrefix, type ClientFlags, type CommandContext } from "./common.js";

export interface JobInspectFlags extends ClientFlags {
  json?: boolean;
  version?: string;
}

/** `nomad job inspect <job>`: the job as the API stores it, `{"Job": ...}` indented by four spaces. */
export async function jobInspect(
  ctx: CommandContext,
  args: string[],
  flags: JobInspectFlags,
): Promise<number> {
  if (args.length === 0 && flags.json === true) {
    try {
      ctx.ui.output(JSON.stringify((await ctx.api.jobs.list()).value, null, 4));
      return 0;
    } catch (err) {
      ctx.ui.error(`Error querying jobs: ${errText(err)}`);
      return 1;
    }
  }
  if (args.length !== 1) {
    ctx.ui.error("This command takes one argument: <job>");
    ctx.ui.error("For additional help try 'nomad job inspect -help'");
    return 1;
  }
  const { id, namespace } = await jobIDByPrefix(ctx, args[0]!.trim());
  let job: Job;
  try {
    if (flags.version !== undefined) {
      if (!/^\d+$/.test(flags.version)) {
        ctx.ui.error(
          `Error parsing version value "${flags.version}": strconv.ParseUint: parsing "${flags.version}": invalid syntax`,
        );
        return 1;
      }
      const want = Number(flags.version);
      const versions = (await ctx.api.jobs.versions(id, {}, { namespace })).value.Versions ?? [];
      const found = versions.find((v) => v.Version === want);
      if (found === undefined) throw new Error(`job "${id}" version ${want} not found`);
      job = found;
    } else {
      job = (await ctx.api.jobs.read(id, { namespace })).value;
    }
  } catch (err) {
    ctx.ui.error(`Error inspecting job: ${errText(err)}`);
    return 1;
  }
  ctx.ui.output(JSON.stringify(flags.json === true ? job : { Job: job }, null, 4));
  return 0;
}
