import type { Command } from "commander";
import { NomadApi } from "@nomad/api";
import type { AllocListStub, Evaluation, JobListStub, NodeListStub } from "@nomad/structs";
import { formatList } from "../format/columnize.js";
import { FULL_ID_LENGTH, limit, SHORT_ID_LENGTH } from "../format/ids.js";
import { formatTime, formatUnixNanoTime, prettyTimeDiff } from "../format/time.js";
import type { CliDeps } from "./deps.js";
import { Ui } from "./ui.js";

/** Nomad's client flags, accepted by every command that talks to an agent. */
export interface ClientFlags {
  address?: string;
  region?: string;
  namespace?: string;
  token?: string;
}

export function addClientFlags(cmd: Command): Command {
  return cmd
    .option("--address <addr>", "The address of the Nomad server (NOMAD_ADDR, default http://127.0.0.1:4646)")
    .option("--region <region>", "The region of the Nomad servers to forward commands to (NOMAD_REGION)")
    .option("--namespace <namespace>", "The target namespace for queries and actions (NOMAD_NAMESPACE)")
    .option("--token <token>", "The SecretID of an ACL token (NOMAD_TOKEN)");
}

export interface CommandContext {
  deps: CliDeps;
  ui: Ui;
  api: NomadApi;
  /** The namespace asked for (flag, else NOMAD_NAMESPACE), `""` when none. */
  namespace: string;
}

export function makeContext(deps: CliDeps, flags: ClientFlags): CommandContext {
  const api = new NomadApi({
    env: deps.env,
    ...(flags.address === undefined ? {} : { address: flags.address }),
    ...(flags.region === undefined ? {} : { region: flags.region }),
    ...(flags.namespace === undefined ? {} : { namespace: flags.namespace }),
    ...(flags.token === undefined ? {} : { token: flags.token }),
    ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
  });
  return { deps, ui: new Ui(deps), api, namespace: api.http.namespace ?? "" };
}

export type CommandRun<F> = (ctx: CommandContext, args: string[], flags: F) => Promise<number>;

/** A commander action that runs `run` with a fresh context and records its exit code. */
export function action<F extends ClientFlags>(deps: () => CliDeps, run: CommandRun<F>) {
  return async (...params: unknown[]): Promise<void> => {
    const cmd = params[params.length - 1] as Command;
    const d = deps();
    const flags = cmd.opts<F>();
    const ctx = makeContext(d, flags);
    let code: number;
    try {
      code = await run(ctx, [...cmd.args], flags);
    } catch (err) {
      ctx.ui.error(err instanceof Error ? err.message : String(err));
      code = 1;
    }
    d.exit(code);
  };
}

export function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function idLength(verbose: boolean | undefined): number {
  return verbose === true ? FULL_ID_LENGTH : SHORT_ID_LENGTH;
}

/** `-namespace=*`: list commands show a Namespace column. */
export function allNamespaces(ctx: CommandContext): boolean {
  return ctx.namespace === "*";
}

export class CommandError extends Error {}

/** Nomad's JobIDByPrefix: the single job matching `prefix`, or an error naming the problem. */
export async function jobIDByPrefix(
  ctx: CommandContext,
  prefix: string,
): Promise<{ id: string; namespace: string }> {
  let jobs: JobListStub[];
  try {
    jobs = (await ctx.api.jobs.list({ prefix })).value ?? [];
  } catch (err) {
    throw new CommandError(`Error querying job prefix "${prefix}": ${errText(err)}`);
  }
  if (jobs.length === 0) throw new CommandError(`No job(s) with prefix or ID "${prefix}" found`);
  const first = jobs[0]!;
  if (jobs.length > 1) {
    const exact = prefix === first.ID;
    const multiNs = allNamespaces(ctx) && first.ID === jobs[1]!.ID;
    if (!exact || multiNs) {
      throw new CommandError(
        `Prefix "${prefix}" matched multiple jobs\n\n${formatJobList(jobs, allNamespaces(ctx))}`,
      );
    }
  }
  return { id: first.ID, namespace: jobNamespace(first) };
}

export function jobNamespace(j: Pick<JobListStub, "Namespace" | "JobSummary">): string {
  return j.Namespace !== undefined && j.Namespace !== ""
    ? j.Namespace
    : (j.JobSummary?.Namespace ?? "default");
}

export function jobStatusString(status: string, stop: boolean | undefined): string {
  return stop === true ? `${status} (stopped)` : status;
}

/** `nomad job status` list layout. */
export function formatJobList(jobs: readonly JobListStub[], showNamespace: boolean): string {
  const type = (j: JobListStub): string =>
    `${j.Type}${j.Periodic ? "/periodic" : ""}${j.ParameterizedJob ? "/parameterized" : ""}`;
  const rows = showNamespace
    ? ["ID|Namespace|Type|Priority|Status|Submit Date"]
    : ["ID|Type|Priority|Status|Submit Date"];
  for (const j of jobs) {
    const cells = [j.ID];
    if (showNamespace) cells.push(jobNamespace(j));
    cells.push(
      type(j),
      String(j.Priority),
      jobStatusString(j.Status, j.Stop),
      formatUnixNanoTime(j.SubmitTime),
    );
    rows.push(cells.join("|"));
  }
  return formatList(rows);
}

/** One allocation line of Nomad's allocation tables; `NodeName` only where Nomad shows it. */
export interface AllocTableRow {
  ID: string;
  EvalID: string;
  NodeID: string;
  NodeName?: string;
  TaskGroup: string;
  Version: string;
  DesiredStatus: string;
  ClientStatus: string;
  CreateTime: number;
  ModifyTime: number;
}

/**
 * The table shared by Nomad's formatAllocListStubs and formatAllocList: verbose shows eval IDs
 * and absolute times (and node names when the rows carry them), short shows relative times.
 */
export function formatAllocTable(
  allocs: readonly AllocTableRow[],
  verbose: boolean,
  length: number,
  nowMs: number,
): string {
  if (allocs.length === 0) return "No allocations placed";
  if (verbose) {
    const withNodeName = allocs.some((a) => a.NodeName !== undefined);
    const rows = [
      withNodeName
        ? "ID|Eval ID|Node ID|Node Name|Task Group|Version|Desired|Status|Created|Modified"
        : "ID|Eval ID|Node ID|Task Group|Version|Desired|Status|Created|Modified",
    ];
    for (const a of allocs) {
      const cells = [limit(a.ID, length), limit(a.EvalID, length), limit(a.NodeID, length)];
      if (withNodeName) cells.push(a.NodeName ?? "");
      cells.push(
        a.TaskGroup,
        a.Version,
        a.DesiredStatus,
        a.ClientStatus,
        formatUnixNanoTime(a.CreateTime),
        formatUnixNanoTime(a.ModifyTime),
      );
      rows.push(cells.join("|"));
    }
    return formatList(rows);
  }
  const rows = ["ID|Node ID|Task Group|Version|Desired|Status|Created|Modified"];
  for (const a of allocs) {
    rows.push(
      [
        limit(a.ID, length),
        limit(a.NodeID, length),
        a.TaskGroup,
        a.Version,
        a.DesiredStatus,
        a.ClientStatus,
        prettyTimeDiff(a.CreateTime / 1e6, nowMs),
        prettyTimeDiff(a.ModifyTime / 1e6, nowMs),
      ].join("|"),
    );
  }
  return formatList(rows);
}

/** Nomad's formatAllocListStubs (job status, eval status, multiple-match lists). */
export function formatAllocListStubs(
  stubs: readonly AllocListStub[],
  verbose: boolean,
  length: number,
  nowMs: number,
): string {
  return formatAllocTable(
    stubs.map((a) => ({ ...a, Version: String(a.JobVersion ?? 0) })),
    verbose,
    length,
    nowMs,
  );
}

/** Nomad's formatNodeStubList (multiple-match lists). */
export function formatNodeStubList(nodes: readonly NodeListStub[], verbose: boolean): string {
  const length = idLength(verbose);
  const rows = ["ID|DC|Name|Class|Drain|Eligibility|Status"];
  for (const n of nodes) {
    rows.push(
      [
        limit(n.ID, length),
        n.Datacenter,
        n.Name,
        n.NodeClass,
        String(n.Drain),
        n.SchedulingEligibility,
        n.Status,
      ].join("|"),
    );
  }
  return formatList(rows);
}

/** Nomad's evalFailureStatus: the `Placement Failures` cell and whether there are failures. */
export function evalFailureStatus(e: Pick<Evaluation, "FailedTGAllocs" | "Status">): [string, boolean] {
  const failures = Object.keys(e.FailedTGAllocs ?? {}).length !== 0;
  return [e.Status === "blocked" ? "N/A - In Progress" : String(failures), failures];
}

/** Nomad's formatEvalList (multiple-match lists). */
export function formatEvalList(evals: readonly Evaluation[], verbose: boolean): string {
  const length = idLength(verbose);
  const rows = ["ID|Priority|Triggered By|Job ID|Namespace|Node ID|Status|Placement Failures"];
  for (const e of evals) {
    rows.push(
      [
        limit(e.ID, length),
        String(e.Priority),
        e.TriggeredBy,
        e.JobID,
        e.Namespace,
        limit(e.NodeID ?? "", length),
        e.Status,
        evalFailureStatus(e)[0],
      ].join("|"),
    );
  }
  return formatList(rows);
}

/** Nomad's getLocalNodeID: the node ID of the agent's client, from /v1/agent/self. */
export async function localNodeID(ctx: CommandContext): Promise<string> {
  let stats: Record<string, Record<string, string>>;
  try {
    stats = (await ctx.api.agent.self()).value.stats ?? {};
  } catch (err) {
    throw new CommandError(`Error querying agent info: ${errText(err)}`);
  }
  const client = stats["client"];
  if (client === undefined) throw new CommandError("Nomad not running in client mode");
  const id = client["node_id"];
  if (id === undefined) throw new CommandError("Failed to determine node ID");
  return id;
}

export { formatTime };
