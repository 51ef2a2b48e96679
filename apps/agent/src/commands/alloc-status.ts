import type { Allocation, TaskEvent, TaskState } from "@nomad/structs";
import { BYTES_PER_MEGABYTE, humanizeIBytes } from "../format/bytes.js";
import { formatKV, formatList, formatListWithSpaces } from "../format/columnize.js";
import { limit } from "../format/ids.js";
import {
  formatGoDuration,
  formatTime,
  formatUnixNanoTime,
  parseRfc3339Ms,
  prettyTimeDiff,
} from "../format/time.js";
import { idLength, type ClientFlags, type CommandContext } from "./common.js";
import { resolveAlloc } from "./alloc-lookup.js";
import { formatAllocMetrics } from "./monitor.js";

export interface AllocStatusFlags extends ClientFlags {
  verbose?: boolean;
  short?: boolean;
  json?: boolean;
}

/** `nomad alloc status <alloc>`. */
export async function allocStatus(
  ctx: CommandContext,
  args: string[],
  flags: AllocStatusFlags,
): Promise<number> {
  if (args.length !== 1) {
    ctx.ui.error("This command takes one of the following argument conditions:");
    ctx.ui.error(" * A single <allocation>");
    ctx.ui.error(" * No arguments, with output format specified");
    ctx.ui.error("For additional help try 'nomad alloc status -help'");
    return 1;
  }
  const verbose = flags.verbose === true;
  const length = idLength(verbose);
  const found = await resolveAlloc(ctx, args[0]!, verbose, length);
  if (found.kind === "many") {
    ctx.ui.output(found.text);
    return 0;
  }
  const alloc = found.alloc;
  if (flags.json === true) {
    ctx.ui.output(JSON.stringify(alloc, null, 4));
    return 0;
  }
  const now = ctx.deps.now();
  if (flags.short === true) {
    ctx.ui.output(
      formatKV([
        `ID|${alloc.ID}`,
        `Name|${alloc.Name}`,
        `Created|${prettyTimeDiff(alloc.CreateTime / 1e6, now)}`,
        `Modified|${prettyTimeDiff(alloc.ModifyTime / 1e6, now)}`,
      ]),
    );
    shortTaskStatus(ctx, alloc);
  } else {
    ctx.ui.output(formatAllocBasicInfo(alloc, verbose, length, now));
    const shared = alloc.AllocatedResources?.Shared;
    const nw = shared?.Networks?.[0];
    if (nw !== undefined && (nw.DynamicPorts.length > 0 || nw.ReservedPorts.length > 0)) {
      ctx.ui.output("");
      ctx.ui.output(formatAllocNetworkInfo(alloc));
    }
    for (const task of sortedTasks(alloc)) {
      const state = alloc.TaskStates[task]!;
      const lc = lifecycleOf(alloc, task);
      const lcIndicator = lc === "main" ? "" : ` (${lc})`;
      ctx.ui.output(`\nTask "${task}"${lcIndicator} is "${state.State}"`);
      outputTaskResources(ctx, alloc, task);
      ctx.ui.output("");
      outputTaskStatus(ctx, state);
    }
  }
  if (verbose && alloc.Metrics !== null && alloc.Metrics !== undefined) {
    ctx.ui.output("\nPlacement Metrics");
    ctx.ui.output(formatAllocMetrics(alloc.Metrics, true, "  "));
  }
  return 0;
}

function formatAllocBasicInfo(alloc: Allocation, verbose: boolean, length: number, now: number): string {
  const created = verbose
    ? formatUnixNanoTime(alloc.CreateTime)
    : prettyTimeDiff(alloc.CreateTime / 1e6, now);
  const modified = verbose
    ? formatUnixNanoTime(alloc.ModifyTime)
    : prettyTimeDiff(alloc.ModifyTime / 1e6, now);
  const basic = [
    `ID|${alloc.ID}`,
    `Eval ID|${limit(alloc.EvalID, length)}`,
    `Name|${alloc.Name}`,
    `Node ID|${limit(alloc.NodeID, length)}`,
    `Node Name|${alloc.NodeName}`,
    `Job ID|${alloc.JobID}`,
    `Job Version|${alloc.Job?.Version ?? 0}`,
    `Client Status|${alloc.ClientStatus}`,
    `Client Description|${alloc.ClientDescription}`,
    `Desired Status|${alloc.DesiredStatus}`,
    `Desired Description|${alloc.DesiredDescription}`,
    `Created|${created}`,
    `Modified|${modified}`,
  ];
  if (alloc.DeploymentID !== undefined && alloc.DeploymentID !== "") {
    const ds = (alloc as Record<string, unknown>)["DeploymentStatus"] as {
      Healthy?: boolean | null;
      Canary?: boolean;
    } | null;
    const health = ds?.Healthy === true ? "healthy" : ds?.Healthy === false ? "unhealthy" : "unset";
    basic.push(`Deployment ID|${limit(alloc.DeploymentID, length)}`, `Deployment Health|${health}`);
    if (ds?.Canary === true) basic.push("Canary|true");
  }
  if (alloc.NextAllocation !== undefined && alloc.NextAllocation !== "") {
    basic.push(`Replacement Alloc ID|${limit(alloc.NextAllocation, length)}`);
  }
  if (verbose) {
    const m = alloc.Metrics;
    basic.push(
      `Evaluated Nodes|${m?.NodesEvaluated ?? 0}`,
      `Filtered Nodes|${m?.NodesFiltered ?? 0}`,
      `Exhausted Nodes|${m?.NodesExhausted ?? 0}`,
      `Allocation Time|${formatGoDuration(m?.AllocationTime ?? 0)}`,
      `Failures|${m?.CoalescedFailures ?? 0}`,
    );
  }
  return formatKV(basic);
}

function formatAllocNetworkInfo(alloc: Allocation): string {
  const shared = alloc.AllocatedResources!.Shared;
  const nw = shared.Networks[0]!;
  const rows = ["Label|Dynamic|Address"];
  const port = (label: string, value: number, to: number, ip: string): string =>
    `${label}|yes|${ip}:${value}${to > 0 ? ` -> ${to}` : ""}`;
  if ((shared.Ports ?? []).length > 0) {
    for (const p of shared.Ports) rows.push(port(`*${p.Label}`, p.Value, p.To, p.HostIP));
  } else {
    for (const p of nw.DynamicPorts) rows.push(port(p.Label, p.Value, p.To, nw.IP));
    for (const p of nw.ReservedPorts) rows.push(port(p.Label, p.Value, p.To, nw.IP));
  }
  const mode = nw.Mode !== "" ? ` (mode = "${nw.Mode}")` : "";
  return `Allocation Addresses${mode}:\n${formatList(rows)}`;
}

function taskLifecycles(alloc: Allocation): Map<string, { Hook?: string; Sidecar?: boolean } | null> {
  const out = new Map<string, { Hook?: string; Sidecar?: boolean } | null>();
  const tg = alloc.Job?.TaskGroups?.find((g) => g.Name === alloc.TaskGroup);
  for (const t of tg?.Tasks ?? []) {
    const lc =
      ((t as Record<string, unknown>)["Lifecycle"] as { Hook?: string; Sidecar?: boolean } | null) ?? null;
    out.set(t.Name, lc !== null && (lc.Hook ?? "") !== "" ? lc : null);
  }
  return out;
}

function lifecycleOf(alloc: Allocation, task: string): string {
  const lc = taskLifecycles(alloc).get(task);
  if (lc === null || lc === undefined || (lc.Hook ?? "") === "") return "main";
  return `${lc.Hook}${lc.Sidecar === true ? " sidecar" : ""}`;
}

/** Nomad's sortedTaskStateIterator: by name, then (stable) lifecycle tasks that are not sidecars first. */
function sortedTasks(alloc: Allocation): string[] {
  const lcs = taskLifecycles(alloc);
  const names = Object.keys(alloc.TaskStates ?? {}).sort();
  const less = (a: string, b: string): boolean => {
    const la = lcs.get(a) ?? null;
    const lb = lcs.get(b) ?? null;
    if (la === null) return false;
    if (lb === null) return true;
    return la.Sidecar !== true && lb.Sidecar === true;
  };
  return names.sort((a, b) => (less(a, b) ? -1 : less(b, a) ? 1 : 0));
}

function outputTaskResources(ctx: CommandContext, alloc: Allocation, task: string): void {
  const tr = alloc.AllocatedResources?.Tasks?.[task];
  if (tr === undefined) return;
  ctx.ui.output("Task Resources:");
  const addrs: string[] = [];
  for (const nw of tr.Networks ?? []) {
    for (const p of [...nw.DynamicPorts, ...nw.ReservedPorts])
      addrs.push(`${p.Label}: ${nw.IP}:${p.Value}\n`);
  }
  const cores = tr.Cpu?.ReservedCores?.length ?? 0;
  const rows = [`${cores > 0 ? `CPU (${cores} cores)` : "CPU"}|Memory|Disk|Addresses`];
  const memMB = tr.Memory?.MemoryMB ?? 0;
  const memMaxMB = tr.Memory?.MemoryMaxMB ?? 0;
  const memMax =
    memMaxMB !== 0 && memMaxMB !== memMB ? `Max: ${humanizeIBytes(memMaxMB * BYTES_PER_MEGABYTE)}` : "";
  rows.push(
    [
      `${tr.Cpu?.CpuShares ?? 0} MHz`,
      humanizeIBytes(memMB * BYTES_PER_MEGABYTE),
      humanizeIBytes((alloc.AllocatedResources?.Shared?.DiskMB ?? 0) * BYTES_PER_MEGABYTE),
      addrs[0] ?? "",
    ].join("|"),
  );
  if (memMax !== "" || addrs.length > 1) rows.push(`|${memMax}||${addrs[1] ?? ""}`);
  for (let i = 2; i < addrs.length; i++) rows.push(`|||${addrs[i]}`);
  ctx.ui.output(formatListWithSpaces(rows));
}

function taskTime(value: string): string {
  const ms = parseRfc3339Ms(value);
  return ms === 0 ? "N/A" : formatTime(ms);
}

function outputTaskStatus(ctx: CommandContext, state: TaskState): void {
  ctx.ui.output("Task Events:");
  ctx.ui.output(
    formatKV([
      `Started At|${taskTime(state.StartedAt)}`,
      `Finished At|${taskTime(state.FinishedAt)}`,
      `Total Restarts|${state.Restarts}`,
      `Last Restart|${taskTime(state.LastRestart)}`,
    ]),
  );
  ctx.ui.output("");
  ctx.ui.output("Recent Events:");
  const rows = ["Time|Type|Description"];
  for (const e of [...(state.Events ?? [])].reverse()) {
    const msg =
      e.DisplayMessage !== undefined && e.DisplayMessage !== "" ? e.DisplayMessage : buildDisplayMessage(e);
    rows.push(`${formatUnixNanoTime(e.Time)}|${e.Type}|${msg}`);
  }
  ctx.ui.output(formatList(rows));
}

function shortTaskStatus(ctx: CommandContext, alloc: Allocation): void {
  const rows = ["Name|State|Last Event|Time|Lifecycle"];
  for (const task of sortedTasks(alloc)) {
    const st = alloc.TaskStates[task]!;
    const last = st.Events?.at(-1);
    rows.push(
      [
        task,
        st.State,
        last?.Type ?? "",
        last === undefined ? "" : formatUnixNanoTime(last.Time),
        lifecycleOf(alloc, task),
      ].join("|"),
    );
  }
  ctx.ui.output("\nTasks");
  ctx.ui.output(formatList(rows));
}

/** Nomad's buildDisplayMessage for events recorded without a DisplayMessage. */
export function buildDisplayMessage(e: TaskEvent): string {
  const x = e as TaskEvent & Record<string, unknown>;
  const s = (k: string): string => (typeof x[k] === "string" ? (x[k] as string) : "");
  const n = (k: string): number => (typeof x[k] === "number" ? (x[k] as number) : 0);
  switch (e.Type) {
    case "Task Setup":
      return e.Message;
    case "Started":
      return "Task started by client";
    case "Received":
      return "Task received by client";
    case "Failed Validation":
      return s("ValidationError") || "Validation of task failed";
    case "Setup Failure":
      return s("SetupError") || "Task setup failed";
    case "Driver Failure":
      return s("DriverError") || "Failed to start task";
    case "Downloading Artifacts":
      return "Client is downloading artifacts";
    case "Failed Artifact Download":
      return s("DownloadError") || "Failed to download artifacts";
    case "Killing":
      if (s("KillReason") !== "") return `Killing task: ${s("KillReason")}`;
      if (n("KillTimeout") !== 0)
        return `Sent interrupt. Waiting ${formatGoDuration(n("KillTimeout"))} before force killing`;
      return "Sent interrupt";
    case "Killed":
      return s("KillError") || "Task successfully killed";
    case "Terminated": {
      const parts = [`Exit Code: ${e.ExitCode ?? 0}`];
      if (n("Signal") !== 0) parts.push(`Signal: ${n("Signal")}`);
      if (e.Message !== "") parts.push(`Exit Message: ${JSON.stringify(e.Message)}`);
      return parts.join(", ");
    }
    case "Restarting": {
      const inText = `Task restarting in ${formatGoDuration(n("StartDelay"))}`;
      const reason = s("RestartReason");
      return reason !== "" && reason !== "Restart within policy" ? `${reason} - ${inText}` : inText;
    }
    case "Not Restarting":
      return s("RestartReason") || "Task exceeded restart policy";
    case "Sibling Task Failed":
      return s("FailedSibling") !== ""
        ? `Task's sibling ${JSON.stringify(s("FailedSibling"))} failed`
        : "Task's sibling failed";
    case "Signaling": {
      const sig = s("TaskSignal");
      const reason = s("TaskSignalReason");
      if (sig === "" && reason === "") return "Task being sent a signal";
      if (sig === "") return reason;
      if (reason === "") return `Task being sent signal ${sig}`;
      return `Task being sent signal ${sig}: ${reason}`;
    }
    case "Restart Signaled":
      return s("RestartReason") || "Task signaled to restart";
    case "Driver":
      return s("DriverMessage");
    case "Leader Task Dead":
      return "Leader Task in Group dead";
    case "Reconnected":
      return "Client reconnected";
    default:
      return e.Message;
  }
}
