import { errText, type ClientFlags, type CommandContext } from "./common.js";
import { resolveNode } from "./node-lookup.js";

export interface NodeEligibilityFlags extends ClientFlags {
  enable?: boolean;
  disable?: boolean;
  self?: boolean;
}

/** `nomad node eligibility -enable|-disable [node]`. */
export async function nodeEligibility(
  ctx: CommandContext,
  args: string[],
  flags: NodeEligibilityFlags,
): Promise<number> {
  const enable = flags.enable === true;
  const disable = flags.disable === true;
  if ((enable && disable) || (!enable && !disable)) {
    ctx.ui.error("Either the '-enable' or '-disable' flag must be set");
    ctx.ui.error("For additional help try 'nomad node eligibility -help'");
    return 1;
  }
  const self = flags.self === true;
  if ((self && args.length !== 0) || (!self && args.length !== 1)) {
    ctx.ui.error("Node ID must be specified if -self isn't being used");
    ctx.ui.error("For additional help try 'nomad node eligibility -help'");
    return 1;
  }
  const node = await resolveNode(
    ctx,
    args[0],
    self,
    "Error updating scheduling eligibility",
    (p) => `No node(s) with prefix or id "${p}" found`,
    true,
  );
  try {
    await ctx.api.nodes.eligibility(node.ID, enable);
  } catch (err) {
    ctx.ui.error(`Error updating scheduling eligibility: ${errText(err)}`);
    return 1;
  }
  ctx.ui.output(
    `Node "${node.ID}" scheduling eligibility set: ${enable ? "eligible" : "ineligible"} for scheduling`,
  );
  return 0;
}
