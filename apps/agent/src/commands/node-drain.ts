import type { Allocation, Node } from "@nomad/structs";
import { formatTime, parseGoDuration } from "../format/time.js";
import { errText, type ClientFlags, type CommandContext } from "./common.js";
import { resolveNode } from "./node-lookup.js";

export interface NodeDrainFlags extends ClientFlags {
  enable?: boolean;
  disable?: boolean;
  /** A Go duration; false for -no-deadline. */
  deadline?: string | false;
  detach?: boolean;
  force?: boolean;
  ignoreSystem?: boolean;
  keepIneligible?: boolean;
  self?: boolean;
  yes?: boolean;
  m?: string;
}

/** Nomad's default drain deadline. */
const DEFAULT_DRAIN_NS = 3600e9;

/** `nomad node drain -enable|-disable [node]`: set or clear a drain strategy, then monitor it. */
export async function nodeDrain(ctx: CommandContext, args: string[], flags: NodeDrainFlags): Promise<number> {
  const usage = (msg: string): number => {
    ctx.ui.error(msg);
    ctx.ui.error("For additional help try 'nomad node drain -help'");
    return 1;
  };
  const enable = flags.enable === true;
  const disable = flags.disable === true;
  if ((enable && disable) || (!enable && !disable)) {
    return usage("Either the '-enable' or '-disable' flag must be set, unless using '-monitor'");
  }
  const self = flags.self === true;
  if ((self && args.length !== 0) || (!self && args.length !== 1)) {
    return usage("Node ID must be specified if -self isn't being used");
  }
  const noDeadline = flags.deadline === false;
  const deadline = typeof flags.deadline === "string" ? flags.deadline : "";
  if (disable && (deadline !== "" || flags.force === true || noDeadline || flags.ignoreSystem === true)) {
    return usage("-disable can't be combined with flags configuring drain strategy");
  }
  if (deadline !== "" && (flags.force === true || noDeadline)) {
    return usage("-deadline can't be combined with -force or -no-deadline");
  }
  if (flags.force === true && noDeadline) return usage("-force and -no-deadline are mutually exclusive");

  let deadlineNs = DEFAULT_DRAIN_NS;
  if (flags.force === true) deadlineNs = -1e9;
  else if (noDeadline) deadlineNs = 0;
  else if (deadline !== "") {
    try {
      deadlineNs = parseGoDuration(deadline);
    } catch (err) {
      ctx.ui.error(`Failed to parse deadline "${deadline}": ${errText(err)}`);
      return 1;
    }
    if (deadlineNs <= 0) {
      ctx.ui.error("A positive drain duration must be given");
      return 1;
    }
  }

  const node = await resolveNode(
    ctx,
    args[0],
    self,
    "Error toggling drain mode",
    (p) => `No node(s) with prefix or id "${p}" found`,
    true,
  );

  if (!self && args[0] !== node.ID && flags.yes !== true) {
    const verb = enable ? "enable" : "disable";
    const answer = await ctx.deps.ask(
      `Are you sure you want to ${verb} drain mode for node "${node.ID}"? [y/N]`,
    );
    if (answer === "" || answer.toLowerCase().startsWith("n")) {
      ctx.ui.output("Canceling drain toggle");
      return 0;
    } else if (answer.toLowerCase().startsWith("y") && answer.length > 1) {
      ctx.ui.output("For confirmation, an exact ‘y’ is required.");
      return 0;
    } else if (answer !== "y") {
      ctx.ui.output("No confirmation detected. For confirmation, an exact 'y' is required.");
      return 1;
    }
  }

  const meta: Record<string, string> = {};
  if (flags.m !== undefined && flags.m !== "") meta[enable ? "message" : "cancel_message"] = flags.m;
  let index = 0;
  try {
    const resp = await ctx.api.nodes.drain(node.ID, {
      drainSpec: enable ? { Deadline: deadlineNs, IgnoreSystemJobs: flags.ignoreSystem === true } : null,
      markEligible: flags.keepIneligible !== true,
      meta,
    });
    index = resp?.Index ?? 0;
  } catch (err) {
    ctx.ui.error(`Error updating drain specification: ${errText(err)}`);
    return 1;
  }

  if (!enable || flags.detach === true) {
    ctx.ui.output(enable ? `Node "${node.ID}" drain strategy set` : `Node "${node.ID}" drain strategy unset`);
    return 0;
  }
  const now = formatTime(ctx.deps.now());
  ctx.ui.info(`${now}: Ctrl-C to stop monitoring: will not cancel the node drain`);
  ctx.ui.output(`${now}: Node "${node.ID}" drain strategy set`);
  await monitorDrain(ctx, node, index, flags.ignoreSystem === true);
  return 0;
}

/**
 * Nomad's MonitorDrain: follows the node (until its drain strategy is gone) and its
 * allocations (until none is pending or running) with blocking queries, printing changes.
 */
async function monitorDrain(
  ctx: CommandContext,
  node: Node,
  index: number,
  ignoreSystem: boolean,
): Promise<void> {
  const signal = ctx.deps.signal;
  const ts = (): string => formatTime(ctx.deps.now());
  const nodeDone = (async () => {
    let wait = index;
    for (;;) {
      if (signal.aborted) return;
      let n: Node;
      let next: number;
      try {
        const r = await ctx.api.nodes.read(node.ID, { index: wait, wait: 300_000, stale: true, signal });
        n = r.value;
        next = r.meta.index;
      } catch (err) {
        if (!signal.aborted) ctx.ui.error(`${ts()}: Error monitoring node: ${errText(err)}`);
        return;
      }
      if (n.DrainStrategy === null || n.DrainStrategy === undefined) {
        ctx.ui.info(`${ts()}: Drain complete for node ${node.ID}`);
        return;
      }
      if (n.Status === "down") ctx.ui.warn(`${ts()}: Node "${node.ID}" down`);
      const prev = wait;
      wait = Math.max(wait, next);
      // An agent that answered without blocking must not be polled in a tight loop.
      if (next <= prev) await ctx.deps.sleep(1000, signal);
    }
  })();
  const allocsDone = (async () => {
    const seen = new Map<string, Allocation>();
    let wait = 0;
    for (;;) {
      if (signal.aborted) return;
      let allocs: Allocation[];
      let next: number;
      try {
        const r = await ctx.api.nodes.allocations(node.ID, {
          index: wait,
          wait: 300_000,
          stale: true,
          signal,
        });
        allocs = r.value ?? [];
        next = r.meta.index;
      } catch (err) {
        if (!signal.aborted) ctx.ui.error(`${ts()}: Error monitoring allocations: ${errText(err)}`);
        return;
      }
      let running = 0;
      for (const a of allocs) {
        const orig = seen.get(a.ID);
        seen.set(a.ID, a);
        const migrating = a.DesiredTransition?.Migrate === true;
        let msg = "";
        if (orig === undefined) msg = "";
        else if (orig.ClientStatus !== a.ClientStatus)
          msg = `status ${orig.ClientStatus} -> ${a.ClientStatus}`;
        else if (migrating && orig.DesiredTransition?.Migrate !== true) msg = "marked for migration";
        else if (migrating && orig.DesiredStatus !== a.DesiredStatus && a.DesiredStatus === "stop")
          msg = "draining";
        if (msg !== "") ctx.ui.output(`${ts()}: Alloc "${a.ID}" ${msg}`);
        if (a.Job === null || a.Job === undefined) continue;
        if (ignoreSystem && a.Job.Type === "system") continue;
        if (a.ClientStatus === "pending" || a.ClientStatus === "running") running++;
      }
      if (running === 0) {
        ctx.ui.info(`${ts()}: All allocations on node "${node.ID}" have stopped`);
        return;
      }
      if (next <= wait) await ctx.deps.sleep(1000, signal);
      wait = Math.max(wait, next);
    }
  })();
  await Promise.all([nodeDone, allocsDone]);
}
