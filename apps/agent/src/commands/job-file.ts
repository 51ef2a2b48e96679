import type { Job } from "@nomad/structs";
import { errText, CommandError, type CommandContext, makeContext, type ClientFlags } from "./common.js";

export interface LoadedJob {
  job: Job;
  /** Region / namespace written in the file (Nomad sends the job to them, whatever the flags say). */
  region: string | undefined;
  namespace: string | undefined;
}

/** Reads and parses a job file (HCL2 or JSON) like Nomad's JobGetter. */
export async function loadJobFile(ctx: CommandContext, path: string): Promise<LoadedJob> {
  let text: string;
  try {
    text = await ctx.deps.readFile(path);
  } catch (err) {
    const code = (err as { code?: string }).code;
    const detail = code === "ENOENT" ? `open ${path}: no such file or directory` : errText(err);
    throw new CommandError(`Error getting job struct: Error getting jobfile from "${path}": ${detail}`);
  }
  try {
    // Loaded on demand: the job file parser (zod schemas, hcl2json wasm) is the heaviest import
    // of the CLI and only job run/plan need it.
    const { parseJobFileRaw, toJob } = await import("@nomad/jobspec");
    const raw = (await parseJobFileRaw(text, { filename: path })) as Record<string, unknown>;
    const job = toJob(path, raw);
    return {
      job,
      region: typeof raw["Region"] === "string" && raw["Region"] !== "" ? raw["Region"] : undefined,
      namespace:
        typeof raw["Namespace"] === "string" && raw["Namespace"] !== "" ? raw["Namespace"] : undefined,
    };
  } catch (err) {
    throw new CommandError(`Error getting job struct: ${errText(err)}`);
  }
}

/** A context whose API targets the job's own region and namespace when the file names them. */
export function contextForJob(ctx: CommandContext, flags: ClientFlags, loaded: LoadedJob): CommandContext {
  if (loaded.region === undefined && loaded.namespace === undefined) return ctx;
  return makeContext(ctx.deps, {
    ...flags,
    ...(loaded.region === undefined ? {} : { region: loaded.region }),
    ...(loaded.namespace === undefined ? {} : { namespace: loaded.namespace }),
  });
}

export function isPeriodic(job: Job): boolean {
  const p = (job as Record<string, unknown>)["Periodic"] as { Enabled?: boolean } | null | undefined;
  return p !== null && p !== undefined && p.Enabled !== false;
}

export function isParameterized(job: Job): boolean {
  const p = (job as Record<string, unknown>)["ParameterizedJob"];
  return p !== null && p !== undefined;
}
