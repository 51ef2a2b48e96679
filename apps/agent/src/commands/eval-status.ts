import type { AllocListStub, Evaluation } from "@nomad/structs";
import { columnize, formatKV } from "../format/columnize.js";
import { limit, sanitizeUUIDPrefix } from "../format/ids.js";
import { formatUnixNanoTime, prettyTimeDiff } from "../format/time.js";
import {
  errText,
  evalFailureStatus,
  formatAllocListStubs,
  formatEvalList,
  idLength,
  type ClientFlags,
  type CommandContext,
} from "./common.js";
import { EvalMonitor, formatAllocMetrics } from "./monitor.js";

export interface EvalStatusFlags extends ClientFlags {
  verbose?: boolean;
  monitor?: boolean;
  json?: boolean;
}

/** `nomad eval status <eval>`. */
export async function evalStatus(
  ctx: CommandContext,
  args: string[],
  flags: EvalStatusFlags,
): Promise<number> {
  if (args.length !== 1) {
    ctx.ui.error("This command takes one argument");
    ctx.ui.error("For additional help try 'nomad eval status -help'");
    return 1;
  }
  let evalID = args[0]!;
  if (evalID.length === 1) {
    ctx.ui.error("Identifier must contain at least two characters.");
    return 1;
  }
  const verbose = flags.verbose === true;
  evalID = sanitizeUUIDPrefix(evalID);
  let evals: Evaluation[];
  try {
    evals = (await ctx.api.evaluations.list({ prefix: evalID })).value ?? [];
  } catch (err) {
    ctx.ui.error(`Error querying evaluation: ${errText(err)}`);
    return 1;
  }
  if (evals.length === 0) {
    ctx.ui.error(`No evaluation(s) with prefix or id "${evalID}" found`);
    return 1;
  }
  if (evals.length > 1) {
    ctx.ui.error(`Prefix matched multiple evaluations\n\n${formatEvalList(evals, verbose)}`);
    return 1;
  }
  const length = idLength(verbose);
  if (flags.monitor === true) return new EvalMonitor(ctx, length).monitor(evals[0]!.ID);

  let ev: Evaluation;
  let placed: AllocListStub[];
  try {
    ev = (await ctx.api.evaluations.read(evals[0]!.ID)).value;
  } catch (err) {
    ctx.ui.error(`Error querying evaluation: ${errText(err)}`);
    return 1;
  }
  if (flags.json === true) {
    ctx.ui.output(JSON.stringify(ev, null, 4));
    return 0;
  }
  try {
    placed = (await ctx.api.evaluations.allocations(ev.ID)).value ?? [];
  } catch (err) {
    ctx.ui.error(`Error querying related allocations: ${errText(err)}`);
    return 1;
  }

  const [failureString, failures] = evalFailureStatus(ev);
  const now = ctx.deps.now();
  const created = verbose ? formatUnixNanoTime(ev.CreateTime) : prettyTimeDiff(ev.CreateTime / 1e6, now);
  const modified = verbose ? formatUnixNanoTime(ev.ModifyTime) : prettyTimeDiff(ev.ModifyTime / 1e6, now);
  const basic = [
    `ID|${limit(ev.ID, length)}`,
    `Create Time|${created}`,
    `Modify Time|${modified}`,
    `Status|${ev.Status}`,
    `Status Description|${ev.StatusDescription !== "" ? ev.StatusDescription : ev.Status}`,
    `Type|${ev.Type}`,
    `TriggeredBy|${ev.TriggeredBy}`,
    `Job ID|${ev.JobID}`,
    `Namespace|${ev.Namespace}`,
  ];
  if (ev.TriggeredBy === "node-update" && ev.NodeID !== "") basic.push(`Node ID|${ev.NodeID}`);
  if (ev.TriggeredBy === "max-plan-attempts" && ev.PreviousEval !== "")
    basic.push(`Previous Eval|${ev.PreviousEval}`);
  basic.push(`Priority|${ev.Priority}`, `Placement Failures|${failureString}`);
  const waitUntilMs = waitUntil(ev);
  if (waitUntilMs > 0) basic.push(`Wait Until|${formatUnixNanoTime(waitUntilMs * 1e6)}`);
  if (ev.QuotaLimitReached !== undefined && ev.QuotaLimitReached !== "") {
    basic.push(`Quota Limit Reached|${ev.QuotaLimitReached}`);
  }
  basic.push(
    `Previous Eval|${limit(ev.PreviousEval ?? "", length)}`,
    `Next Eval|${limit(ev.NextEval ?? "", length)}`,
    `Blocked Eval|${limit(ev.BlockedEval ?? "", length)}`,
  );
  ctx.ui.output(formatKV(basic));

  const annotations = (ev as Record<string, unknown>)["PlanAnnotations"] as {
    DesiredTGUpdates?: Record<string, Record<string, number>> | null;
  } | null;
  const desired = annotations?.DesiredTGUpdates ?? {};
  if (Object.keys(desired).length > 0) {
    ctx.ui.output("\nPlan Annotations");
    ctx.ui.output(formatPlanAnnotations(desired, verbose));
  }
  if (placed.length > 0) {
    ctx.ui.output("\nPlaced Allocations");
    ctx.ui.output(formatAllocListStubs(placed, false, length, now));
  }
  if (failures) {
    ctx.ui.output("\nFailed Placements");
    const failed = ev.FailedTGAllocs ?? {};
    for (const tg of Object.keys(failed).sort()) {
      const m = failed[tg]!;
      const n = (m.CoalescedFailures ?? 0) + 1;
      ctx.ui.output(`Task Group "${tg}" (failed to place ${n} ${n > 1 ? "allocations" : "allocation"}):`);
      ctx.ui.output(formatAllocMetrics(m, false, "  "));
    }
    if (ev.BlockedEval !== undefined && ev.BlockedEval !== "") {
      ctx.ui.output(
        `\nEvaluation "${limit(ev.BlockedEval, length)}" waiting for additional capacity to place remainder`,
      );
    }
  }
  return 0;
}

/** WaitUntil in epoch ms: Unix nanoseconds in this project's JSON, RFC 3339 in Nomad's. */
function waitUntil(ev: Evaluation): number {
  const w = (ev as Record<string, unknown>)["WaitUntil"];
  if (typeof w === "number") return w > 0 ? w / 1e6 : 0;
  if (typeof w === "string" && w !== "" && !w.startsWith("0001-01-01")) {
    const ms = Date.parse(w);
    return Number.isFinite(ms) && ms > 0 ? ms : 0;
  }
  return 0;
}

/** Nomad's formatPlanAnnotations: fixed columns plus the optional ones that are non-zero (all with -verbose). */
function formatPlanAnnotations(desired: Record<string, Record<string, number>>, verbose: boolean): string {
  const groups = Object.keys(desired).sort();
  const rows = ["Task Group|Ignore|Place|Stop|InPlace|Destructive"];
  const v = (u: Record<string, number>, k: string): number => u[k] ?? 0;
  for (const tg of groups) {
    const u = desired[tg]!;
    rows.push(
      [
        tg,
        v(u, "Ignore"),
        v(u, "Place"),
        v(u, "Stop"),
        v(u, "InPlaceUpdate"),
        v(u, "DestructiveUpdate"),
      ].join("|"),
    );
  }
  const optional: [string, string][] = [
    ["Migrate", "Migrate"],
    ["Canary", "Canary"],
    ["Preemptions", "Preemptions"],
    ["Reschedule Now", "RescheduleNow"],
    ["Reschedule Later", "RescheduleLater"],
    ["Disconnect", "Disconnect"],
    ["Reconnect", "Reconnect"],
  ];
  for (const [col, key] of optional) {
    const total = groups.reduce((sum, tg) => sum + v(desired[tg]!, key), 0);
    if (!verbose && total === 0) continue;
    rows[0] += `|${col}`;
    groups.forEach((tg, i) => {
      rows[i + 1] += `|${v(desired[tg]!, key)}`;
    });
  }
  // Nomad prints this one with columnize's defaults (no <none> substitution).
  return columnize(rows);
}
