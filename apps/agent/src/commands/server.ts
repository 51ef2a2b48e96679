import type { AgentMember } from "@nomad/structs";
import { JoinError } from "@nomad/api";
import { columnize } from "../format/columnize.js";
import { errText, type ClientFlags, type CommandContext } from "./common.js";

export interface ServerMembersFlags extends ClientFlags {
  verbose?: boolean;
  detailed?: boolean;
}

/** `nomad server members`: every server of every region, with the per-region leader. */
export async function serverMembers(
  ctx: CommandContext,
  args: string[],
  flags: ServerMembersFlags,
): Promise<number> {
  if (args.length !== 0) {
    ctx.ui.error("This command takes no arguments");
    ctx.ui.error("For additional help try 'nomad server members -help'");
    return 1;
  }
  const verbose = flags.verbose === true || flags.detailed === true;
  let members: AgentMember[];
  try {
    const res = (await ctx.api.agent.members()).value;
    if (res === undefined || res === null) {
      ctx.ui.error("Agent doesn't know about server members");
      return 0;
    }
    members = [...(res.Members ?? [])];
  } catch (err) {
    ctx.ui.error(`Error querying servers: ${errText(err)}`);
    return 1;
  }
  // Nomad's AgentMembersNameSort: region, then datacenter, then name.
  members.sort(
    (a, b) =>
      cmp(a.Tags?.["region"] ?? "", b.Tags?.["region"] ?? "") ||
      cmp(a.Tags?.["dc"] ?? "", b.Tags?.["dc"] ?? "") ||
      cmp(a.Name, b.Name),
  );

  const leaders = new Map<string, string>();
  const leaderErrors: string[] = [];
  const regions = [
    ...new Set(members.filter((m) => m.Status !== "left").map((m) => m.Tags?.["region"] ?? "")),
  ].sort();
  for (const region of regions) {
    try {
      leaders.set(region, (await ctx.api.status.leader({ region })).value);
    } catch (err) {
      leaderErrors.push(`Region "${region}": ${errText(err)}`);
    }
  }
  const isLeader = (m: AgentMember): boolean => {
    const tags = m.Tags ?? {};
    const leader = leaders.get(tags["region"] ?? "");
    return leader !== undefined && leader === joinHostPort(m.Addr, tags["port"] ?? "");
  };

  const rows = verbose
    ? ["Name|Address|Port|Status|Leader|Protocol|Raft Version|Build|Datacenter|Region|Tags"]
    : ["Name|Address|Port|Status|Leader|Raft Version|Build|Datacenter|Region"];
  for (const m of members) {
    const t = m.Tags ?? {};
    const cells = [m.Name, m.Addr, String(m.Port), m.Status, String(isLeader(m))];
    if (verbose) cells.push(String(m.ProtocolCur));
    cells.push(t["raft_vsn"] ?? "", t["build"] ?? "", t["dc"] ?? "", t["region"] ?? "");
    if (verbose)
      cells.push(
        Object.entries(t)
          .map(([k, v]) => `${k}=${v}`)
          .join(","),
      );
    rows.push(cells.join("|"));
  }
  ctx.ui.output(columnize(rows));
  if (leaderErrors.length > 0) {
    ctx.ui.output("");
    const detail =
      leaderErrors.length === 1
        ? `1 error occurred:\n\t* ${leaderErrors[0]}\n\n`
        : `${leaderErrors.length} errors occurred:\n${leaderErrors.map((e) => `\t* ${e}`).join("\n")}\n\n`;
    ctx.ui.warn(`Error determining leaders: ${detail}`);
    return 1;
  }
  return 0;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function joinHostPort(host: string, port: string): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** `nomad server join <addr>...`. */
export async function serverJoin(ctx: CommandContext, args: string[]): Promise<number> {
  if (args.length < 1) {
    ctx.ui.error("One or more node addresses must be given as arguments");
    ctx.ui.error("For additional help try 'nomad server join -help'");
    return 1;
  }
  try {
    const n = await ctx.api.agent.join(args);
    ctx.ui.output(`Joined ${n} servers successfully`);
    return 0;
  } catch (err) {
    if (err instanceof JoinError && err.numJoined > 0) {
      ctx.ui.warn(`Joined ${err.numJoined} servers successfully but got warning: ${err.message}`);
      return 0;
    }
    ctx.ui.error(`Error joining: ${errText(err)}`);
    return 1;
  }
}

export interface ForceLeaveFlags extends ClientFlags {
  prune?: boolean;
}

/** `nomad server force-leave [-prune] <node>`: no output on success. */
export async function serverForceLeave(
  ctx: CommandContext,
  args: string[],
  flags: ForceLeaveFlags,
): Promise<number> {
  if (args.length !== 1) {
    ctx.ui.error("This command takes one argument: <node>");
    ctx.ui.error("For additional help try 'nomad server force-leave -help'");
    return 1;
  }
  const node = args[0]!;
  try {
    await ctx.api.agent.forceLeave(node, { prune: flags.prune === true });
  } catch (err) {
    ctx.ui.error(`Error force-leaving server ${node}: ${errText(err)}`);
    return 1;
  }
  return 0;
}
