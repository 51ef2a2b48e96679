import type {
  AllocListStub,
  Evaluation,
  JobListStub,
  NodeListStub,
  RaftConfigurationResponse,
} from "@nomad/structs";
import { columnize } from "../format/columnize.js";
import { sanitizeUUIDPrefix } from "../format/ids.js";
import { errText, type ClientFlags, type CommandContext } from "./common.js";

export interface RaftListFlags extends ClientFlags {
  stale?: boolean;
}

/** `nomad operator raft list-peers`. */
export async function operatorRaftListPeers(
  ctx: CommandContext,
  _args: string[],
  flags: RaftListFlags,
): Promise<number> {
  let reply: RaftConfigurationResponse;
  try {
    reply = (await ctx.api.operator.raftConfiguration({ stale: flags.stale === true })).value;
  } catch (err) {
    ctx.ui.error(`Failed to retrieve raft configuration: ${errText(err)}`);
    return 1;
  }
  const servers = [...(reply.Servers ?? [])].sort((a, b) => (a.Node < b.Node ? -1 : a.Node > b.Node ? 1 : 0));
  const rows = ["Node|ID|Address|State|Voter|RaftProtocol"];
  for (const s of servers) {
    rows.push(
      [s.Node, s.ID, s.Address, s.Leader ? "leader" : "follower", String(s.Voter), s.RaftProtocol].join("|"),
    );
  }
  ctx.ui.output(columnize(rows));
  return 0;
}

/** `nomad system gc`: no output on success. */
export async function systemGc(ctx: CommandContext, args: string[]): Promise<number> {
  if (args.length > 0) {
    ctx.ui.error("This command takes no arguments");
    ctx.ui.error("For additional help try 'nomad system gc -help'");
  }
  try {
    await ctx.api.system.gc();
  } catch (err) {
    ctx.ui.error(`Error running system garbage-collection: ${errText(err)}`);
    return 1;
  }
  return 0;
}

export interface AgentInfoFlags extends ClientFlags {
  json?: boolean;
}

/** `nomad agent-info`: the agent's stats, sections and keys sorted. */
export async function agentInfo(ctx: CommandContext, args: string[], flags: AgentInfoFlags): Promise<number> {
  if (args.length > 0) {
    ctx.ui.error("This command takes no arguments");
    ctx.ui.error("For additional help try 'nomad agent-info -help'");
    return 1;
  }
  let info;
  try {
    info = (await ctx.api.agent.self()).value;
  } catch (err) {
    ctx.ui.error(`Error querying agent info: ${errText(err)}`);
    return 1;
  }
  if (flags.json === true) {
    ctx.ui.output(JSON.stringify(info, null, 4));
    return 0;
  }
  const stats = info?.stats ?? {};
  for (const section of Object.keys(stats).sort()) {
    ctx.ui.output(section);
    const data = stats[section] ?? {};
    for (const key of Object.keys(data).sort()) ctx.ui.output(`  ${key} = ${String(data[key])}`);
  }
  return 0;
}

export type StatusTarget = "jobs" | "nodes" | "allocs" | "evals";

/**
 * `nomad status <id>` decides which status command an ID belongs to. Nomad asks
 * `/v1/search`; this agent has no search endpoint, so the prefix lists are asked instead
 * (same outcome: one exact match or one single match wins, several are an error).
 */
export async function resolveStatusTarget(ctx: CommandContext, id: string): Promise<StatusTarget | number> {
  const matches = new Map<StatusTarget, string[]>();
  const uuidPrefix = sanitizeUUIDPrefix(id);
  const collect = async (ctxName: StatusTarget, list: () => Promise<{ ID: string }[]>): Promise<void> => {
    try {
      matches.set(
        ctxName,
        (await list()).map((x) => x.ID),
      );
    } catch {
      matches.set(ctxName, []);
    }
  };
  const hexish = /^[0-9a-fA-F-]+$/.test(id) && uuidPrefix.length >= 2;
  await collect("jobs", async () => (await ctx.api.jobs.list({ prefix: id })).value as JobListStub[]);
  if (hexish) {
    await collect(
      "nodes",
      async () => (await ctx.api.nodes.list({ prefix: uuidPrefix })).value as NodeListStub[],
    );
    await collect(
      "allocs",
      async () => (await ctx.api.allocations.list({ prefix: uuidPrefix })).value as AllocListStub[],
    );
    await collect(
      "evals",
      async () => (await ctx.api.evaluations.list({ prefix: uuidPrefix })).value as Evaluation[],
    );
  }
  const exact = [...matches].filter(([, ids]) => ids[0] === id);
  if (exact.length === 1) return exact[0]![0];
  const nonEmpty = [...matches].filter(([, ids]) => ids.length > 0);
  if (exact.length > 1 || nonEmpty.length > 1 || (nonEmpty.length === 1 && nonEmpty[0]![1].length > 1)) {
    ctx.ui.error(`Multiple matches found for id "${id}"`);
    for (const [name, ids] of nonEmpty) {
      ctx.ui.error(`\n${name.charAt(0).toUpperCase()}${name.slice(1)}:`);
      ctx.ui.error(ids.join(", "));
    }
    return 1;
  }
  if (nonEmpty.length === 1) return nonEmpty[0]![0];
  ctx.ui.error(`Unable to resolve ID: "${id}"`);
  return 1;
}
